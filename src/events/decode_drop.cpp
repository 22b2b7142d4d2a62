#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>

#include <cstring>

#include "events/decode.h"
#include "events/ip_address.h"
#include "kscope/abi/drops.h"

namespace kscope {
namespace {

std::string ethertype(uint16_t p) {
    switch (p) {
    case 0x0800: return "ipv4";
    case 0x86DD: return "ipv6";
    case 0x0806: return "arp";
    }
    return fmt::format("0x{:04x}", p);
}

std::string l4_name(uint8_t p) {
    switch (p) {
    case IPPROTO_TCP: return "tcp";
    case IPPROTO_UDP: return "udp";
    case IPPROTO_ICMP: return "icmp";
    case IPPROTO_ICMPV6: return "icmpv6";
    case IPPROTO_SCTP: return "sctp";
    }
    return std::to_string(p);
}

}  // namespace

Result<DropEvent> decode_drop(RawEvent raw, const DecodeContext& ctx) {
    auto common = decode_header(raw, KSCOPE_EVENT_DROP, sizeof(kscope_drop_event), ctx);
    if (!common)
        return common.error().context("drop event");
    kscope_drop_event e;
    std::memcpy(&e, raw.data(), sizeof(e));
    DropEvent out;
    out.common = std::move(common.value());
    out.reason_code = e.reason;
    out.protocol = ethertype(e.protocol);
    out.location = e.location;
    if (e.has_addrs) {
        const int family = e.protocol == 0x86DD ? AF_INET6 : AF_INET;
        out.l4_protocol = l4_name(e.l4_protocol);
        out.saddr = ip_address_text(family, e.saddr);
        out.daddr = ip_address_text(family, e.daddr);
        out.sport = e.sport;
        out.dport = e.dport;
    }
    return out;
}

}  // namespace kscope
