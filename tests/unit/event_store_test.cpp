// The SQLite event store: append, filter, order, retention, reopening.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <sqlite3.h>

#include <filesystem>

#include "store/event_store.h"

namespace kscope {
namespace {

class EventStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/kscope-store-XXXXXX";
        dir_ = mkdtemp(tmpl);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    static StoredEvent ev(uint64_t ts, const char* type, uint32_t pid, const char* comm, const char* body) {
        return StoredEvent{ts, type, pid, comm, "", body};
    }
    std::string dir_;
};

TEST_F(EventStoreTest, FiltersAndReturnsTheNewestOldestFirst) {
    auto s = EventStore::open(dir_);
    ASSERT_TRUE(s.ok()) << s.error().message;
    EventStore& store = **s;
    ASSERT_TRUE(store.append({ev(100, "exec", 1, "bash", R"({"a":"100% sure"})"), ev(200, "exit", 1, "bash", "{}"),
                              ev(300, "exec", 2, "curl", R"({"a":"x_y"})"), ev(400, "exec", 3, "bash", "{}")})
                    .ok());
    EventQuery q;
    q.type = "exec";
    EXPECT_EQ(store.query(q)->size(), 3u);
    q.limit = 2;  // the newest two, oldest first
    auto rows = store.query(q);
    ASSERT_EQ(rows->size(), 2u);
    EXPECT_EQ((*rows)[0], R"({"a":"x_y"})");
    EXPECT_EQ((*rows)[1], "{}");
    EventQuery by_comm;
    by_comm.comm = "bash";
    by_comm.since_ns = 150;
    EXPECT_EQ(by_comm.limit, 100u);
    EXPECT_EQ(store.query(by_comm)->size(), 2u);
    EventQuery text;
    text.text = "100%";  // % is literal, not a wildcard
    EXPECT_EQ(store.query(text)->size(), 1u);
    text.text = "x_";
    EXPECT_EQ(store.query(text)->size(), 1u);
    EventQuery pid;
    pid.pid = 1;
    pid.until_ns = 150;
    EXPECT_EQ(store.query(pid)->size(), 1u);
    EXPECT_EQ(*store.count(), 4u);
}

TEST_F(EventStoreTest, ReopenKeepsEverythingAndReadersCannotWrite) {
    {
        auto s = EventStore::open(dir_);
        ASSERT_TRUE(s.ok());
        ASSERT_TRUE((*s)->append({ev(1, "exec", 1, "a", "{}")}).ok());
    }
    auto r = EventStore::open(dir_, /*read_only=*/true);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(*(*r)->count(), 1u);
    EXPECT_FALSE((*r)->append({ev(2, "exec", 1, "a", "{}")}).ok());
    EXPECT_FALSE(EventStore::open(dir_ + "/nowhere", true).ok());
}

// Bytes of the database's pages that hold data: the file less its free pages (retention
// frees pages for later inserts to reuse; the file itself does not shrink).
uint64_t used_bytes(const std::string& dir) {
    sqlite3* db = nullptr;
    uint64_t used = 0;
    if (sqlite3_open_v2((dir + "/events.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db,
                               "SELECT (page_count - freelist_count) * page_size FROM pragma_page_count(), "
                               "pragma_freelist_count(), pragma_page_size()",
                               -1, &st, nullptr) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            used = uint64_t(sqlite3_column_int64(st, 0));
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return used;
}

TEST_F(EventStoreTest, RetentionByAgeThenSize) {
    auto s = EventStore::open(dir_);
    ASSERT_TRUE(s.ok());
    EventStore& store = **s;
    std::vector<StoredEvent> batch;
    // Row i: ts i s, body {"n":i} padded to ~1 KiB, so each row can be told by its content.
    auto body = [](uint64_t i) {
        std::string b = "{\"n\":" + std::to_string(i) + ",\"pad\":\"";
        return b + std::string(1000 - b.size() - 2, 'x') + "\"}";
    };
    for (uint64_t i = 0; i < 5000; i++)
        batch.push_back(StoredEvent{i * 1'000'000'000ull, "exec", 1, "a", "", body(i)});
    ASSERT_TRUE(store.append(batch).ok());
    // Older than 1000 s before "now" (4999 s): rows 0..3998 go.
    RetentionPolicy age{1000, 1ull << 40};
    EXPECT_EQ(*store.enforce(age, 4999'000'000'000ull), 3999u);
    EXPECT_EQ(*store.count(), 1001u);
    ASSERT_GT(used_bytes(dir_), 1000u * 1000u);

    // 1001 rows of ~1 KiB: a 256 KiB cap keeps the newest that fit. Rows go the oldest
    // tenth at a time, so the cap holds to within one tenth of the rows.
    constexpr uint64_t kCap = 256 << 10;
    RetentionPolicy size{1ull << 40, kCap};
    auto removed = store.enforce(size, 4999'000'000'000ull);
    ASSERT_TRUE(removed.ok()) << removed.error().message;
    const uint64_t kept = *store.count();
    EXPECT_EQ(*removed + kept, 1001u);
    const uint64_t used = used_bytes(dir_);
    EXPECT_LE(used, kCap) << kept << " rows kept";
    // Not far below the cap either: one more round would have been one tenth of the rows.
    EXPECT_GT(used, kCap / 2) << kept << " rows kept";
    EXPECT_GE(kept, 100u);

    // The kept rows are exactly the newest ones, 4999 - kept + 1 .. 4999, in order.
    EventQuery all;
    all.limit = 100000;
    auto rows = store.query(all);
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), kept);
    for (uint64_t j = 0; j < kept; j++)
        ASSERT_EQ((*rows)[j], body(5000 - kept + j)) << "row " << j;
    // The oldest of the 1001 are gone.
    EventQuery oldest;
    oldest.until_ns = (5000 - kept - 1) * 1'000'000'000ull;
    EXPECT_EQ(store.query(oldest)->size(), 0u);
}

}  // namespace
}  // namespace kscope
