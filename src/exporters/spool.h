// An exporter's on-disk spool: records waiting while their server is down, kept across
// restarts (SQLite, one file per exporter), bounded in bytes, handed out in seq order
// whatever order they were written in. Not thread-safe: the exporter serializes access.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "util/result.h"

namespace kscope {

struct OutRecord {
    uint64_t seq = 0;    // delivery order (increasing, also across restarts)
    std::string msg_id;  // unique per record, for servers that deduplicate (NATS JetStream)
    std::string type;    // event type ("exec", "tcp_connect") or "alert"
    std::string body;    // JSON
};

class Spool {
public:
    static Result<std::unique_ptr<Spool>> open(const std::string& path, uint64_t max_bytes);
    ~Spool();
    Spool(const Spool&) = delete;
    Spool& operator=(const Spool&) = delete;

    // Appends in order, up to max_bytes; returns how many fitted (the rest are the
    // caller's to count as dropped).
    Result<size_t> append(const std::vector<OutRecord>& records);
    // The n records with the lowest seq, with their row ids for ack().
    Result<std::vector<std::pair<int64_t, OutRecord>>> peek(size_t n) const;
    // Removes these records (delivered).
    Result<void> ack(const std::vector<int64_t>& ids);
    // The highest seq stored, 0 if empty (a restarted exporter continues after it).
    uint64_t max_seq() const;
    uint64_t bytes() const { return bytes_; }
    uint64_t count() const { return count_; }

private:
    explicit Spool(sqlite3* db, uint64_t max_bytes) : db_(db), max_bytes_(max_bytes) {}
    sqlite3* db_;
    uint64_t max_bytes_;
    uint64_t bytes_ = 0, count_ = 0;
};

}  // namespace kscope
