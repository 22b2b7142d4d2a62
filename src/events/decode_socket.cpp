#include "events/decode_socket.h"

#include <sys/socket.h>

#include <cstring>

#include "events/ip_address.h"
#include "kscope/abi/socket.h"

namespace kscope {

std::string socket_family_name(uint16_t family) {
    switch (family) {
    case AF_INET: return "ipv4";
    case AF_INET6: return "ipv6";
    case AF_UNIX: return "unix";
    case AF_PACKET: return "packet";
    case AF_NETLINK: return "netlink";
    }
    return std::to_string(family);
}

std::string socket_type_name(uint16_t type) {
    switch (type) {
    case SOCK_STREAM: return "stream";
    case SOCK_DGRAM: return "dgram";
    case SOCK_RAW: return "raw";
    case SOCK_SEQPACKET: return "seqpacket";
    }
    return std::to_string(type);
}

namespace {

const char* syscall_name(uint16_t s) {
    switch (s) {
    case KSCOPE_SOCK_SOCKET: return "socket";
    case KSCOPE_SOCK_BIND: return "bind";
    case KSCOPE_SOCK_LISTEN: return "listen";
    }
    return nullptr;
}

// A unix socket's name: a path up to its NUL, or "@name" for an abstract one (as ss
// prints it), whose bytes all count.
std::string unix_name(const char* p, size_t len) {
    if (len == 0)
        return "";
    if (p[0] == '\0')
        return "@" + std::string(p + 1, len - 1);
    return std::string(p, strnlen(p, len));
}

}  // namespace

Result<SocketEvent> decode_socket(RawEvent raw, const DecodeContext& ctx) {
    auto common = decode_header(raw, KSCOPE_EVENT_SOCKET, sizeof(kscope_socket_event), ctx);
    if (!common)
        return common.error().context("socket event");
    kscope_socket_event e;
    std::memcpy(&e, raw.data(), sizeof(e));
    if (sizeof(e) + size_t(e.path_len) > raw.size())
        return Error{"socket event: path runs past the event's end"};
    const char* syscall = syscall_name(e.syscall);
    if (!syscall)
        return Error{"socket event of unknown syscall " + std::to_string(e.syscall)};

    SocketEvent out;
    out.common = std::move(common.value());
    out.syscall = syscall;
    out.ret = e.ret;
    out.fd = e.fd;
    out.backlog = e.backlog;
    out.protocol = e.protocol;
    // A bind or listen on an fd that is not a socket has no family or type to tell.
    if (e.syscall == KSCOPE_SOCK_SOCKET || !(e.flags & KSCOPE_SOCK_NOT_SOCKET) || e.family) {
        out.family = socket_family_name(e.family);
        out.sock_type = e.flags & KSCOPE_SOCK_NOT_SOCKET ? "" : socket_type_name(e.sock_type);
    }
    const bool has_addr = e.syscall != KSCOPE_SOCK_SOCKET && !(e.flags & KSCOPE_SOCK_ADDR_UNREADABLE);
    if (!has_addr)
        return out;
    if (e.family == AF_INET || e.family == AF_INET6) {
        out.addr = ip_address_text(e.family, e.addr);
        out.port = e.port;
    } else if (e.family == AF_UNIX) {
        out.addr = unix_name(reinterpret_cast<const char*>(raw.data()) + sizeof(e), e.path_len);
    }
    return out;
}

}  // namespace kscope
