#include "store/sqlite_db.h"

#include <filesystem>

#include <fmt/format.h>

namespace kscope {

Error sqlite_error(sqlite3* db, const std::string& store, const std::string& what) {
    return Error{fmt::format("{}: {}: {}", store, what, sqlite3_errmsg(db))};
}

Result<void> exec_sql(sqlite3* db, const std::string& store, const char* sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
        Error e{fmt::format("{}: {}", store, msg ? msg : "unknown error")};
        sqlite3_free(msg);
        return e;
    }
    return {};
}

Result<sqlite3*> open_events_db(const std::string& dir, bool read_only, const char* schema, const char* file,
                                const char* store) {
    const std::string path = dir + "/" + file;
    if (read_only) {
        if (!std::filesystem::exists(path))
            return Error{std::string("no ") + store + " at " + path + " (is the agent's --data-dir elsewhere?)"};
    } else {
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (ec)
            return Error{"cannot create data directory " + dir + ": " + ec.message()};
    }
    sqlite3* db = nullptr;
    const int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                      SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
        Error e = sqlite_error(db, store, "opening " + path);
        sqlite3_close(db);
        return e;
    }
    sqlite3_busy_timeout(db, 5000);
    if (!read_only) {
        // WAL: readers never block the writer. synchronous=NORMAL: a crash loses at most
        // the transactions of the last moment (the agent commits every ~100 ms).
        for (const char* sql : {"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", schema})
            if (auto r = exec_sql(db, store, sql); !r) {
                sqlite3_close(db);
                return r.error().context(path);
            }
    }
    return db;
}

}  // namespace kscope
