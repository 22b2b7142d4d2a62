// uid -> user name, home and shell (/etc/passwd), gid -> group name (/etc/group), read
// directly (no NSS round trips on the event path) and re-read when a file changes,
// checked at most once per `recheck`.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>
#include <unordered_map>

namespace kscope {

struct UserEntry {
    std::string name;
    std::string home;
    std::string shell;
};

class UserDb {
public:
    explicit UserDb(std::string root = "", std::chrono::milliseconds recheck = std::chrono::seconds(2));
    const UserEntry* user(uint32_t uid);
    const std::string* group(uint32_t gid);

private:
    void refresh();
    std::string root_;
    std::chrono::milliseconds recheck_;
    std::chrono::steady_clock::time_point checked_{};
    timespec passwd_mtime_{}, group_mtime_{};
    std::unordered_map<uint32_t, UserEntry> users_;
    std::unordered_map<uint32_t, std::string> groups_;
};

}  // namespace kscope
