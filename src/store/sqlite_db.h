// SQLite plumbing shared by the stores in events.db: opening (data directory created,
// WAL, a busy timeout, the schema), statements finalized on scope exit, error text.
#pragma once

#include <sqlite3.h>

#include <string>

#include "util/result.h"

namespace kscope {

// A prepared statement, finalized on scope exit.
class Statement {
public:
    Statement(sqlite3* db, const std::string& sql) { rc_ = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr); }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    bool ok() const { return rc_ == SQLITE_OK; }
    sqlite3_stmt* get() const { return stmt_; }

private:
    sqlite3_stmt* stmt_ = nullptr;
    int rc_;
};

// "<what>: <what SQLite says>", prefixed with the store's name.
Error sqlite_error(sqlite3* db, const std::string& store, const std::string& what);

// Opens <dir>/<file> (events.db unless named). Writers create the directory, switch to WAL
// and apply schema; readers only open an existing file.
Result<sqlite3*> open_events_db(const std::string& dir, bool read_only, const char* schema,
                                const char* file = "events.db", const char* store = "event store");

// Runs SQL without results; errors carry the store's name.
Result<void> exec_sql(sqlite3* db, const std::string& store, const char* sql);

}  // namespace kscope
