// The SQLite event store: append, filter, order, retention, reopening.
#include <gtest/gtest.h>
#include <stdlib.h>

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

TEST_F(EventStoreTest, RetentionByAgeThenSize) {
    auto s = EventStore::open(dir_);
    ASSERT_TRUE(s.ok());
    EventStore& store = **s;
    std::vector<StoredEvent> batch;
    const std::string body(1000, 'x');
    for (uint64_t i = 0; i < 5000; i++)
        batch.push_back(StoredEvent{i * 1'000'000'000ull, "exec", 1, "a", "", body});
    ASSERT_TRUE(store.append(batch).ok());
    // Older than 1000 s before "now" (4999 s): rows 0..3998 go.
    RetentionPolicy age{1000, 1ull << 40};
    EXPECT_EQ(*store.enforce(age, 4999'000'000'000ull), 3999u);
    EXPECT_EQ(*store.count(), 1001u);
    // 1001 rows of ~1 KiB in ~1.2 MiB: a 256 KiB cap leaves the newest ones only.
    RetentionPolicy size{1ull << 40, 256 << 10};
    auto removed = store.enforce(size, 4999'000'000'000ull);
    ASSERT_TRUE(removed.ok());
    EXPECT_GT(*removed, 500u);
    EventQuery newest;
    newest.limit = 1;
    auto last = store.query(newest);
    ASSERT_EQ(last->size(), 1u);
    EXPECT_GT(*store.count(), 0u);
}

}  // namespace
}  // namespace kscope
