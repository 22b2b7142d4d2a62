#include "exporters/spool.h"

#include <filesystem>

#include <fmt/format.h>

namespace kscope {
namespace {

Error spool_error(sqlite3* db, const std::string& what) {
    return Error{fmt::format("spool: {}: {}", what, sqlite3_errmsg(db))};
}

struct Stmt {
    Stmt(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &s, nullptr); }
    ~Stmt() { sqlite3_finalize(s); }
    sqlite3_stmt* s = nullptr;
};

}  // namespace

Result<std::unique_ptr<Spool>> Spool::open(const std::string& path, uint64_t max_bytes) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
        SQLITE_OK) {
        Error e = spool_error(db, "opening " + path);
        sqlite3_close(db);
        return e;
    }
    std::unique_ptr<Spool> spool(new Spool(db, max_bytes));
    if (sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     "CREATE TABLE IF NOT EXISTS records (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL,"
                     " msg_id TEXT NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL);"
                     "CREATE INDEX IF NOT EXISTS records_seq ON records(seq)",
                     nullptr, nullptr, nullptr) != SQLITE_OK)
        return spool_error(db, "creating " + path);
    Stmt st(db, "SELECT count(*), coalesce(sum(length(body)), 0) FROM records");
    if (sqlite3_step(st.s) == SQLITE_ROW) {
        spool->count_ = sqlite3_column_int64(st.s, 0);
        spool->bytes_ = sqlite3_column_int64(st.s, 1);
    }
    return spool;
}

Spool::~Spool() { sqlite3_close(db_); }

Result<size_t> Spool::append(const std::vector<OutRecord>& records) {
    if (sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK)
        return spool_error(db_, "begin");
    Stmt st(db_, "INSERT INTO records(seq, msg_id, type, body) VALUES (?, ?, ?, ?)");
    size_t n = 0;
    uint64_t added = 0;
    for (const auto& r : records) {
        if (bytes_ + added + r.body.size() > max_bytes_)
            break;
        sqlite3_bind_int64(st.s, 1, static_cast<int64_t>(r.seq));
        sqlite3_bind_text(st.s, 2, r.msg_id.data(), int(r.msg_id.size()), SQLITE_STATIC);
        sqlite3_bind_text(st.s, 3, r.type.data(), int(r.type.size()), SQLITE_STATIC);
        sqlite3_bind_text(st.s, 4, r.body.data(), int(r.body.size()), SQLITE_STATIC);
        if (sqlite3_step(st.s) != SQLITE_DONE) {
            Error e = spool_error(db_, "append");
            sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
            return e;
        }
        sqlite3_reset(st.s);
        added += r.body.size();
        n++;
    }
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
        return spool_error(db_, "commit");
    bytes_ += added;
    count_ += n;
    return n;
}

Result<std::vector<std::pair<int64_t, OutRecord>>> Spool::peek(size_t n) const {
    Stmt st(db_, "SELECT id, seq, msg_id, type, body FROM records ORDER BY seq LIMIT ?");
    sqlite3_bind_int64(st.s, 1, static_cast<int64_t>(n));
    std::vector<std::pair<int64_t, OutRecord>> out;
    auto text = [&](int col) {
        return std::string(reinterpret_cast<const char*>(sqlite3_column_text(st.s, col)), sqlite3_column_bytes(st.s, col));
    };
    int rc;
    while ((rc = sqlite3_step(st.s)) == SQLITE_ROW)
        out.emplace_back(sqlite3_column_int64(st.s, 0),
                         OutRecord{static_cast<uint64_t>(sqlite3_column_int64(st.s, 1)), text(2), text(3), text(4)});
    if (rc != SQLITE_DONE)
        return spool_error(db_, "peek");
    return out;
}

Result<void> Spool::ack(const std::vector<int64_t>& ids) {
    if (ids.empty())
        return {};
    if (sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK)
        return spool_error(db_, "begin");
    Stmt size(db_, "SELECT length(body) FROM records WHERE id = ?");
    Stmt del(db_, "DELETE FROM records WHERE id = ?");
    uint64_t n = 0, b = 0;
    for (int64_t id : ids) {
        sqlite3_bind_int64(size.s, 1, id);
        if (sqlite3_step(size.s) == SQLITE_ROW) {
            b += sqlite3_column_int64(size.s, 0);
            n++;
        }
        sqlite3_reset(size.s);
        sqlite3_bind_int64(del.s, 1, id);
        if (sqlite3_step(del.s) != SQLITE_DONE) {
            Error e = spool_error(db_, "ack");
            sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
            return e;
        }
        sqlite3_reset(del.s);
    }
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
        return spool_error(db_, "commit");
    count_ -= std::min(count_, n);
    bytes_ -= std::min(bytes_, b);
    return {};
}

uint64_t Spool::max_seq() const {
    Stmt st(db_, "SELECT coalesce(max(seq), 0) FROM records");
    return sqlite3_step(st.s) == SQLITE_ROW ? static_cast<uint64_t>(sqlite3_column_int64(st.s, 0)) : 0;
}

}  // namespace kscope
