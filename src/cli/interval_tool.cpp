#include "cli/interval_tool.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>

#include "bpf/bpf_object.h"
#include "bpf/features.h"
#include "cli/flag_checks.h"
#include "cli/signals.h"
#include "kscope/abi/common.h"
#include "sinks/fd_writer.h"

namespace kscope {

int run_interval_tool(Probe& probe, const CommonFlags& flags, const SessionOptions& options, double interval_s,
                      const IntervalReport& report) {
    set_libbpf_verbose(flags.verbose);
    if (auto ok = preflight(); !ok) {
        fmt::print(stderr, "kscope: {}\n", ok.error().message);
        return 1;
    }
    const std::atomic<bool>& stop = install_stop_signals();
    if (auto r = probe.load(options.probe); !r) {
        fmt::print(stderr, "kscope: {}\n", r.error().message);
        return 1;
    }
    for (const auto& hook : probe.attach()) {
        if (!hook.attached) {
            fmt::print(stderr, "kscope: probe {}: cannot attach {} to {}: {}\n", probe.name(), hook.program,
                       hook.hook, hook.error);
            return 1;
        }
        if (flags.verbose)
            fmt::print(stderr, "kscope {}: {} attached to {}\n", probe.name(), hook.program, hook.hook);
    }
    fmt::print(stderr, "kscope {}: tracing, Ctrl-C to stop\n", probe.name());

    FdWriter out(STDOUT_FILENO);
    using Clock = std::chrono::steady_clock;
    const auto started = Clock::now();
    const auto interval = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(interval_s));
    auto next = started + interval;
    // --duration ends the run even in the middle of an interval: the last report then
    // covers the part of the interval that ran.
    const auto deadline = options.duration
                              ? started + std::chrono::duration_cast<Clock::duration>(*options.duration)
                              : Clock::time_point::max();
    uint64_t reports = 0;
    for (bool last = false; !last;) {
        // One sleep per interval; a stop signal interrupts it (EINTR) and ends the loop.
        const auto wake = std::min(next, deadline);
        while (!stop && Clock::now() < wake) {
            auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(wake - Clock::now()).count();
            timespec ts{static_cast<time_t>(left / 1'000'000'000), static_cast<long>(left % 1'000'000'000)};
            nanosleep(&ts, nullptr);
        }
        last = stop || Clock::now() >= deadline;
        next += interval;
        uint64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
        if (auto r = report(out.buffer(), now_ns); !r) {
            fmt::print(stderr, "kscope: {}\n", r.error().message);
            return 1;
        }
        if (!out.flush())
            break;
        if (options.max_events && ++reports >= options.max_events)
            break;
    }
    uint64_t lost = probe.kernel_drops(KSCOPE_DROP_MAP_FULL);
    if (lost || flags.stats)
        fmt::print(stderr, "{}: {} updates lost (aggregation map full)\n", probe.name(), lost);
    return 0;
}

CLI::App* add_interval_command(CLI::App& app, const std::string& name, const std::string& description,
                               const std::string& failures_help, int& exit_code, size_t default_top,
                               std::function<int(const IntervalFlags&, const SessionOptions&)> run) {
    auto f = std::make_shared<IntervalFlags>();
    f->top = default_top;
    CLI::App* cmd = app.add_subcommand(name, description);
    add_common_flags(*cmd, f->common, failures_help);
    cmd->add_option("-i,--interval", f->interval_s, "seconds between reports")->check(positive_seconds());
    cmd->add_option("--top", f->top, "rows per report (0: all)")->check(whole_number());
    cmd->final_callback([f, name, run, &exit_code] {
        auto options = session_options(f->common);
        if (!options) {
            fmt::print(stderr, "kscope {}: {}\n", name, options.error().message);
            exit_code = 2;
            return;
        }
        exit_code = run(*f, *options);
    });
    return cmd;
}

}  // namespace kscope
