// kscope faults: page faults per process every interval, minor and major, counted in
// the kernel from perf software events.
#include "cli/commands.h"
#include "cli/interval_tool.h"
#include "probes/faults_probe.h"
#include "sinks/latency_report.h"

namespace kscope {

void register_faults_command(CLI::App& app, int& exit_code) {
    add_interval_command(app, "faults", "page faults per process, minor and major, every interval", "", exit_code, 20,
                         [](const IntervalFlags& f, const SessionOptions& options) {
                             FaultsProbe probe;
                             return run_snapshot_tool(
                                 probe, f, options,
                                 [&](const FaultSnapshot& before, const FaultSnapshot& now) {
                                     return fault_rows(before, now, f.top);
                                 },
                                 append_faults_json, append_faults_table);
                         });
}

}  // namespace kscope
