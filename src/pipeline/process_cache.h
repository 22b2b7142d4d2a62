// pid -> what we know of the process. Seeded from /proc at start, kept current from exec
// and exit events, bounded: the least recently used entry goes first.
#pragma once

#include <cstdint>
#include <climits>
#include <functional>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace kscope {

struct ProcessInfo {
    uint32_t pid = 0;
    uint32_t ppid = 0;
    uint32_t uid = 0;
    std::string comm;
    std::string exe;
    std::vector<std::string> argv;
    uint64_t start_boot_ns = 0;  // CLOCK_BOOTTIME at process start
    std::string cgroup_path;     // cgroup v2 path
    std::string container_id;
    // Security context (from the exec event, or /proc for processes seen at start).
    uint32_t gid = 0;
    uint32_t tty = 0;                  // controlling tty's device number, 0: none
    uint32_t loginuid = UINT32_MAX;    // UINT32_MAX: unset
    uint64_t exe_inode = 0;
    bool exe_memfd = false;
    bool exe_deleted = false;
    std::string cwd;
    std::string stdin_type, stdout_type, stderr_type;  // as ExecEvent's; "" unknown
};

class ProcessCache {
public:
    explicit ProcessCache(size_t capacity = 32768);

    void upsert(ProcessInfo info);
    // Applied to every command line the table keeps (secrets redacted), from events and /proc.
    void set_argv_filter(std::function<void(std::vector<std::string>&)> f) { argv_filter_ = std::move(f); }
    void erase(uint32_t pid);
    // Looks up and marks as recently used.
    const ProcessInfo* find(uint32_t pid);
    size_t size() const { return map_.size(); }
    size_t capacity() const { return capacity_; }

    // Reads every process under proc_root (normally /proc); returns how many were added.
    size_t seed_from_proc(const std::string& proc_root = "/proc");

private:
    using List = std::list<ProcessInfo>;
    size_t capacity_;
    List lru_;  // front = most recent
    std::unordered_map<uint32_t, List::iterator> map_;
    std::function<void(std::vector<std::string>&)> argv_filter_;
};

// One process from /proc/<pid>; nullopt when it is gone or unreadable.
std::optional<ProcessInfo> read_proc_process(const std::string& proc_root, uint32_t pid);

}  // namespace kscope
