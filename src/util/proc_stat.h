// /proc/PID/stat, split once: the command name (which may hold spaces and parentheses)
// and the fields after it, numbered as proc(5) numbers them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kscope {

struct ProcStat {
    std::string comm;
    std::vector<std::string> fields;  // field 3 (state) onwards
    // Field n (3: state, 4: ppid, 9: flags, 14: utime, 15: stime, 22: starttime) as a
    // number; 0 when the line is shorter.
    uint64_t number(size_t n) const;
};

// nullopt when the text is not a stat line.
std::optional<ProcStat> parse_proc_stat(std::string_view text);

}  // namespace kscope
