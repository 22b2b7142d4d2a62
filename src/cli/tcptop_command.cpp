// kscope tcptop: TCP bytes per process and flow every interval (like BCC tcptop).
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/interval_tool.h"
#include "probes/tcptop_probe.h"
#include "sinks/tcp_traffic_report.h"

namespace kscope {

void register_tcptop_command(CLI::App& app, int& exit_code) {
    struct Flags {
        CommonFlags common;
        double interval_s = 1.0;
        size_t top = 20;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = app.add_subcommand("tcptop", "TCP bytes sent and received per process and flow, every interval");
    add_common_flags(*cmd, f->common);
    cmd->add_option("-i,--interval", f->interval_s, "seconds between reports")->check(CLI::PositiveNumber);
    cmd->add_option("--top", f->top, "rows per report (0: all)");
    cmd->final_callback([f, &exit_code] {
        auto options = session_options(f->common);
        if (!options) {
            fmt::print(stderr, "kscope tcptop: {}\n", options.error().message);
            exit_code = 2;
            return;
        }
        TcptopProbe probe;
        FlowSnapshot previous;
        exit_code = run_interval_tool(probe, f->common, *options, f->interval_s,
                                      [&](std::string& out, uint64_t ts_ns) -> Result<void> {
                                          auto snap = probe.snapshot();
                                          if (!snap)
                                              return snap.error();
                                          auto rows = flow_rows(previous, *snap, f->top);
                                          if (f->common.json)
                                              append_tcp_traffic_json(out, ts_ns, rows);
                                          else
                                              append_tcp_traffic_table(out, ts_ns, rows);
                                          probe.forget_exited(*snap);
                                          previous = std::move(*snap);
                                          return {};
                                      });
    });
}

}  // namespace kscope
