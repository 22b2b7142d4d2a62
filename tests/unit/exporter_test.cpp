// The exporter machinery with a fake server: in-order delivery, spooling while the
// server is down, resuming by itself, a bounded spool with counted drops, a spool that
// survives a restart; and the file exporter's rotation.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "exporters/alertmanager_exporter.h"
#include "exporters/file_exporter.h"

namespace kscope {
namespace {

class FakeExporter final : public Exporter {
public:
    using Exporter::Exporter;
    std::atomic<bool> up{true};
    std::atomic<int> hang_ms{0};  // a server that takes this long to fail
    std::mutex mu;
    std::vector<std::string> received;
    std::vector<std::string> msg_ids;

protected:
    Delivery deliver(const std::vector<OutRecord>& records) override {
        if (!up) {
            std::this_thread::sleep_for(std::chrono::milliseconds(hang_ms.load()));
            return {0, "server down"};
        }
        std::lock_guard lock(mu);
        for (const auto& r : records) {
            received.push_back(r.body);
            msg_ids.push_back(r.msg_id);
        }
        return {records.size(), ""};
    }
};

class ExporterTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/kscope-exporter-XXXXXX";
        dir_ = mkdtemp(tmpl);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    ExporterLimits limits(uint64_t spool_bytes = 1 << 20) const {
        ExporterLimits l;
        l.spool_path = dir_ + "/spool.db";
        l.spool_bytes = spool_bytes;
        l.batch = 7;
        return l;
    }
    static void send(Exporter& e, int from, int to) {
        for (int i = from; i < to; i++)
            e.enqueue(OutRecord{.type = "test", .body = std::to_string(i)});
    }
    // Polls done() until it holds or 10 s pass.
    static bool wait_for(const std::function<bool()>& done) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!done()) {
            if (std::chrono::steady_clock::now() >= deadline)
                return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return true;
    }
    // Records in the spool file now (its own read-only connection; -1 if unreadable).
    int64_t spooled() const {
        sqlite3* db = nullptr;
        int64_t n = -1;
        if (sqlite3_open_v2((dir_ + "/spool.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
            sqlite3_busy_timeout(db, 1000);
            sqlite3_stmt* st = nullptr;
            if (sqlite3_prepare_v2(db, "SELECT count(*) FROM records", -1, &st, nullptr) == SQLITE_OK &&
                sqlite3_step(st) == SQLITE_ROW)
                n = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
        }
        sqlite3_close(db);
        return n;
    }
    static std::vector<std::string> numbers(int from, int to) {
        std::vector<std::string> v;
        for (int i = from; i < to; i++)
            v.push_back(std::to_string(i));
        return v;
    }
    std::string dir_;
};

TEST_F(ExporterTest, SpoolsWhileDownAndResumesInOrder) {
    FakeExporter e("fake", limits());
    ASSERT_TRUE(e.start().ok());
    send(e, 0, 50);
    ASSERT_TRUE(wait_for([&] { return e.stats().sent == 50; }));
    e.up = false;
    send(e, 50, 120);
    // Down, retried (and failed) at least once more, and all 70 records in the spool.
    ASSERT_TRUE(wait_for([&] { return !e.stats().up && e.stats().failures >= 2 && spooled() == 70; }))
        << e.stats().failures << " failures, " << spooled() << " spooled";
    EXPECT_EQ(e.stats().sent, 50u);
    e.up = true;
    send(e, 120, 130);
    ASSERT_TRUE(wait_for([&] { return e.stats().sent == 130; })) << e.stats().sent;
    e.stop();
    EXPECT_EQ(e.received, numbers(0, 130));  // each once, in order
    EXPECT_EQ(e.stats().dropped, 0u);
    std::set<std::string> ids(e.msg_ids.begin(), e.msg_ids.end());
    EXPECT_EQ(ids.size(), 130u);
}

// While delivery hangs (a server that does not answer), the queue still moves to the
// spool: a queue of 50 takes 1,000 records without a loss.
TEST_F(ExporterTest, HangingServerDoesNotOverflowTheQueue) {
    ExporterLimits l = limits();
    l.memory_records = 50;
    FakeExporter e("fake", l);
    e.up = false;
    e.hang_ms = 1000;
    ASSERT_TRUE(e.start().ok());
    // Bursts of 15, each once the spooler has brought the queue back to its half (25)
    // plus the one batch (7) the hanging delivery holds: at most 32 + 15 < 50 queued.
    constexpr int kBurst = 15;
    for (int i = 0; i < 1000; i += kBurst) {
        const int end = std::min(i + kBurst, 1000);
        for (int j = i; j < end; j++)
            e.enqueue(OutRecord{.type = "test", .body = std::to_string(j)});
        ASSERT_TRUE(wait_for([&] { return spooled() >= end - 25 - 7; }))
            << "the spooler did not take the queue: " << spooled() << " of " << end << " spooled";
    }
    EXPECT_EQ(e.stats().sent, 0u);
    e.hang_ms = 0;
    e.up = true;
    ASSERT_TRUE(wait_for([&] { return e.stats().sent == 1000; })) << e.stats().sent << " sent, " << e.stats().dropped
                                                                  << " dropped";
    e.stop();
    EXPECT_EQ(e.stats().dropped, 0u);
    EXPECT_EQ(e.received, numbers(0, 1000));
}

TEST_F(ExporterTest, FullSpoolDropsAndCounts) {
    FakeExporter e("fake", limits(/*spool_bytes=*/100));  // 2-3 byte bodies: ~40 fit
    e.up = false;
    ASSERT_TRUE(e.start().ok());
    send(e, 10, 110);  // 100 records of 2-3 bytes
    // Every record is in the spool or counted as dropped (none left in memory).
    ASSERT_TRUE(wait_for([&] { return spooled() + int64_t(e.stats().dropped) == 100; }))
        << spooled() << " spooled, " << e.stats().dropped << " dropped";
    const int64_t kept = spooled();
    EXPECT_GE(kept, 30);
    EXPECT_LE(kept, 50);
    e.up = true;
    ASSERT_TRUE(wait_for([&] { return e.stats().sent + e.stats().dropped == 100; }));
    e.stop();
    // The oldest were kept, in order, the newest dropped.
    EXPECT_EQ(e.received, numbers(10, 10 + int(kept)));
    EXPECT_EQ(e.stats().dropped, uint64_t(100 - kept));
}

TEST_F(ExporterTest, SpoolSurvivesARestart) {
    {
        FakeExporter e("fake", limits());
        e.up = false;
        ASSERT_TRUE(e.start().ok());
        send(e, 0, 20);
        e.stop();  // nothing delivered: all 20 in the spool on disk
        EXPECT_EQ(e.stats().sent, 0u);
        EXPECT_EQ(e.stats().dropped, 0u);
    }
    FakeExporter again("fake", limits());
    ASSERT_TRUE(again.start().ok());
    send(again, 20, 25);
    ASSERT_TRUE(wait_for([&] { return again.stats().sent == 25; }));
    again.stop();
    EXPECT_EQ(again.received, numbers(0, 25));
}

TEST_F(ExporterTest, FileExporterRotatesBySize) {
    FileExporterConfig fc{dir_ + "/out/events.jsonl", /*max_bytes=*/100, /*keep=*/2};
    FileExporter f(fc, limits());
    ASSERT_TRUE(f.start().ok());
    for (int i = 0; i < 35; i++)
        f.enqueue(OutRecord{.type = "test", .body = "{\"n\":" + std::to_string(100 + i) + "}"});  // 9 bytes + newline
    f.stop();
    auto lines = [](const std::string& p) {
        std::ifstream in(p);
        std::vector<std::string> v;
        for (std::string l; std::getline(in, l);)
            v.push_back(l);
        return v;
    };
    const auto current = lines(fc.path), one = lines(fc.path + ".1"), two = lines(fc.path + ".2");
    EXPECT_FALSE(std::filesystem::exists(fc.path + ".3"));
    // 10-byte lines, 10 per 100-byte file; the oldest file (100..109) rotated away.
    ASSERT_EQ(current.size(), 5u);
    ASSERT_EQ(one.size(), 10u);
    ASSERT_EQ(two.size(), 10u);
    EXPECT_EQ(current.front(), "{\"n\":130}");
    EXPECT_EQ(current.back(), "{\"n\":134}");
    EXPECT_EQ(one.front(), "{\"n\":120}");
    EXPECT_EQ(two.front(), "{\"n\":110}");
}

TEST(AlertmanagerJson, V2AlertShape) {
    Alert a;
    a.labels = {{"alertname", "X"}, {"severity", "info"}};
    a.annotations = {{"summary", "s \"q\""}};
    a.starts_at_ns = 1700000000123456789ull;
    EXPECT_EQ(alertmanager_json(a),
              R"({"labels":{"alertname":"X","severity":"info"},"annotations":{"summary":"s \"q\""},)"
              R"("startsAt":"2023-11-14T22:13:20.123Z"})");
}

}  // namespace
}  // namespace kscope
