#include "probes/tcp_probe.h"

#include "tcp.skel.h"

namespace kscope {

std::span<const uint8_t> TcpProbe::elf() const { return skeleton_elf(tcp_bpf__elf_bytes); }

Result<Event> TcpProbe::decode(RawEvent raw, const DecodeContext& ctx) const {
    return as_event(decode_tcp(raw, ctx));
}

}  // namespace kscope
