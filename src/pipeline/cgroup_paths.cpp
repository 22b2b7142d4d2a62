#include "pipeline/cgroup_paths.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace kscope {
namespace fs = std::filesystem;

std::optional<std::string> cgroup2_mount_point() {
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
        // "... <mount point> <opts> ... - <fstype> <source> <superopts>"
        size_t dash = line.find(" - ");
        if (dash == std::string::npos)
            continue;
        std::istringstream tail(line.substr(dash + 3));
        std::string fstype;
        tail >> fstype;
        if (fstype != "cgroup2")
            continue;
        std::istringstream head(line.substr(0, dash));
        std::string id, parent, devno, root, mount;
        head >> id >> parent >> devno >> root >> mount;
        return mount;
    }
    return std::nullopt;
}

CgroupPaths::CgroupPaths(std::string mount_point) : root_(std::move(mount_point)) {}

std::optional<std::string> CgroupPaths::from_proc(uint64_t cgroup_id, uint32_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("0::", 0) != 0)
            continue;
        std::string path = line.substr(3);
        struct stat st {};
        // The process may have moved since the event: trust the path only if it matches.
        if (::stat((root_ + path).c_str(), &st) == 0 && st.st_ino == cgroup_id) {
            paths_[cgroup_id] = path;
            return path;
        }
    }
    return std::nullopt;
}

std::optional<std::string> CgroupPaths::path_of(uint64_t cgroup_id, uint32_t pid) {
    if (auto it = paths_.find(cgroup_id); it != paths_.end())
        return it->second;
    if (root_.empty())
        return std::nullopt;
    if (pid)
        if (auto path = from_proc(cgroup_id, pid))
            return path;
    auto now = std::chrono::steady_clock::now();
    if (now - last_scan_ < std::chrono::seconds(1))
        return std::nullopt;
    last_scan_ = now;
    rescan();
    if (auto it = paths_.find(cgroup_id); it != paths_.end())
        return it->second;
    return std::nullopt;
}

void CgroupPaths::rescan() {
    std::error_code ec;
    struct stat st {};
    if (::stat(root_.c_str(), &st) == 0)
        paths_[st.st_ino] = "/";
    for (fs::recursive_directory_iterator it(root_, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec)) {
        if (!it->is_directory(ec))
            continue;
        if (::stat(it->path().c_str(), &st) == 0)
            paths_[st.st_ino] = "/" + fs::relative(it->path(), root_, ec).string();
    }
}

Result<CgroupRef> resolve_cgroup(const std::string& path) {
    auto mount = cgroup2_mount_point();
    if (!mount)
        return Error{"filtering by cgroup needs cgroup v2, and no cgroup2 file system is mounted"};
    fs::path full = path;
    if (!path.starts_with(*mount))
        full = fs::path(*mount) / fs::path(path).relative_path();
    struct stat st {};
    if (::stat(full.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return Error{"cgroup " + path + ": no such cgroup (looked for " + full.string() + ")"};
    CgroupRef ref;
    ref.id = st.st_ino;
    ref.path = full.lexically_normal().string();
    fs::path rel = fs::path(ref.path).lexically_relative(*mount);
    for (const auto& part : rel)
        if (!part.empty() && part != ".")
            ref.level++;
    return ref;
}

}  // namespace kscope
