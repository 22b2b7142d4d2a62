// kscope syscalls: a top-N table of syscalls per interval (like syscount / perf trace -s),
// from counters kept in the kernel.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/interval_tool.h"
#include "probes/syscalls_probe.h"
#include "sinks/syscall_report.h"

namespace kscope {
namespace {

struct SyscallsFlags {
    CommonFlags common;
    double interval_s = 1.0;
    size_t top = 10;
    bool rank_errors = false;
    std::string by = "process";
};

int run_syscalls(const SyscallsFlags& f, const SessionOptions& options) {
    const bool by_process = f.by == "process";
    SyscallsProbe probe(by_process);
    const SyscallReportOptions ranking{f.rank_errors ? SyscallRank::errors : SyscallRank::calls, f.top,
                                       f.common.failures_only};
    SyscallSnapshot previous;
    return run_interval_tool(probe, f.common, options, f.interval_s,
                             [&](std::string& out, uint64_t ts_ns) -> Result<void> {
                                 auto snap = probe.snapshot();
                                 if (!snap)
                                     return snap.error();
                                 auto rows = interval_rows(previous, *snap, ranking);
                                 if (f.common.json)
                                     append_syscall_rows_json(out, ts_ns, rows, by_process);
                                 else
                                     append_syscall_table(out, ts_ns, rows, by_process);
                                 probe.forget_exited(*snap);
                                 previous = std::move(*snap);
                                 return {};
                             });
}

}  // namespace

void register_syscalls_command(CLI::App& app, int& exit_code) {
    auto f = std::make_shared<SyscallsFlags>();
    CLI::App* cmd = app.add_subcommand(
        "syscalls", "syscall counts, errors and latency per process or syscall, every interval (like syscount)");
    add_common_flags(*cmd, f->common);
    cmd->add_option("-i,--interval", f->interval_s, "seconds between reports")->check(CLI::PositiveNumber);
    cmd->add_option("--top", f->top, "rows per report (0: all)");
    cmd->add_flag("--errors", f->rank_errors, "rank by failures instead of calls");
    cmd->add_option("--by", f->by, "one row per process and syscall, or per syscall")
        ->check(CLI::IsMember({"process", "syscall"}));
    cmd->final_callback([f, &exit_code] {
        auto options = session_options(f->common);
        if (!options) {
            fmt::print(stderr, "kscope syscalls: {}\n", options.error().message);
            exit_code = 2;
            return;
        }
        exit_code = run_syscalls(*f, *options);
    });
}

}  // namespace kscope
