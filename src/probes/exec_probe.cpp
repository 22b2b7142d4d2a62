#include "probes/exec_probe.h"

#include "exec.skel.h"

namespace kscope {

std::span<const uint8_t> ExecProbe::elf() const { return skeleton_elf(exec_bpf__elf_bytes); }

Result<Event> ExecProbe::decode(RawEvent raw, const DecodeContext& ctx) const {
    return as_event(decode_exec(raw, ctx));
}

}  // namespace kscope
