// Feeds the profile probe's kernel-side stack walker: each executable file's unwind
// table goes once into the shared row array (written through mmap), and each process
// gets its list of executable mappings pointing into it. Processes are loaded when the
// kernel asks (it meets a process or a pc it has no mapping for) or up front (-p).
// The mappings read are kept, so stacks of processes that have exited can be named.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "profile/stack_sample.h"
#include "util/result.h"

namespace kscope {

struct UnwindLoaderStats {
    uint64_t processes = 0;         // process mapping lists written
    uint64_t files = 0;             // files whose table was built
    uint64_t files_without_table = 0;  // not ELF, no .eh_frame, unreadable
    uint64_t files_over_capacity = 0;  // tables that did not fit (walked by frame pointers)
    uint64_t rows_used = 0, rows_capacity = 0;
};

class UnwindLoader {
public:
    // rows_fd: the BPF_F_MMAPABLE array of kscope_unwind_row with capacity entries;
    // mappings_fd: the pid -> kscope_proc_mappings hash.
    UnwindLoader(int rows_fd, uint32_t capacity, int mappings_fd, std::string proc_root = "/proc");
    ~UnwindLoader();
    UnwindLoader(const UnwindLoader&) = delete;
    UnwindLoader& operator=(const UnwindLoader&) = delete;

    Result<void> map_rows();
    // Reads the process's mappings, loads the tables of files not loaded yet and writes
    // its mapping list for the kernel.
    Result<void> load_process(uint32_t pid);
    // Every process loaded so far (also those that have exited since).
    const std::map<uint32_t, ProcessMaps>& processes() const { return processes_; }
    const UnwindLoaderStats& stats() const { return stats_; }

private:
    struct FileTable {
        uint32_t row_begin = 0, row_count = 0;  // row_count 0: no table
        uint64_t base = 0;                       // the table's lowest pc (file vaddr)
        std::vector<std::pair<uint64_t, uint64_t>> segments;  // PT_LOAD (offset, vaddr - offset)
        std::vector<std::pair<uint64_t, uint64_t>> extents;   // PT_LOAD (offset, filesz)
    };
    const FileTable& table_for(uint32_t pid, const Mapping& m);

    int rows_fd_, mappings_fd_;
    uint32_t capacity_;
    std::string proc_root_;
    void* rows_ = nullptr;
    size_t rows_bytes_ = 0;
    std::map<std::pair<uint64_t, uint64_t>, FileTable> files_;  // by (dev, inode)
    std::map<uint32_t, ProcessMaps> processes_;
    UnwindLoaderStats stats_;
};

}  // namespace kscope
