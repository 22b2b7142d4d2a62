#include "probes/open_probe.h"

#include "open.skel.h"

namespace kscope {

std::span<const uint8_t> OpenProbe::elf() const {
    size_t size = 0;
    const void* data = open_bpf__elf_bytes(&size);
    return {static_cast<const uint8_t*>(data), size};
}

Result<Event> OpenProbe::decode(RawEvent raw, const DecodeContext& ctx) const {
    auto e = decode_open(raw, ctx);
    if (!e)
        return e.error();
    return Event(std::move(e.value()));
}

}  // namespace kscope
