// kscope tcp: TCP connects (with latency and failures), accepts and closes.
#include <arpa/inet.h>

#include <algorithm>

#include "cli/commands.h"
#include "cli/trace_tool.h"

namespace kscope {
namespace {

// An IPv4 or IPv6 address as the events spell it (inet_ntop's form), whatever notation
// it was given in; anything else is refused.
std::string canonical_address(const std::string& text) {
    unsigned char bytes[sizeof(in6_addr)];
    char out[INET6_ADDRSTRLEN];
    for (int family : {AF_INET, AF_INET6})
        if (inet_pton(family, text.c_str(), bytes) == 1 && inet_ntop(family, bytes, out, sizeof out))
            return out;
    throw CLI::ValidationError(text + " is not an IPv4 or IPv6 address");
}

}  // namespace

void register_tcp_command(CLI::App& app, int& exit_code) {
    struct Selection {
        bool connect = false, accept = false, close = false;
        std::vector<uint16_t> ports;
        std::vector<std::string> laddrs, raddrs;
    };
    auto sel = std::make_shared<Selection>();
    CLI::App* cmd = add_trace_command(
        app, "tcp", "TCP connect/accept/close with latency, lifetime, bytes (like tcplife)", exit_code,
        [sel](SessionOptions& options) {
            const bool all = !sel->connect && !sel->accept && !sel->close;
            options.event_filter = [sel, all](const Event& e) {
                auto has = [](const auto& list, const auto& v) {
                    return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
                };
                const auto* t = std::get_if<TcpEvent>(&e);
                if (!t)
                    return true;
                std::string_view kind = t->event;
                if (!all && !((kind == "connect" && sel->connect) || (kind == "accept" && sel->accept) ||
                              (kind == "close" && sel->close)))
                    return false;
                if (!sel->ports.empty() && !has(sel->ports, t->sport) && !has(sel->ports, t->dport))
                    return false;
                return has(sel->laddrs, t->saddr) && has(sel->raddrs, t->daddr);
            };
        });
    cmd->add_flag("--connect", sel->connect, "connects (active opens), failed ones included");
    cmd->add_flag("--accept", sel->accept, "accepts (passive opens)");
    cmd->add_flag("--close", sel->close, "closes of established connections");
    cmd->add_option("--port", sel->ports, "only connections with this local or remote port")->delimiter(',');
    cmd->add_option("--laddr", sel->laddrs, "only this local address")->delimiter(',')->transform(canonical_address);
    cmd->add_option("--raddr", sel->raddrs, "only this remote address")->delimiter(',')->transform(canonical_address);
}

}  // namespace kscope
