// Continuous-profiling data in the agent's store (the events database, its own table):
// per minute, per process, the count of each stack, folded ("f1;f2;...;leaf", kernel
// frames suffixed _[k]). Retention follows the events' maximum age.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/result.h"

namespace kscope {

struct ProfileRow {
    uint64_t minute_ns = 0;  // start of the minute, ns since the epoch
    uint32_t pid = 0;
    std::string comm;
    std::string container_id;
    std::string stack;  // folded frames, root first, without the comm
    uint64_t count = 0;
};

struct ProfileQuery {
    std::optional<uint64_t> since_ns, until_ns;  // minutes that start in [since, until]
    std::optional<uint32_t> pid;
    std::optional<std::string> comm, container_id;
};

class ProfileStore {
public:
    // <dir>/events.db, shared with the event store; the table is created if missing.
    static Result<std::unique_ptr<ProfileStore>> open(const std::string& dir, bool read_only = false);
    ~ProfileStore();
    ProfileStore(const ProfileStore&) = delete;
    ProfileStore& operator=(const ProfileStore&) = delete;

    // One transaction: every row or none.
    Result<void> append(const std::vector<ProfileRow>& rows);
    // The matching rows, counts summed over minutes per (pid, comm, container, stack).
    Result<std::vector<ProfileRow>> query(const ProfileQuery& q) const;
    // Deletes minutes older than max_age; returns the rows removed.
    Result<uint64_t> enforce(uint64_t max_age_s, uint64_t now_ns);

private:
    explicit ProfileStore(sqlite3* db) : db_(db) {}
    sqlite3* db_;
};

}  // namespace kscope
