#include "profile/unwind_loader.h"

#include <bpf/bpf.h>
#include <fmt/format.h>
#include <gelf.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "kscope/abi/profile.h"
#include "profile/proc_maps.h"
#include "profile/unwind_table.h"

namespace kscope {
namespace {

// PT_LOAD segments as (file offset, vaddr - offset) and (file offset, file size).
bool read_segments(const std::string& path, std::vector<std::pair<uint64_t, uint64_t>>& delta,
                   std::vector<std::pair<uint64_t, uint64_t>>& extents) {
    elf_version(EV_CURRENT);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
    size_t n = 0;
    if (elf && elf_getphdrnum(elf, &n) == 0)
        for (size_t i = 0; i < n; i++) {
            GElf_Phdr ph;
            if (gelf_getphdr(elf, int(i), &ph) && ph.p_type == PT_LOAD) {
                delta.emplace_back(ph.p_offset, ph.p_vaddr - ph.p_offset);
                extents.emplace_back(ph.p_offset, ph.p_filesz);
            }
        }
    if (elf)
        elf_end(elf);
    ::close(fd);
    return !delta.empty();
}

}  // namespace

UnwindLoader::UnwindLoader(int rows_fd, uint32_t capacity, int mappings_fd, std::string proc_root)
    : rows_fd_(rows_fd), mappings_fd_(mappings_fd), capacity_(capacity), proc_root_(std::move(proc_root)) {
    stats_.rows_capacity = capacity;
}

UnwindLoader::~UnwindLoader() {
    if (rows_)
        munmap(rows_, rows_bytes_);
}

Result<void> UnwindLoader::map_rows() {
    const size_t page = size_t(sysconf(_SC_PAGESIZE));
    rows_bytes_ = (size_t(capacity_) * sizeof(kscope_unwind_row) + page - 1) / page * page;
    void* p = mmap(nullptr, rows_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, rows_fd_, 0);
    if (p == MAP_FAILED)
        return errno_error("profile: cannot map the unwind rows", errno);
    rows_ = p;
    return {};
}

const UnwindLoader::FileTable& UnwindLoader::table_for(uint32_t pid, const Mapping& m) {
    auto key = std::make_pair(m.dev, m.inode);
    if (auto it = files_.find(key); it != files_.end())
        return it->second;
    FileTable& t = files_[key];
    // The mapped file itself, even if it was replaced or deleted on disk since.
    const std::string path = fmt::format("{}/{}/map_files/{:x}-{:x}", proc_root_, pid, m.start, m.end);
    auto table = build_unwind_table(path);
    if (!table || !read_segments(path, t.segments, t.extents)) {
        stats_.files_without_table++;
        return t;
    }
    auto rows = unwind_rows(*table);
    if (rows.size() > capacity_ - stats_.rows_used) {
        stats_.files_over_capacity++;
        return t;
    }
    t.row_begin = static_cast<uint32_t>(stats_.rows_used);
    t.row_count = static_cast<uint32_t>(rows.size());
    t.base = table->base;
    std::memcpy(static_cast<kscope_unwind_row*>(rows_) + t.row_begin, rows.data(),
                rows.size() * sizeof(kscope_unwind_row));
    stats_.rows_used += rows.size();
    stats_.files++;
    return t;
}

Result<void> UnwindLoader::load_process(uint32_t pid) {
    if (!rows_)
        return Error{"profile: unwind rows are not mapped"};
    auto maps = read_proc_maps(pid, proc_root_);
    if (!maps)
        return maps.error();
    kscope_proc_mappings value{};
    for (const Mapping& m : maps->mappings) {
        if (value.count >= KSCOPE_PROFILE_MAX_MAPPINGS)
            break;
        kscope_exec_mapping& out = value.m[value.count];
        out.start = m.start;
        out.end = m.end;
        // Anonymous code (JIT) and [vdso]: no table, the kernel walks frame pointers.
        if (m.inode != 0 && !m.path.empty() && m.path[0] != '[') {
            const FileTable& t = table_for(pid, m);
            // The segment holding the mapping's file offset gives the pc -> vaddr shift.
            for (size_t i = 0; i < t.extents.size() && t.row_count; i++) {
                const auto [offset, size] = t.extents[i];
                if (m.file_offset >= offset && m.file_offset < offset + std::max<uint64_t>(size, 1)) {
                    const uint64_t bias = m.start - m.file_offset - t.segments[i].second;  // pc - vaddr
                    out.table_adjust = bias + t.base;
                    out.row_begin = t.row_begin;
                    out.row_count = t.row_count;
                    break;
                }
            }
        }
        value.count++;
    }
    if (bpf_map_update_elem(mappings_fd_, &pid, &value, BPF_ANY))
        return errno_error(fmt::format("profile: storing the mappings of pid {}", pid), errno);
    processes_[pid] = std::move(*maps);
    stats_.processes++;
    return {};
}

}  // namespace kscope
