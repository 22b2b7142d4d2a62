// Learned baselines in the agent's data directory (baselines.db, beside the events): one
// row per workload (first seen, learning until) and one per item. The agent writes what
// it learns; `kscope baseline reset|lock` change the rows from another process, and the
// agent sees that (SQLite's data_version: a file of their own, so the event store's
// commits do not count) and reloads.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "anomaly/baselines.h"
#include "util/result.h"

namespace kscope {

class BaselineStore {
public:
    // <dir>/baselines.db; the tables are created if missing.
    static Result<std::unique_ptr<BaselineStore>> open(const std::string& dir, bool read_only = false);
    ~BaselineStore();
    BaselineStore(const BaselineStore&) = delete;
    BaselineStore& operator=(const BaselineStore&) = delete;

    // One transaction. Items of a workload that is no longer stored (reset meanwhile)
    // are not written.
    Result<void> apply(const std::vector<anomaly::BaselineChange>& changes);
    // Every workload, or the one named.
    Result<std::map<std::string, anomaly::WorkloadBaseline>> load(const std::optional<std::string>& workload = {}) const;
    // Whether another connection committed since the last call (the first call: false).
    Result<bool> changed_elsewhere();
    // Ends learning now for the workload (every one when none is named); how many changed.
    Result<uint64_t> lock(const std::optional<std::string>& workload, uint64_t now_ns);
    // Forgets the workload (every one): it learns again from its next event.
    Result<uint64_t> reset(const std::optional<std::string>& workload);

private:
    explicit BaselineStore(sqlite3* db) : db_(db) {}
    sqlite3* db_;
    std::optional<int64_t> data_version_;
};

}  // namespace kscope
