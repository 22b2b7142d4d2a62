// Separate debug files: where a stripped binary's full symbol table may be, searched in
// GDB's order, and the check that a candidate belongs to the binary.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "profile/elf_reader.h"

namespace kscope {

struct DebugLookup {
    std::string opened_path;   // the binary as opened (maybe /proc/PID/root/usr/bin/x)
    std::string mapped_path;   // the binary as the process sees it (/usr/bin/x)
    std::string build_id;      // hex, "" if none
    std::string debuglink;     // .gnu_debuglink name, "" if none
    uint32_t debuglink_crc = 0;
};

// Candidate paths, first to try first: for each debug root,
// <root>/.build-id/xx/rest.debug; then <dir>/<link>, <dir>/.debug/<link> next to the
// opened binary, and <root>/<mapped dir>/<link> for each root.
std::vector<std::string> debug_file_candidates(const DebugLookup& lookup, const std::vector<std::string>& debug_roots);

// The first candidate that is an ELF file matching the binary: same build id when both
// have one, else the debuglink CRC of its contents. nullopt when none does.
std::optional<ElfReader> find_debug_file(const DebugLookup& lookup, const std::vector<std::string>& debug_roots);

// CRC-32 of a file's contents, as .gnu_debuglink records it; nullopt if unreadable.
std::optional<uint32_t> file_crc32(const std::string& path);

}  // namespace kscope
