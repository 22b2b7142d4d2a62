#include "probes/exit_probe.h"

#include "exit.skel.h"

namespace kscope {

std::span<const uint8_t> ExitProbe::elf() const {
    size_t size = 0;
    const void* data = exit_bpf__elf_bytes(&size);
    return {static_cast<const uint8_t*>(data), size};
}

Result<Event> ExitProbe::decode(RawEvent raw, const DecodeContext& ctx) const {
    auto e = decode_exit(raw, ctx);
    if (!e)
        return e.error();
    return Event(std::move(e.value()));
}

}  // namespace kscope
