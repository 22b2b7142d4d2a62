// The shared body of the tools that report every interval from in-kernel aggregates
// (syscalls, filetop): preflight, load and attach one probe, then one report per
// interval until Ctrl-C, --duration or --count reports; the last report covers the
// partial interval at the end.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "cli/common_flags.h"
#include "probes/probe.h"

namespace kscope {

// Appends one interval's report to out; ts_ns is now, in ns since the epoch.
using IntervalReport = std::function<Result<void>(std::string& out, uint64_t ts_ns)>;

int run_interval_tool(Probe& probe, const CommonFlags& flags, const SessionOptions& options, double interval_s,
                      const IntervalReport& report);

}  // namespace kscope
