#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstring>

#include "events/decode.h"
#include "events/ip_address.h"
#include "kscope/abi/tcp.h"

namespace kscope {
namespace {

// Names of the TCP states (include/net/tcp_states.h, the same values as <netinet/tcp.h>).
std::string tcp_state_name(uint32_t s) {
    switch (s) {
    case TCP_ESTABLISHED: return "ESTABLISHED";
    case TCP_SYN_SENT: return "SYN_SENT";
    case TCP_SYN_RECV: return "SYN_RECV";
    case TCP_FIN_WAIT1: return "FIN_WAIT1";
    case TCP_FIN_WAIT2: return "FIN_WAIT2";
    case TCP_TIME_WAIT: return "TIME_WAIT";
    case TCP_CLOSE: return "CLOSE";
    case TCP_CLOSE_WAIT: return "CLOSE_WAIT";
    case TCP_LAST_ACK: return "LAST_ACK";
    case TCP_LISTEN: return "LISTEN";
    case TCP_CLOSING: return "CLOSING";
    }
    return "STATE_" + std::to_string(s);
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
    case KSCOPE_TCP_RETRANSMIT: out.event = "retransmit"; break;
    case KSCOPE_TCP_RESET_SENT: out.event = "reset_sent"; break;
    case KSCOPE_TCP_RESET_RECEIVED: out.event = "reset_received"; break;
    default: return Error{"tcp event of unknown kind " + std::to_string(e.kind)};
    }
    if (e.family != AF_INET && e.family != AF_INET6)
        return Error{"tcp event of unknown family " + std::to_string(e.family)};
    out.family = e.family == AF_INET ? "ipv4" : "ipv6";
    out.saddr = ip_address_text(e.family, e.saddr);
    out.daddr = ip_address_text(e.family, e.daddr);
    out.sport = e.sport;
    out.dport = e.dport;
    out.latency_ns = e.latency_ns;
    out.duration_ns = e.duration_ns;
    out.bytes_sent = e.bytes_sent;
    out.bytes_received = e.bytes_received;
    out.closed_by = e.kind == KSCOPE_TCP_CLOSE ? closer(e.closed_by) : "";
    out.ret = e.error;
    if (e.kind >= KSCOPE_TCP_RETRANSMIT)
        out.state = tcp_state_name(e.state);
    return out;
}

}  // namespace kscope
