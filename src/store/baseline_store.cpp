#include "store/baseline_store.h"

#include "store/sqlite_db.h"

namespace kscope {
namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS baseline_workloads (
    workload TEXT PRIMARY KEY,
    first_seen_ns INTEGER NOT NULL,
    learn_until_ns INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS baseline_items (
    workload TEXT NOT NULL,
    kind TEXT NOT NULL,
    item TEXT NOT NULL,
    first_seen_ns INTEGER NOT NULL,
    learned INTEGER NOT NULL,
    PRIMARY KEY (workload, kind, item)
);
)";

constexpr const char* kName = "baseline store";

std::string text(sqlite3_stmt* st, int col) {
    const auto* p = sqlite3_column_text(st, col);
    return p ? reinterpret_cast<const char*>(p) : "";
}

void bind_workload(sqlite3_stmt* st, int index, const std::optional<std::string>& workload) {
    if (workload)
        sqlite3_bind_text(st, index, workload->c_str(), -1, SQLITE_TRANSIENT);
}

}  // namespace

Result<std::unique_ptr<BaselineStore>> BaselineStore::open(const std::string& dir, bool read_only) {
    auto db = open_events_db(dir, read_only, kSchema, "baselines.db", kName);
    if (!db)
        return db.error();
    return std::unique_ptr<BaselineStore>(new BaselineStore(*db));
}

BaselineStore::~BaselineStore() { sqlite3_close(db_); }

