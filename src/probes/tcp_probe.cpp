#include "probes/tcp_probe.h"

#include "tcp.skel.h"

namespace kscope {

std::span<const uint8_t> TcpProbe::elf() const {
    size_t size = 0;
    const void* data = tcp_bpf__elf_bytes(&size);
    return {static_cast<const uint8_t*>(data), size};
}

Result<Event> TcpProbe::decode(RawEvent raw, const DecodeContext& ctx) const {
    auto e = decode_tcp(raw, ctx);
    if (!e)
        return e.error();
    return Event(std::move(e.value()));
}

}  // namespace kscope
