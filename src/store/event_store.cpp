#include "store/event_store.h"

#include <sys/stat.h>

#include <cerrno>
#include <filesystem>

#include <fmt/format.h>

#include "store/sqlite_db.h"

namespace kscope {
namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    type TEXT NOT NULL,
    pid INTEGER NOT NULL,
    comm TEXT NOT NULL,
    container_id TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_ts ON events(ts);
CREATE INDEX IF NOT EXISTS events_type_ts ON events(type, ts);
CREATE INDEX IF NOT EXISTS events_pid_ts ON events(pid, ts);
CREATE INDEX IF NOT EXISTS events_container_ts ON events(container_id, ts);
)";

Error sqlite_error(sqlite3* db, const std::string& what) { return kscope::sqlite_error(db, "event store", what); }

// LIKE pattern for a substring, with %, _ and the escape character escaped.
std::string like_pattern(const std::string& text) {
    std::string p = "%";
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\')
            p += '\\';
        p += c;
    }
    return p + "%";
}

}  // namespace

Result<std::unique_ptr<EventStore>> EventStore::open(const std::string& dir, bool read_only) {
    auto db = open_events_db(dir, read_only, kSchema);
    if (!db)
        return db.error();
    return std::unique_ptr<EventStore>(new EventStore(*db));
}

EventStore::~EventStore() { sqlite3_close(db_); }

Result<void> EventStore::exec(const char* sql) const { return exec_sql(db_, "event store", sql); }

Result<void> EventStore::append(const std::vector<StoredEvent>& events) {
    if (events.empty())
        return {};
    if (auto r = exec("BEGIN"); !r)
        return r;
    Statement st(db_, "INSERT INTO events(ts, type, pid, comm, container_id, body) VALUES (?, ?, ?, ?, ?, ?)");
    if (!st.ok()) {
        (void)exec("ROLLBACK");
        return sqlite_error(db_, "preparing insert");
    }
    for (const auto& e : events) {
        sqlite3_stmt* s = st.get();
        sqlite3_bind_int64(s, 1, static_cast<int64_t>(e.ts_ns));
        sqlite3_bind_text(s, 2, e.type.data(), int(e.type.size()), SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, e.pid);
        sqlite3_bind_text(s, 4, e.comm.data(), int(e.comm.size()), SQLITE_STATIC);
        sqlite3_bind_text(s, 5, e.container_id.data(), int(e.container_id.size()), SQLITE_STATIC);
        sqlite3_bind_text(s, 6, e.json.data(), int(e.json.size()), SQLITE_STATIC);
        if (sqlite3_step(s) != SQLITE_DONE) {
            Error err = sqlite_error(db_, "inserting events");
            (void)exec("ROLLBACK");
            return err;
        }
        sqlite3_reset(s);
    }
    return exec("COMMIT");
}

