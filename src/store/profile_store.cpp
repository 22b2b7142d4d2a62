#include "store/profile_store.h"

#include <fmt/format.h>

#include "store/sqlite_db.h"

namespace kscope {
namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS profile_samples (
    minute INTEGER NOT NULL,
    pid INTEGER NOT NULL,
    comm TEXT NOT NULL,
    container_id TEXT NOT NULL,
    stack TEXT NOT NULL,
    count INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS profile_samples_minute ON profile_samples(minute);
)";

constexpr const char* kName = "profile store";

}  // namespace

Result<std::unique_ptr<ProfileStore>> ProfileStore::open(const std::string& dir, bool read_only) {
    auto db = open_events_db(dir, read_only, kSchema);
    if (!db)
        return db.error();
    return std::unique_ptr<ProfileStore>(new ProfileStore(*db));
}

ProfileStore::~ProfileStore() { sqlite3_close(db_); }

Result<void> ProfileStore::append(const std::vector<ProfileRow>& rows) {
    if (rows.empty())
        return {};
    if (auto r = exec_sql(db_, kName, "BEGIN"); !r)
        return r;
    {
        Statement st(db_, "INSERT INTO profile_samples(minute, pid, comm, container_id, stack, count) "
                          "VALUES (?, ?, ?, ?, ?, ?)");
        if (!st.ok()) {
            Error e = sqlite_error(db_, kName, "insert");
            (void)exec_sql(db_, kName, "ROLLBACK");
            return e;
        }
        for (const auto& r : rows) {
            sqlite3_bind_int64(st.get(), 1, int64_t(r.minute_ns));
            sqlite3_bind_int64(st.get(), 2, r.pid);
            sqlite3_bind_text(st.get(), 3, r.comm.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st.get(), 4, r.container_id.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st.get(), 5, r.stack.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(st.get(), 6, int64_t(r.count));
            if (sqlite3_step(st.get()) != SQLITE_DONE) {
                Error e = sqlite_error(db_, kName, "insert");
                sqlite3_reset(st.get());
                (void)exec_sql(db_, kName, "ROLLBACK");
                return e;
            }
            sqlite3_reset(st.get());
        }
    }
    return exec_sql(db_, kName, "COMMIT");
}

Result<std::vector<ProfileRow>> ProfileStore::query(const ProfileQuery& q) const {
    std::string sql = "SELECT pid, comm, container_id, stack, SUM(count) FROM profile_samples WHERE 1";
    if (q.since_ns) sql += " AND minute + 60000000000 > ?1";  // the minute holding `since` too
    if (q.until_ns) sql += " AND minute <= ?2";
    if (q.pid) sql += " AND pid = ?3";
    if (q.comm) sql += " AND comm = ?4";
    if (q.container_id) sql += " AND container_id = ?5";
    sql += " GROUP BY pid, comm, container_id, stack";
    Statement st(db_, sql);
    if (!st.ok())
        return sqlite_error(db_, kName, "query");
    if (q.since_ns) sqlite3_bind_int64(st.get(), 1, int64_t(*q.since_ns));
    if (q.until_ns) sqlite3_bind_int64(st.get(), 2, int64_t(*q.until_ns));
    if (q.pid) sqlite3_bind_int64(st.get(), 3, *q.pid);
    if (q.comm) sqlite3_bind_text(st.get(), 4, q.comm->c_str(), -1, SQLITE_TRANSIENT);
    if (q.container_id) sqlite3_bind_text(st.get(), 5, q.container_id->c_str(), -1, SQLITE_TRANSIENT);
    std::vector<ProfileRow> out;
    int rc;
    while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
        ProfileRow r;
        r.pid = uint32_t(sqlite3_column_int64(st.get(), 0));
        r.comm = reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 1));
        r.container_id = reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 2));
        r.stack = reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 3));
        r.count = uint64_t(sqlite3_column_int64(st.get(), 4));
        out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE)
        return sqlite_error(db_, kName, "query");
    return out;
}

Result<uint64_t> ProfileStore::enforce(uint64_t max_age_s, uint64_t now_ns) {
    const uint64_t cutoff = now_ns - std::min<uint64_t>(now_ns, max_age_s * 1'000'000'000ull);
    Statement st(db_, "DELETE FROM profile_samples WHERE minute < ?");
    if (!st.ok())
        return sqlite_error(db_, kName, "retention");
    sqlite3_bind_int64(st.get(), 1, int64_t(cutoff));
    if (sqlite3_step(st.get()) != SQLITE_DONE)
        return sqlite_error(db_, kName, "retention");
    return uint64_t(sqlite3_changes(db_));
}

}  // namespace kscope
