// kscope tcp: TCP connects (with latency and failures), accepts and closes.
#include <algorithm>

#include "cli/commands.h"
#include "cli/trace_tool.h"
#include "events/ip_address.h"

namespace kscope {

void register_tcp_command(CLI::App& app, int& exit_code) {
    struct Selection {
        bool connect = false, accept = false, close = false;
        std::vector<uint16_t> ports;
        std::vector<std::string> laddrs, raddrs;
    };
    auto sel = std::make_shared<Selection>();
    CLI::App* cmd = add_trace_command(
        app, "tcp", "TCP connect/accept/close with latency, lifetime, bytes (like tcplife)",
        "only failed connects", exit_code,
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
    // Addresses are compared in the form events carry them ("::0:1" matches "::1").
    auto address = CLI::Validator(
        [](std::string& s) -> std::string {
            auto canonical = canonical_ip_address(s);
            if (!canonical)
                return "'" + s + "' is not an IPv4 or IPv6 address";
            s = *canonical;
            return {};
        },
        "ADDRESS");
    cmd->add_option("--laddr", sel->laddrs, "only this local address")->delimiter(',')->transform(address);
    cmd->add_option("--raddr", sel->raddrs, "only this remote address")->delimiter(',')->transform(address);
}

}  // namespace kscope