Result<std::vector<std::string>> EventStore::query(const EventQuery& q) const {
    std::string where;
    auto clause = [&](const char* c) { where += where.empty() ? " WHERE " : " AND "; where += c; };
    if (q.type) clause("type = ?");
    if (q.since_ns) clause("ts >= ?");
    if (q.until_ns) clause("ts <= ?");
    if (q.pid) clause("pid = ?");
    if (q.comm) clause("comm = ?");
    if (q.container_id) clause("container_id = ?");
    if (q.text) clause("body LIKE ? ESCAPE '\\'");
    if (q.rule) clause("json_extract(body, '$.rule') = ?");
    if (q.priority) clause("lower(json_extract(body, '$.priority')) = lower(?)");
    const std::string sql = "SELECT body FROM (SELECT id, ts, body FROM events" + where +
                            " ORDER BY ts DESC, id DESC LIMIT ?) ORDER BY ts, id";
    Statement st(db_, sql);
    if (!st.ok())
        return sqlite_error(db_, "preparing query");
    sqlite3_stmt* s = st.get();
    int i = 1;
    const std::string pattern = q.text ? like_pattern(*q.text) : "";
    if (q.type) sqlite3_bind_text(s, i++, q.type->c_str(), -1, SQLITE_TRANSIENT);
    if (q.since_ns) sqlite3_bind_int64(s, i++, static_cast<int64_t>(*q.since_ns));
    if (q.until_ns) sqlite3_bind_int64(s, i++, static_cast<int64_t>(*q.until_ns));
    if (q.pid) sqlite3_bind_int64(s, i++, *q.pid);
    if (q.comm) sqlite3_bind_text(s, i++, q.comm->c_str(), -1, SQLITE_TRANSIENT);
    if (q.container_id) sqlite3_bind_text(s, i++, q.container_id->c_str(), -1, SQLITE_TRANSIENT);
    if (q.text) sqlite3_bind_text(s, i++, pattern.c_str(), -1, SQLITE_TRANSIENT);
    if (q.rule) sqlite3_bind_text(s, i++, q.rule->c_str(), -1, SQLITE_TRANSIENT);
    if (q.priority) sqlite3_bind_text(s, i++, q.priority->c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, i++, static_cast<int64_t>(q.limit));
    std::vector<std::string> out;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)), sqlite3_column_bytes(s, 0));
    if (rc != SQLITE_DONE)
        return sqlite_error(db_, "querying events");
    return out;
}

Result<uint64_t> EventStore::count() const {
    Statement st(db_, "SELECT count(*) FROM events");
    if (!st.ok() || sqlite3_step(st.get()) != SQLITE_ROW)
        return sqlite_error(db_, "counting events");
    return static_cast<uint64_t>(sqlite3_column_int64(st.get(), 0));
}

Result<uint64_t> EventStore::size_bytes() const {
    Statement st(db_, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()");
    if (!st.ok() || sqlite3_step(st.get()) != SQLITE_ROW)
        return sqlite_error(db_, "measuring the database");
    return static_cast<uint64_t>(sqlite3_column_int64(st.get(), 0));
}

Result<uint64_t> EventStore::enforce(const RetentionPolicy& policy, uint64_t now_ns) {
    uint64_t removed = 0;
    const uint64_t cutoff = now_ns > policy.max_age_s * 1'000'000'000ull ? now_ns - policy.max_age_s * 1'000'000'000ull : 0;
    {
        Statement st(db_, "DELETE FROM events WHERE ts < ?");
        if (!st.ok())
            return sqlite_error(db_, "preparing retention");
        sqlite3_bind_int64(st.get(), 1, static_cast<int64_t>(cutoff));
        if (sqlite3_step(st.get()) != SQLITE_DONE)
            return sqlite_error(db_, "deleting old events");
        removed += sqlite3_changes(db_);
    }
    // Over the size limit: drop the oldest tenth of the rows at a time until the rest fits
    // (every round removes at least one row, so this ends). Freed pages are reused by
    // later inserts, so the file stops growing instead of shrinking.
    for (;;) {
        auto size = size_bytes();
        auto rows = count();
        if (!size || !rows)
            return size ? rows.error() : size.error();
        Statement free_pages(db_, "SELECT freelist_count * page_size FROM pragma_freelist_count(), pragma_page_size()");
        uint64_t free_bytes = 0;
        if (free_pages.ok() && sqlite3_step(free_pages.get()) == SQLITE_ROW)
            free_bytes = static_cast<uint64_t>(sqlite3_column_int64(free_pages.get(), 0));
        if (*size - free_bytes <= policy.max_bytes || *rows == 0)
            break;
        Statement st(db_, "DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY ts LIMIT ?)");
        sqlite3_bind_int64(st.get(), 1, static_cast<int64_t>(std::max<uint64_t>(*rows / 10, 1)));
        if (sqlite3_step(st.get()) != SQLITE_DONE)
            return sqlite_error(db_, "deleting the oldest events");
        removed += sqlite3_changes(db_);
    }
    return removed;
}

}  // namespace kscope
