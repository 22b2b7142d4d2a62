#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstring>

#include "events/decode.h"
#include "kscope/abi/tcp.h"

namespace kscope {
namespace {

std::string address(uint16_t family, const uint8_t* bytes) {
    char text[INET6_ADDRSTRLEN] = {};
    if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, bytes, text, sizeof text))
        return "";
    return text;
}

const char* closer(uint8_t c) {
    switch (c) {
    case KSCOPE_TCP_CLOSER_LOCAL: return "local";
    case KSCOPE_TCP_CLOSER_REMOTE: return "remote";
    }
    return "unknown";
}

}  // namespace

Result<TcpEvent> decode_tcp(RawEvent raw, const DecodeContext& ctx) {
    auto common = decode_header(raw, KSCOPE_EVENT_TCP, sizeof(kscope_tcp_event), ctx);
    if (!common)
        return common.error().context("tcp event");
    kscope_tcp_event e;
    std::memcpy(&e, raw.data(), sizeof(e));
    TcpEvent out;
    out.common = std::move(common.value());
    switch (e.kind) {
    case KSCOPE_TCP_CONNECT: out.event = "connect"; break;
    case KSCOPE_TCP_ACCEPT: out.event = "accept"; break;
    case KSCOPE_TCP_CLOSE: out.event = "close"; break;
    default: return Error{"tcp event of unknown kind " + std::to_string(e.kind)};
    }
    if (e.family != AF_INET && e.family != AF_INET6)
        return Error{"tcp event of unknown family " + std::to_string(e.family)};
    out.family = e.family == AF_INET ? "ipv4" : "ipv6";
    out.saddr = address(e.family, e.saddr);
    out.daddr = address(e.family, e.daddr);
    out.sport = e.sport;
    out.dport = e.dport;
    out.latency_ns = e.latency_ns;
    out.duration_ns = e.duration_ns;
    out.bytes_sent = e.bytes_sent;
    out.bytes_received = e.bytes_received;
    out.closed_by = e.kind == KSCOPE_TCP_CLOSE ? closer(e.closed_by) : "";
    out.ret = e.error;
    return out;
}

}  // namespace kscope
