// kscope biotop: block I/O per process and disk every interval (like BCC's biotop),
// credited to the process that submitted it, counted in the kernel.
#include "cli/commands.h"
#include "cli/interval_tool.h"
#include "probes/block_probes.h"
#include "sinks/latency_report.h"

namespace kscope {

void register_biotop_command(CLI::App& app, int& exit_code) {
    add_interval_command(app, "biotop",
                         "block I/O per process and disk (requests, bytes, average latency), every interval (like biotop)",
                         "", exit_code, 20, [](const IntervalFlags& f, const SessionOptions& options) {
                             BiotopProbe probe;
                             return run_snapshot_tool(
                                 probe, f, options,
                                 [&](const BlockTopSnapshot& before, const BlockTopSnapshot& now) {
                                     return block_top_rows(before, now, f.top);
                                 },
                                 append_block_top_json, append_block_top_table);
                         });
}

}  // namespace kscope
