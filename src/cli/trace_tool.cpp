#include "cli/trace_tool.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>

#include "bpf/bpf_object.h"
#include "bpf/features.h"
#include "cli/signals.h"
#include "probes/registry.h"
#include "sinks/flow_summary_sink.h"
#include "sinks/json_lines_sink.h"
#include "sinks/table_sink.h"

namespace kscope {

int run_trace_tool(std::string_view probe_name, const CommonFlags& flags, SessionOptions options, bool summary) {
    const auto started = std::chrono::steady_clock::now();
    set_libbpf_verbose(flags.verbose);
    if (auto ok = preflight(); !ok) {
        fmt::print(stderr, "kscope: {}\n", ok.error().message);
        return 1;
    }
    const std::atomic<bool>& stop = install_stop_signals();

    std::vector<std::unique_ptr<Probe>> probes;
    probes.push_back(make_probe(probe_name));
    TraceSession session(std::move(probes), std::move(options));
    if (auto attached = session.start(); !attached) {
        fmt::print(stderr, "kscope: {}\n", attached.error().message);
        if (!flags.verbose)
            fmt::print(stderr, "kscope: run with --verbose for the verifier log\n");
        return 1;
    }
    std::unique_ptr<Sink> sink;
    if (summary)
        sink = std::make_unique<FlowSummarySink>(STDOUT_FILENO, flags.json);
    else if (flags.json)
        sink = std::make_unique<JsonLinesSink>(STDOUT_FILENO);
    else
        sink = std::make_unique<TableSink>(STDOUT_FILENO, probe_name, TableOptions{flags.timestamps});
    if (flags.verbose)
        for (const auto& [probe, hook] : session.hooks())
            fmt::print(stderr, "kscope {}: {} attached to {}\n", probe, hook.program, hook.hook);
    if (flags.stats)
        fmt::print(stderr, "kscope {}: attached in {:.1f} ms\n", probe_name,
                   std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
    fmt::print(stderr, "kscope {}: tracing, Ctrl-C to stop\n", probe_name);
    std::fflush(stderr);

    session.run(*sink, stop);

    auto stats = session.stats();
    if (flags.stats || any_loss(stats))
        fmt::print(stderr, "{}", format_stats(stats));
    if (flags.stats)
        for (const auto& line : session.counters())
            fmt::print(stderr, "{}\n", line);
    return 0;
}

CLI::App* add_trace_command(CLI::App& app, const std::string& probe, const std::string& description,
                            const std::string& failures_help, int& exit_code, std::function<void(SessionOptions&)> customize,
                            std::shared_ptr<bool> summary) {
    auto flags = std::make_shared<CommonFlags>();
    CLI::App* cmd = app.add_subcommand(probe, description);
    add_common_flags(*cmd, *flags, failures_help);
    cmd->final_callback([flags, probe, customize, summary, &exit_code] {
        auto options = session_options(*flags);
        if (!options) {
            fmt::print(stderr, "kscope {}: {}\n", probe, options.error().message);
            exit_code = 2;
            return;
        }
        if (customize)
            customize(options.value());
        exit_code = run_trace_tool(probe, *flags, std::move(options.value()), summary && *summary);
    });
    return cmd;
}

}  // namespace kscope
