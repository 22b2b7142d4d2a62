// kscope biolat: block I/O latency per disk and operation every interval (like BCC's
// biolatency -D), split into queue and device time, counted in the kernel.
#include <memory>

#include "cli/commands.h"
#include "cli/interval_tool.h"
#include "probes/block_probes.h"
#include "sinks/latency_report.h"

namespace kscope {

void register_biolat_command(CLI::App& app, int& exit_code) {
    auto bars = std::make_shared<bool>(false);
    CLI::App* cmd = add_interval_command(
        app, "biolat", "block I/O latency per disk and operation, queue and device time, every interval (like biolatency)",
        "", exit_code, 0, [bars](const IntervalFlags& f, const SessionOptions& options) {
            BiolatProbe probe;
            return run_snapshot_tool(
                probe, f, options,
                [&](const BlockLatencySnapshot& before, const BlockLatencySnapshot& now) {
                    auto rows = block_latency_rows(before, now);
                    if (f.top && rows.size() > f.top)
                        rows.resize(f.top);
                    return rows;
                },
                append_block_latency_json,
                [&](std::string& out, uint64_t ts, const std::vector<BlockLatencyRow>& rows) {
                    append_block_latency_table(out, ts, rows, *bars);
                });
        });
    cmd->add_flag("--histogram", *bars, "print each row's latency histogram under it");
}

}  // namespace kscope
