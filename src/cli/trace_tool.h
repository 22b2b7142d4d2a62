// The shared body of every event-tracing tool: preflight, start the probe, print the
// events as a table or JSON lines until Ctrl-C/--duration/--count, report losses.
#pragma once

#include <string_view>

#include "cli/common_flags.h"

namespace kscope {

// Returns the process exit code.
int run_trace_tool(std::string_view probe_name, const CommonFlags& flags, SessionOptions options);

}  // namespace kscope
