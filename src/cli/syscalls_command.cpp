// kscope syscalls: a top-N table of syscalls per interval (like syscount / perf trace -s),
// from counters kept in the kernel.
#include <memory>

#include "cli/commands.h"
#include "cli/interval_tool.h"
#include "probes/syscalls_probe.h"
#include "sinks/syscall_report.h"

namespace kscope {

void register_syscalls_command(CLI::App& app, int& exit_code) {
    struct Ranking {
        bool errors = false;
        std::string by = "process";
    };
    auto rank = std::make_shared<Ranking>();
    CLI::App* cmd = add_interval_command(
        app, "syscalls", "syscall counts, errors and latency per process or syscall, every interval (like syscount)",
        "only rows with errors", exit_code, 10, [rank](const IntervalFlags& f, const SessionOptions& options) {
            const bool by_process = rank->by == "process";
            const SyscallReportOptions report{rank->errors ? SyscallRank::errors : SyscallRank::calls, f.top,
                                              f.common.failures_only};
            SyscallsProbe probe(by_process);
            return run_snapshot_tool(
                probe, f, options,
                [&](const SyscallSnapshot& before, const SyscallSnapshot& now) {
                    return interval_rows(before, now, report);
                },
                [&](std::string& out, uint64_t ts, const std::vector<SyscallRow>& rows) {
                    append_syscall_rows_json(out, ts, rows, by_process);
                },
                [&](std::string& out, uint64_t ts, const std::vector<SyscallRow>& rows) {
                    append_syscall_table(out, ts, rows, by_process);
                });
        });
    cmd->add_flag("--errors", rank->errors, "rank by failures instead of calls");
    cmd->add_option("--by", rank->by, "one row per process and syscall, or per syscall")
        ->check(CLI::IsMember({"process", "syscall"}));
}

}  // namespace kscope