Result<void> BaselineStore::apply(const std::vector<anomaly::BaselineChange>& changes) {
    if (changes.empty())
        return {};
    if (auto r = exec_sql(db_, kName, "BEGIN"); !r)
        return r;
    Statement workload(db_, "INSERT OR IGNORE INTO baseline_workloads(workload, first_seen_ns, learn_until_ns) "
                            "VALUES (?, ?, ?)");
    Statement item(db_, "INSERT OR IGNORE INTO baseline_items(workload, kind, item, first_seen_ns, learned) "
                        "SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS "
                        "(SELECT 1 FROM baseline_workloads WHERE workload = ?1)");
    Statement forget_items(db_, "DELETE FROM baseline_items WHERE workload = ?");
    Statement forget_workload(db_, "DELETE FROM baseline_workloads WHERE workload = ?");
    auto fail = [&](const char* what) {
        Error e = sqlite_error(db_, kName, what);
        (void)exec_sql(db_, kName, "ROLLBACK");
        return e;
    };
    if (!workload.ok() || !item.ok() || !forget_items.ok() || !forget_workload.ok())
        return fail("prepare");
    for (const auto& c : changes) {
        if (c.forget) {
            for (sqlite3_stmt* st : {forget_items.get(), forget_workload.get()}) {
                sqlite3_bind_text(st, 1, c.workload.c_str(), -1, SQLITE_TRANSIENT);
                const int rc = sqlite3_step(st);
                sqlite3_reset(st);
                if (rc != SQLITE_DONE)
                    return fail("forget");
            }
            continue;
        }
        sqlite3_stmt* st = c.new_workload ? workload.get() : item.get();
        sqlite3_bind_text(st, 1, c.workload.c_str(), -1, SQLITE_TRANSIENT);
        if (c.new_workload) {
            sqlite3_bind_int64(st, 2, int64_t(c.value.first_seen_ns));
            sqlite3_bind_int64(st, 3, int64_t(c.learn_until_ns));
        } else {
            const std::string kind(anomaly::kind_name(c.kind));
            sqlite3_bind_text(st, 2, kind.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 3, c.item.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(st, 4, int64_t(c.value.first_seen_ns));
            sqlite3_bind_int(st, 5, c.value.learned ? 1 : 0);
        }
        const int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return fail("write");
    }
    if (auto r = exec_sql(db_, kName, "COMMIT"); !r) {
        if (!sqlite3_get_autocommit(db_))  // still open: the next BEGIN would fail for good
            (void)exec_sql(db_, kName, "ROLLBACK");
        return r;
    }
    return {};
}

Result<std::map<std::string, anomaly::WorkloadBaseline>> BaselineStore::load(
    const std::optional<std::string>& workload) const {
    std::map<std::string, anomaly::WorkloadBaseline> out;
    const char* where = workload ? " WHERE workload = ?1" : "";
    Statement w(db_, std::string("SELECT workload, first_seen_ns, learn_until_ns FROM baseline_workloads") + where);
    if (!w.ok())
        return sqlite_error(db_, kName, "load");
    bind_workload(w.get(), 1, workload);
    int rc;
    while ((rc = sqlite3_step(w.get())) == SQLITE_ROW) {
        auto& b = out[text(w.get(), 0)];
        b.first_seen_ns = uint64_t(sqlite3_column_int64(w.get(), 1));
        b.learn_until_ns = uint64_t(sqlite3_column_int64(w.get(), 2));
    }
    if (rc != SQLITE_DONE)
        return sqlite_error(db_, kName, "load");
    Statement i(db_, std::string("SELECT workload, kind, item, first_seen_ns, learned FROM baseline_items") + where);
    if (!i.ok())
        return sqlite_error(db_, kName, "load");
    bind_workload(i.get(), 1, workload);
    while ((rc = sqlite3_step(i.get())) == SQLITE_ROW) {
        auto b = out.find(text(i.get(), 0));
        auto kind = anomaly::kind_from_name(text(i.get(), 1));
        if (b == out.end() || !kind)
            continue;  // an orphan row, or a kind a newer kscope wrote
        b->second.items[static_cast<size_t>(*kind)][text(i.get(), 2)] =
            anomaly::BaselineItem{uint64_t(sqlite3_column_int64(i.get(), 3)), sqlite3_column_int(i.get(), 4) != 0};
    }
    if (rc != SQLITE_DONE)
        return sqlite_error(db_, kName, "load");
    for (auto& [_, b] : out)
        b.recount();
    return out;
}

Result<bool> BaselineStore::changed_elsewhere() {
    Statement st(db_, "PRAGMA data_version");
    if (!st.ok() || sqlite3_step(st.get()) != SQLITE_ROW)
        return sqlite_error(db_, kName, "data_version");
    const int64_t v = sqlite3_column_int64(st.get(), 0);
    const bool changed = data_version_ && *data_version_ != v;
    data_version_ = v;
    return changed;
}

Result<uint64_t> BaselineStore::lock(const std::optional<std::string>& workload, uint64_t now_ns) {
    Statement st(db_, std::string("UPDATE baseline_workloads SET learn_until_ns = ?2 WHERE learn_until_ns > ?2") +
                          (workload ? " AND workload = ?1" : ""));
    if (!st.ok())
        return sqlite_error(db_, kName, "lock");
    bind_workload(st.get(), 1, workload);
    sqlite3_bind_int64(st.get(), 2, int64_t(now_ns));
    if (sqlite3_step(st.get()) != SQLITE_DONE)
        return sqlite_error(db_, kName, "lock");
    return uint64_t(sqlite3_changes(db_));
}

Result<uint64_t> BaselineStore::reset(const std::optional<std::string>& workload) {
    if (auto r = exec_sql(db_, kName, "BEGIN"); !r)
        return r.error();
    uint64_t removed = 0;
    for (const char* table : {"baseline_items", "baseline_workloads"}) {
        Statement st(db_, std::string("DELETE FROM ") + table + (workload ? " WHERE workload = ?1" : ""));
        if (!st.ok() || (bind_workload(st.get(), 1, workload), sqlite3_step(st.get())) != SQLITE_DONE) {
            Error e = sqlite_error(db_, kName, "reset");
            (void)exec_sql(db_, kName, "ROLLBACK");
            return e;
        }
        if (std::string(table) == "baseline_workloads")
            removed = uint64_t(sqlite3_changes(db_));
    }
    if (auto r = exec_sql(db_, kName, "COMMIT"); !r) {
        if (!sqlite3_get_autocommit(db_))
            (void)exec_sql(db_, kName, "ROLLBACK");
        return r.error();
    }
    return removed;
}

}  // namespace kscope
