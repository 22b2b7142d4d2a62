// Per-interval file I/O rows from cumulative in-kernel counters. Pure: tests feed it
// snapshots.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kscope {

struct FileKey {
    uint32_t pid = 0;
    uint32_t dev = 0;
    uint64_t ino = 0;
    auto operator<=>(const FileKey&) const = default;
};

struct FileCounters {
    std::string comm;
    std::string path;
    std::string file_type;  // regular, socket, pipe, other
    uint64_t reads = 0, writes = 0, read_bytes = 0, write_bytes = 0;
};

using FileSnapshot = std::map<FileKey, FileCounters>;

struct FileIoRow {
    uint32_t pid = 0;
    std::string comm, path, file_type;
    uint64_t reads = 0, writes = 0, read_bytes = 0, write_bytes = 0;
};

// What happened between two snapshots, sorted by bytes (read + written), cut to top
// (0: all). Files with no I/O in the interval are left out.
std::vector<FileIoRow> file_io_rows(const FileSnapshot& previous, const FileSnapshot& current, size_t top);

// "socket:[123]" / "pipe:[123]" for files without a name, like /proc/<pid>/fd shows them.
std::string anonymous_file_name(const std::string& file_type, uint64_t ino);

}  // namespace kscope
