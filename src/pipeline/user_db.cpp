#include "pipeline/user_db.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <vector>

namespace kscope {

namespace {

std::vector<std::string> split_colons(const std::string& line) {
    std::vector<std::string> out;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, ':')) out.push_back(field);
    if (!line.empty() && line.back() == ':') out.emplace_back();
    return out;
}

bool changed(const std::string& path, timespec& seen) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) return false;
    if (st.st_mtim.tv_sec == seen.tv_sec && st.st_mtim.tv_nsec == seen.tv_nsec) return false;
    seen = st.st_mtim;
    return true;
}

}  // namespace

UserDb::UserDb(std::string root, std::chrono::milliseconds recheck) : root_(std::move(root)), recheck_(recheck) {}

void UserDb::refresh() {
    auto now = std::chrono::steady_clock::now();
    if (checked_ != std::chrono::steady_clock::time_point{} && now - checked_ < recheck_) return;
    checked_ = now;
    if (const std::string path = root_ + "/etc/passwd"; changed(path, passwd_mtime_)) {
        users_.clear();
        std::ifstream in(path);
        for (std::string line; std::getline(in, line);) {
            auto f = split_colons(line);  // name:x:uid:gid:gecos:home:shell
            if (f.size() < 7 || f[0].empty() || f[0][0] == '#') continue;
            users_.try_emplace(static_cast<uint32_t>(std::strtoul(f[2].c_str(), nullptr, 10)),
                               UserEntry{f[0], f[5], f[6]});
        }
    }
    if (const std::string path = root_ + "/etc/group"; changed(path, group_mtime_)) {
        groups_.clear();
        std::ifstream in(path);
        for (std::string line; std::getline(in, line);) {
            auto f = split_colons(line);  // name:x:gid:members
            if (f.size() < 3 || f[0].empty() || f[0][0] == '#') continue;
            groups_.try_emplace(static_cast<uint32_t>(std::strtoul(f[2].c_str(), nullptr, 10)), f[0]);
        }
    }
}

const UserEntry* UserDb::user(uint32_t uid) {
    refresh();
    auto it = users_.find(uid);
    return it == users_.end() ? nullptr : &it->second;
}

const std::string* UserDb::group(uint32_t gid) {
    refresh();
    auto it = groups_.find(gid);
    return it == groups_.end() ? nullptr : &it->second;
}

}  // namespace kscope
