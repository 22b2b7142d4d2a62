// /proc/PID/maps -> ProcessMaps: the executable mappings a stack's addresses fall in.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "profile/stack_sample.h"
#include "util/result.h"

namespace kscope {

// Parses the text of a maps file. Keeps mappings that are executable (r-xp, and rwxp
// for JIT code), sorted by start; skips lines that do not parse.
ProcessMaps parse_proc_maps(std::string_view text, uint32_t pid = 0);

// Reads <proc_root>/PID/maps and comm. An error names the file when the process is gone
// or unreadable.
Result<ProcessMaps> read_proc_maps(uint32_t pid, const std::string& proc_root = "/proc");

}  // namespace kscope
