// One interval of file I/O as a table or as JSON lines.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "events/file_io.h"

namespace kscope {

// {"type":"file_io","ts":…,"pid":…,"comm":…,"path":…,"file_type":…,"reads":…,…} per row.
void append_file_io_json(std::string& out, uint64_t ts_ns, const std::vector<FileIoRow>& rows);
void append_file_io_table(std::string& out, uint64_t ts_ns, const std::vector<FileIoRow>& rows);

}  // namespace kscope
