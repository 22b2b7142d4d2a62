// kscope syscalls: a top-N table of syscalls per interval (like syscount / perf trace -s),
// from counters kept in the kernel.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

#include "bpf/bpf_object.h"
#include "bpf/features.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/signals.h"
#include "probes/syscalls_probe.h"
#include "sinks/fd_writer.h"
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

uint64_t now_epoch_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

int run_syscalls(const SyscallsFlags& f, const SessionOptions& options) {
    set_libbpf_verbose(f.common.verbose);
    if (auto ok = preflight(); !ok) {
        fmt::print(stderr, "kscope: {}\n", ok.error().message);
        return 1;
    }
    const std::atomic<bool>& stop = install_stop_signals();
    const bool by_process = f.by == "process";
    SyscallsProbe probe(by_process);
    if (auto r = probe.load(options.probe); !r) {
        fmt::print(stderr, "kscope: {}\n", r.error().message);
        return 1;
    }
    for (const auto& hook : probe.attach()) {
        if (!hook.attached) {
            fmt::print(stderr, "kscope: probe syscalls: cannot attach {} to {}: {}\n", hook.program, hook.hook,
                       hook.error);
            return 1;
        }
        if (f.common.verbose)
            fmt::print(stderr, "kscope syscalls: {} attached to {}\n", hook.program, hook.hook);
    }
    fmt::print(stderr, "kscope syscalls: tracing, Ctrl-C to stop\n");

    SyscallReportOptions report{f.rank_errors ? SyscallRank::errors : SyscallRank::calls, f.top,
                                f.common.failures_only};
    FdWriter out(STDOUT_FILENO);
    SyscallSnapshot previous;
    using Clock = std::chrono::steady_clock;
    const auto started = Clock::now();
    const auto interval = std::chrono::duration<double>(f.interval_s);
    auto next = started + interval;
    uint64_t reports = 0;
    bool last = false;
    while (!last) {
        // One sleep per interval; a stop signal interrupts it (EINTR) and ends the loop.
        while (!stop && Clock::now() < next) {
            auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(next - Clock::now());
            timespec ts{static_cast<time_t>(left.count() / 1'000'000'000), static_cast<long>(left.count() % 1'000'000'000)};
            nanosleep(&ts, nullptr);
        }
        last = stop || (options.duration && Clock::now() - started >= *options.duration);
        next += std::chrono::duration_cast<Clock::duration>(interval);
        auto snap = probe.snapshot();
        if (!snap) {
            fmt::print(stderr, "kscope: {}\n", snap.error().message);
            return 1;
        }
        auto rows = interval_rows(previous, *snap, report);
        if (f.common.json)
            append_syscall_rows_json(out.buffer(), now_epoch_ns(), rows, by_process);
        else
            append_syscall_table(out.buffer(), now_epoch_ns(), rows, by_process);
        if (!out.flush())
            break;
        probe.forget_exited(*snap);
        previous = std::move(*snap);
        if (options.max_events && ++reports >= options.max_events)
            break;
    }
    uint64_t lost = probe.kernel_drops(KSCOPE_DROP_MAP_FULL);
    if (lost || f.common.stats)
        fmt::print(stderr, "syscalls: {} updates lost (aggregation map full)\n", lost);
    return 0;
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
