// kscope tcptop: TCP bytes per process and flow every interval (like BCC tcptop).
#include "cli/commands.h"
#include "cli/interval_tool.h"
#include "probes/tcptop_probe.h"
#include "sinks/tcp_traffic_report.h"

namespace kscope {

void register_tcptop_command(CLI::App& app, int& exit_code) {
    add_interval_command(app, "tcptop", "TCP bytes sent and received per process and flow, every interval", "",
                         exit_code, 20, [](const IntervalFlags& f, const SessionOptions& options) {
                             TcptopProbe probe;
                             return run_snapshot_tool(
                                 probe, f, options,
                                 [&](const FlowSnapshot& before, const FlowSnapshot& now) {
                                     return flow_rows(before, now, f.top);
                                 },
                                 append_tcp_traffic_json, append_tcp_traffic_table);
                         });
}

}  // namespace kscope
