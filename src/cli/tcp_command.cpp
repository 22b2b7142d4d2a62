// kscope tcp: TCP connects (with latency and failures), accepts and closes.
#include <fmt/format.h>

#include <algorithm>

#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/trace_tool.h"

namespace kscope {

void register_tcp_command(CLI::App& app, int& exit_code) {
    struct Flags {
        CommonFlags common;
        bool connect = false, accept = false, close = false;
        std::vector<uint16_t> ports;
        std::vector<std::string> laddrs, raddrs;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = app.add_subcommand("tcp", "TCP connect/accept/close with latency, lifetime, bytes (like tcplife)");
    add_common_flags(*cmd, f->common);
    cmd->add_flag("--connect", f->connect, "connects (active opens), failed ones included");
    cmd->add_flag("--accept", f->accept, "accepts (passive opens)");
    cmd->add_flag("--close", f->close, "closes of established connections");
    cmd->add_option("--port", f->ports, "only connections with this local or remote port")->delimiter(',');
    cmd->add_option("--laddr", f->laddrs, "only this local address")->delimiter(',');
    cmd->add_option("--raddr", f->raddrs, "only this remote address")->delimiter(',');
    cmd->final_callback([f, &exit_code] {
        auto options = session_options(f->common);
        if (!options) {
            fmt::print(stderr, "kscope tcp: {}\n", options.error().message);
            exit_code = 2;
            return;
        }
        const bool all = !f->connect && !f->accept && !f->close;
        auto has = [](const auto& list, const auto& v) {
            return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
        };
        options->event_filter = [f, all, has](const Event& e) {
            const auto* t = std::get_if<TcpEvent>(&e);
            if (!t)
                return true;
            std::string_view kind = t->event;
            if (!all && !((kind == "connect" && f->connect) || (kind == "accept" && f->accept) ||
                          (kind == "close" && f->close)))
                return false;
            if (!f->ports.empty() && !has(f->ports, t->sport) && !has(f->ports, t->dport))
                return false;
            return has(f->laddrs, t->saddr) && has(f->raddrs, t->daddr);
        };
        exit_code = run_trace_tool("tcp", f->common, std::move(options.value()));
    });
}

}  // namespace kscope
