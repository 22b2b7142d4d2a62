// Whole small files (mostly /proc) read with read(2): a process that exits while its
// /proc files are read makes read() fail with ESRCH, which std::ifstream turns into an
// exception; here it is just no content.
#pragma once

#include <optional>
#include <string>

namespace kscope {

// The file's bytes (up to max_bytes); nullopt when it cannot be opened or read.
std::optional<std::string> read_file(const std::string& path, size_t max_bytes = 1 << 20);

}  // namespace kscope
