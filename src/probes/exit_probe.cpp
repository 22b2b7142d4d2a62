#include "probes/exit_probe.h"

#include "exit.skel.h"

namespace kscope {

std::span<const uint8_t> ExitProbe::elf() const { return skeleton_elf(exit_bpf__elf_bytes); }

Result<Event> ExitProbe::decode(RawEvent raw, const DecodeContext& ctx) const {
    return as_event(decode_exit(raw, ctx));
}

}  // namespace kscope
