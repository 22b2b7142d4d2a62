// The embedded event store: every event as a row in SQLite (WAL), indexed by time, type,
// pid and container, with its JSON as the body; retention by age and size. One writer
// (the agent's pipeline) and any number of readers (kscope query, the HTTP API), each
// with its own connection.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/result.h"

namespace kscope {

struct StoredEvent {
    uint64_t ts_ns = 0;
    std::string type;
    uint32_t pid = 0;
    std::string comm;
    std::string container_id;
    std::string json;  // the whole event, as the JSON contract writes it
};

struct EventQuery {
    std::optional<std::string> type;  // exact ("exec", "tcp_connect")
    std::optional<uint64_t> since_ns, until_ns;
    std::optional<uint32_t> pid;
    std::optional<std::string> comm, container_id;
    std::optional<std::string> text;  // substring of the event's JSON
    std::optional<std::string> rule;      // alerts: the rule's name, exact
    std::optional<std::string> priority;  // alerts: the priority, any case ("warning")
    size_t limit = 100;               // the newest `limit` matches, returned oldest first
};

struct RetentionPolicy {
    uint64_t max_age_s = 7 * 24 * 3600;
    uint64_t max_bytes = 1ull << 30;
    bool operator==(const RetentionPolicy&) const = default;
};

class EventStore {
public:
    // The database file is <dir>/events.db; dir is created if missing. read_only: for
    // readers that must not create or change anything.
    static Result<std::unique_ptr<EventStore>> open(const std::string& dir, bool read_only = false);
    ~EventStore();
    EventStore(const EventStore&) = delete;
    EventStore& operator=(const EventStore&) = delete;

    // All in one transaction: every row or none.
    Result<void> append(const std::vector<StoredEvent>& events);
    // JSON bodies of the matches.
    Result<std::vector<std::string>> query(const EventQuery& q) const;
    // Deletes what is older than max_age, then the oldest rows until the file fits
    // max_bytes; returns how many rows went.
    Result<uint64_t> enforce(const RetentionPolicy& policy, uint64_t now_ns);
    Result<uint64_t> count() const;
    Result<uint64_t> size_bytes() const;

private:
    explicit EventStore(sqlite3* db) : db_(db) {}
    Result<void> exec(const char* sql) const;
    sqlite3* db_;
};

}  // namespace kscope
