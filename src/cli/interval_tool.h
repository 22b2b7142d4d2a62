// The shared body of the tools that report every interval from in-kernel aggregates
// (syscalls, filetop, tcptop, drops --summary): preflight, load and attach one probe, then one report per
// interval until Ctrl-C, --duration or --count reports; the last report covers the
// partial interval at the end.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>

#include "cli/common_flags.h"
#include "probes/probe.h"

namespace kscope {

// Appends one interval's report to out; ts_ns is now, in ns since the epoch.
using IntervalReport = std::function<Result<void>(std::string& out, uint64_t ts_ns)>;

int run_interval_tool(Probe& probe, const CommonFlags& flags, const SessionOptions& options, double interval_s,
                      const IntervalReport& report);

struct IntervalFlags {
    CommonFlags common;
    double interval_s = 1.0;  // -i
    size_t top = 0;           // --top, 0: every row
};

// Registers `kscope <name>` with the common flags, -i/--interval and --top; run gets the
// parsed flags. Returns the command so the tool can add flags of its own.
// failures_help: what -x selects ("" = the tool has no -x).
CLI::App* add_interval_command(CLI::App& app, const std::string& name, const std::string& description,
                               const std::string& failures_help, int& exit_code, size_t default_top,
                               std::function<int(const IntervalFlags&, const SessionOptions&)> run);

// The loop of a probe that keeps cumulative counters in the kernel: each interval takes
// a snapshot, turns the difference from the previous one into rows (rows(previous,
// current)), prints them as JSON lines or a table, then lets the probe forget processes
// that are gone.
template <typename SnapshotProbe, typename Rows, typename Json, typename Table>
int run_snapshot_tool(SnapshotProbe& probe, const IntervalFlags& f, const SessionOptions& options, Rows rows,
                      Json json, Table table) {
    std::decay_t<decltype(probe.snapshot().value())> previous;
    return run_interval_tool(probe, f.common, options, f.interval_s,
                             [&](std::string& out, uint64_t ts_ns) -> Result<void> {
                                 auto snap = probe.snapshot();
                                 if (!snap)
                                     return snap.error();
                                 auto interval = rows(previous, *snap);
                                 if (f.common.json)
                                     json(out, ts_ns, interval);
                                 else
                                     table(out, ts_ns, interval);
                                 probe.forget_exited(*snap);
                                 previous = std::move(*snap);
                                 return {};
                             });
}

}  // namespace kscope
