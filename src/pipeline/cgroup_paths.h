// cgroup v2 id -> path, by walking the cgroup2 mount (a cgroup's id is its directory's
// inode number). Cached; a miss rescans at most once per second.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "util/result.h"

namespace kscope {

// Where cgroup2 is mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid hosts).
std::optional<std::string> cgroup2_mount_point();

class CgroupPaths {
public:
    explicit CgroupPaths(std::string mount_point);

    // Path relative to the cgroup2 root ("/system.slice/foo.service"), if known. pid, when
    // given, is a process believed to be in that cgroup: its /proc entry is asked first,
    // which finds a cgroup made a moment ago without walking the tree.
    std::optional<std::string> path_of(uint64_t cgroup_id, uint32_t pid = 0);

private:
    void rescan();
    std::optional<std::string> from_proc(uint64_t cgroup_id, uint32_t pid);

    std::string root_;
    std::unordered_map<uint64_t, std::string> paths_;
    std::chrono::steady_clock::time_point last_scan_{};
};

// The id and depth (0 = root) of a cgroup directory, for the --cgroup filter. Accepts an
// absolute path under the cgroup2 mount or a path relative to its root.
struct CgroupRef {
    uint64_t id = 0;
    uint32_t level = 0;
    std::string path;
};
Result<CgroupRef> resolve_cgroup(const std::string& path);

}  // namespace kscope
