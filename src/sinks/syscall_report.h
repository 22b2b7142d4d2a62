// One interval of syscall statistics as a table or as JSON lines.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "events/syscall_stats.h"

namespace kscope {

// {"type":"syscall_stats","ts":…,"pid":…,"comm":…,"syscall":…,"calls":…,…} per row;
// without pid/comm when by_process is false.
void append_syscall_rows_json(std::string& out, uint64_t ts_ns, const std::vector<SyscallRow>& rows,
                              bool by_process);
void append_syscall_table(std::string& out, uint64_t ts_ns, const std::vector<SyscallRow>& rows,
                          bool by_process);

}  // namespace kscope
