#include "probes/open_probe.h"

#include "bpf/features.h"
#include "open.skel.h"

namespace kscope {

std::span<const uint8_t> OpenProbe::elf() const { return skeleton_elf(open_bpf__elf_bytes); }

Result<void> OpenProbe::configure(BpfObject& obj) {
    // With the saved user registers readable at syscall exit, the entry programs and
    // their per-thread map are not needed: half the tracepoints, no map traffic.
    if (!kernel_has_helper(BpfHelper::task_pt_regs))
        return {};
    if (auto r = obj.set_const<bool>("args_from_regs", true); !r)
        return r;
    for (const char* enter : {"ks_open_enter", "ks_openat_enter", "ks_openat2_enter", "ks_creat_enter"})
        if (auto r = obj.set_autoload(enter, false); !r)
            return r;
    return {};
}

Result<Event> OpenProbe::decode(RawEvent raw, const DecodeContext& ctx) const {
    return as_event(decode_open(raw, ctx));
}

}  // namespace kscope
