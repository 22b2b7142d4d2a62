#include "pipeline/process_cache.h"

#include <sys/stat.h>

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include "pipeline/container_id.h"
#include "util/proc_stat.h"
#include "util/read_file.h"

namespace kscope {

ProcessCache::ProcessCache(size_t capacity) : capacity_(capacity ? capacity : 1) {
    map_.reserve(capacity_);
}

void ProcessCache::upsert(ProcessInfo info) {
    if (argv_filter_)
        argv_filter_(info.argv);
    if (auto it = map_.find(info.pid); it != map_.end()) {
        *it->second = std::move(info);
        lru_.splice(lru_.begin(), lru_, it->second);
        return;
    }
    if (map_.size() >= capacity_) {
        map_.erase(lru_.back().pid);
        lru_.pop_back();
    }
    uint32_t pid = info.pid;
    lru_.push_front(std::move(info));
    map_[pid] = lru_.begin();
}

void ProcessCache::erase(uint32_t pid) {
    if (auto it = map_.find(pid); it != map_.end()) {
        lru_.erase(it->second);
        map_.erase(it);
    }
}

const ProcessInfo* ProcessCache::find(uint32_t pid) {
    auto it = map_.find(pid);
    if (it == map_.end())
        return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second);
    return &*it->second;
}

size_t ProcessCache::seed_from_proc(const std::string& proc_root) {
    DIR* dir = opendir(proc_root.c_str());
    if (!dir)
        return 0;
    size_t added = 0;
    while (dirent* d = readdir(dir)) {
        char* end = nullptr;
        unsigned long pid = std::strtoul(d->d_name, &end, 10);
        if (*end != '\0' || pid == 0)
            continue;
        if (auto info = read_proc_process(proc_root, static_cast<uint32_t>(pid))) {
            upsert(std::move(*info));
            added++;
        }
    }
    closedir(dir);
    return added;
}

namespace {

// "" when the process is gone meanwhile (its files then fail to read).
std::string slurp(const std::string& path) { return read_file(path).value_or(""); }

}  // namespace

std::optional<ProcessInfo> read_proc_process(const std::string& proc_root, uint32_t pid) {
    const std::string base = proc_root + "/" + std::to_string(pid);
    const auto stat = parse_proc_stat(slurp(base + "/stat"));
    if (!stat || stat->fields.size() < 20)  // up to starttime (field 22)
        return std::nullopt;
    ProcessInfo p;
    p.pid = pid;
    p.comm = stat->comm;
    p.ppid = static_cast<uint32_t>(stat->number(4));
    static const long ticks = sysconf(_SC_CLK_TCK);
    p.start_boot_ns = stat->number(22) * (1'000'000'000ULL / ticks);

    p.tty = static_cast<uint32_t>(stat->number(7));  // tty_nr
    std::istringstream status(slurp(base + "/status"));
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("Uid:", 0) == 0)
            p.uid = static_cast<uint32_t>(std::strtoul(line.c_str() + 4, nullptr, 10));
        else if (line.rfind("Gid:", 0) == 0)
            p.gid = static_cast<uint32_t>(std::strtoul(line.c_str() + 4, nullptr, 10));
    }
    if (std::string login = slurp(base + "/loginuid"); !login.empty())
        p.loginuid = static_cast<uint32_t>(std::strtoul(login.c_str(), nullptr, 10));
    char cwd[4096];
    if (ssize_t len = readlink((base + "/cwd").c_str(), cwd, sizeof cwd); len > 0)
        p.cwd.assign(cwd, len);
    struct stat st {};
    if (::stat((base + "/exe").c_str(), &st) == 0)
        p.exe_inode = st.st_ino;
    std::string cmdline = slurp(base + "/cmdline");
    for (size_t pos = 0; pos < cmdline.size();) {
        size_t nul = cmdline.find('\0', pos);
        if (nul == std::string::npos)
            nul = cmdline.size();
        p.argv.push_back(cmdline.substr(pos, nul - pos));
        pos = nul + 1;
    }
    char exe[4096];
    ssize_t n = readlink((base + "/exe").c_str(), exe, sizeof exe);
    if (n > 0)
        p.exe.assign(exe, n);
    // The kernel marks an unlinked executable's path; a memfd's is "/memfd:NAME (deleted)".
    constexpr std::string_view kDeleted = " (deleted)";
    if (p.exe.size() > kDeleted.size() && p.exe.ends_with(kDeleted)) {
        p.exe.resize(p.exe.size() - kDeleted.size());
        p.exe_memfd = p.exe.starts_with("/memfd:");
        p.exe_deleted = !p.exe_memfd;
    }
    // "0::<path>" is cgroup v2; on hybrid hosts a runtime may use only v1 hierarchies,
    // so any hierarchy's path may name the container.
    std::istringstream cg(slurp(base + "/cgroup"));
    std::string v1_container;
    while (std::getline(cg, line)) {
        if (line.rfind("0::", 0) == 0) {
            p.cgroup_path = line.substr(3);
        } else if (v1_container.empty()) {
            size_t colon = line.find(':', line.find(':') + 1);
            if (colon != std::string::npos)
                v1_container = container_id_from_cgroup(line.substr(colon + 1));
        }
    }
    p.container_id = container_id_from_cgroup(p.cgroup_path);
    if (p.container_id.empty())
        p.container_id = v1_container;
    return p;
}

}  // namespace kscope
