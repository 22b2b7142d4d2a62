// The shared body of every event-tracing tool: preflight, start the probe, print the
// events as a table or JSON lines until Ctrl-C/--duration/--count, report losses.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "cli/common_flags.h"

namespace kscope {

// Returns the process exit code.
// summary: a per-flow summary at the end instead of one line per event.
int run_trace_tool(std::string_view probe_name, const CommonFlags& flags, SessionOptions options,
                   bool summary = false);

// Registers `kscope <probe>` as an event-tracing tool with the common flags; returns the
// command so the caller can add its own flags. customize, when given, applies those to
// the session options before the tool runs.
// failures_help: what -x selects ("" = the tool has no -x).
CLI::App* add_trace_command(CLI::App& app, const std::string& probe, const std::string& description,
                            const std::string& failures_help, int& exit_code, std::function<void(SessionOptions&)> customize = {},
                            std::shared_ptr<bool> summary = nullptr);

}  // namespace kscope
