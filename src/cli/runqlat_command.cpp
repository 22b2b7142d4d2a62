// kscope runqlat: run-queue latency histograms every interval (like BCC's runqlat),
// counted in the kernel; overall, per process or per cgroup.
#include <memory>

#include "cli/commands.h"
#include "cli/interval_tool.h"
#include "probes/runqlat_probe.h"
#include "sinks/latency_report.h"

namespace kscope {

void register_runqlat_command(CLI::App& app, int& exit_code) {
    auto by = std::make_shared<std::string>("all");
    CLI::App* cmd = add_interval_command(
        app, "runqlat",
        "run-queue latency (wakeup or preemption to running) as histograms, every interval (like runqlat)", "",
        exit_code, 0, [by](const IntervalFlags& f, const SessionOptions& options) {
            const RunqGroup group = *by == "pid" ? RunqGroup::pid : *by == "cgroup" ? RunqGroup::cgroup : RunqGroup::all;
            RunqlatProbe probe(group);
            return run_snapshot_tool(
                probe, f, options,
                [&](const RunqSnapshot& before, const RunqSnapshot& now) {
                    return runq_rows(before, now, group, f.top);
                },
                [&](std::string& out, uint64_t ts, const std::vector<RunqRow>& rows) {
                    append_runq_json(out, ts, rows, group);
                },
                [&](std::string& out, uint64_t ts, const std::vector<RunqRow>& rows) {
                    append_runq_table(out, ts, rows, group);
                });
        });
    cmd->add_option("--by", *by, "one histogram for all tasks, or one per process or per cgroup (v2)")
        ->check(CLI::IsMember({"all", "pid", "cgroup"}));
}

}  // namespace kscope
