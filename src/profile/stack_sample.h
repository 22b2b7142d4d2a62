// What the profiler's kernel side hands to user space: counted stacks of raw addresses,
// and what is needed to name them (each process's executable mappings).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kscope {

// One executable mapping of a process, as /proc/PID/maps shows it.
struct Mapping {
    uint64_t start = 0, end = 0;  // virtual address range [start, end)
    uint64_t file_offset = 0;     // offset in the file of `start`
    uint64_t dev = 0, inode = 0;  // identity of the file
    std::string path;             // "" for anonymous; "[vdso]" and the like kept as shown
};

// A process's executable mappings, sorted by start; kept after the process exits so its
// stacks can still be named.
struct ProcessMaps {
    uint32_t pid = 0;
    std::string comm;
    std::vector<Mapping> mappings;
    // The mapping holding addr, or nullptr.
    const Mapping* find(uint64_t addr) const;
};

// One unique stack with how often it was seen. Frames are leaf first. User frames are
// return addresses except the leaf (an exact pc): symbolization looks up addr - 1 for
// every frame but the first, so a call at the end of a function is named correctly.
struct StackSample {
    uint32_t pid = 0;  // thread-group id; 0 for the kernel's idle/kthreads without user stack
    uint32_t tid = 0;
    std::string comm;
    std::vector<uint64_t> user;    // leaf first
    std::vector<uint64_t> kernel;  // leaf first
    uint64_t count = 0;            // samples (profile) or microseconds (offcpu)
};

}  // namespace kscope
