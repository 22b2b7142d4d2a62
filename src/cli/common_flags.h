// The flags every tracing tool shares (BCC style), parsed in one place.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/trace_session.h"
#include "util/result.h"

namespace kscope {

struct CommonFlags {
    std::vector<uint32_t> pids;       // -p
    std::vector<std::string> comms;   // -c
    std::string cgroup;               // --cgroup
    bool json = false;                // --json
    bool failures_only = false;       // -x
    bool timestamps = false;          // -T
    double duration_s = 0;            // --duration
    uint64_t count = 0;               // --count
    bool stats = false;               // --stats
    bool verbose = false;             // --verbose
    uint32_t ring_kib = 1024;         // --ring-kib
    bool include_self = false;        // --include-self
    bool allow_missing_pid = false;   // --allow-missing-pid
    bool show_secrets = false;        // --show-secrets: command lines as they are
};

// failures_help: what -x selects for this tool; "" when the tool has no failures (then
// there is no -x, rather than one that silently does nothing).
void add_common_flags(CLI::App& cmd, CommonFlags& flags, const std::string& failures_help);
// Resolves paths (the cgroup) and turns flags into session options.
Result<SessionOptions> session_options(const CommonFlags& flags);

}  // namespace kscope
