// Learned baselines (learn, lock, report once, bounds), rate anomalies (warm-up, a rise
// raises once, hysteresis, silence) and the baseline store (persisted, lock and reset
// from another connection, seen through data_version).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "anomaly/baselines.h"
#include "anomaly/rate_anomaly.h"
#include "store/baseline_store.h"

namespace kscope {
namespace {

using anomaly::Baselines;
using anomaly::ItemKind;
using anomaly::RateOptions;
using anomaly::RateTracker;
using anomaly::Verdict;

constexpr uint64_t kSec = 1'000'000'000ull;

TEST(Baselines, LearnThenLockThenReportEachNewItemOnce) {
    Baselines b(10 * kSec);
    EXPECT_EQ(b.observe("container:a", ItemKind::Exec, "/bin/sh", 100 * kSec), Verdict::Learned);
    EXPECT_EQ(b.observe("container:a", ItemKind::Exec, "/bin/sh", 101 * kSec), Verdict::Known);
    EXPECT_EQ(b.observe("container:a", ItemKind::Peer, "10.0.0.1:443", 105 * kSec), Verdict::Learned);
    // The same text under another kind is another item.
    EXPECT_EQ(b.observe("container:a", ItemKind::WriteDir, "/bin/sh", 106 * kSec), Verdict::Learned);
    // Locked 10 s after the workload's first event.
    EXPECT_EQ(b.observe("container:a", ItemKind::Exec, "/bin/sh", 110 * kSec), Verdict::Known);
    EXPECT_EQ(b.observe("container:a", ItemKind::Exec, "/usr/bin/curl", 110 * kSec), Verdict::New);
    EXPECT_EQ(b.observe("container:a", ItemKind::Exec, "/usr/bin/curl", 111 * kSec), Verdict::Known);
    // Another workload has a window of its own.
    EXPECT_EQ(b.observe("/usr/sbin/nginx", ItemKind::Listen, "80/tcp", 115 * kSec), Verdict::Learned);

    const auto* w = b.find("container:a");
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->learned(), 3u);
    EXPECT_EQ(w->total(), 4u);
    EXPECT_FALSE(w->items[0].at("/usr/bin/curl").learned);
    EXPECT_TRUE(w->locked(110 * kSec));
    EXPECT_FALSE(b.find("/usr/sbin/nginx")->locked(120 * kSec));

    auto changes = b.take_changes();
    ASSERT_EQ(changes.size(), 7u);  // two workloads, five items
    EXPECT_TRUE(changes[0].new_workload);
    EXPECT_EQ(changes[0].learn_until_ns, 110 * kSec);
    EXPECT_EQ(changes[4].item, "/usr/bin/curl");
    EXPECT_FALSE(changes[4].value.learned);
    EXPECT_TRUE(b.take_changes().empty());
}

TEST(Baselines, BoundsAreCountedNotGrownAndNewItemsStillReported) {
    Baselines b(kSec, /*max_items_per_workload=*/2, /*max_workloads=*/2);
    EXPECT_EQ(b.observe("w", ItemKind::Exec, "a", 0), Verdict::Learned);
    EXPECT_EQ(b.observe("w", ItemKind::Exec, "b", 0), Verdict::Learned);
    EXPECT_EQ(b.observe("w", ItemKind::Exec, "c", 0), Verdict::Full);
    EXPECT_EQ(b.not_kept(), 1u);
    // After the lock, items seen count apart; past the bound they are still new, each time.
    EXPECT_EQ(b.observe("w", ItemKind::Exec, "x", kSec), Verdict::New);
    EXPECT_EQ(b.observe("w", ItemKind::Exec, "y", kSec), Verdict::New);
    EXPECT_EQ(b.observe("w", ItemKind::Exec, "z", kSec), Verdict::New);
    EXPECT_EQ(b.observe("w", ItemKind::Exec, "z", kSec), Verdict::New);
    EXPECT_EQ(b.observe("w", ItemKind::Exec, "x", kSec), Verdict::Known);
    EXPECT_EQ(b.find("w")->learned(), 2u);
    EXPECT_EQ(b.find("w")->after_lock(), 2u);
    EXPECT_EQ(b.learned_per_kind()[0], 2u);
}

TEST(Baselines, AFullTableForgetsTheWorkloadSeenLeastRecently) {
    Baselines b(10 * kSec, 16, /*max_workloads=*/2);
    b.observe("old", ItemKind::Exec, "a", 1 * kSec);
    b.observe("busy", ItemKind::Exec, "a", 2 * kSec);
    b.observe("old", ItemKind::Exec, "b", 3 * kSec);
    b.observe("busy", ItemKind::Exec, "b", 4 * kSec);
    (void)b.take_changes();
    EXPECT_EQ(b.observe("new", ItemKind::Exec, "a", 5 * kSec), Verdict::Learned);
    EXPECT_EQ(b.find("old"), nullptr);
    EXPECT_NE(b.find("busy"), nullptr);
    EXPECT_EQ(b.forgotten(), 1u);
    EXPECT_EQ(b.learned_per_kind()[0], 3u);
    auto changes = b.take_changes();
    ASSERT_EQ(changes.size(), 3u);
    EXPECT_TRUE(changes[0].forget);
    EXPECT_EQ(changes[0].workload, "old");
    // Changes a store refused come back first.
    b.observe("new", ItemKind::Exec, "c", 6 * kSec);
    b.return_changes(std::move(changes));
    auto again = b.take_changes();
    ASSERT_EQ(again.size(), 4u);
    EXPECT_TRUE(again[0].forget);
    EXPECT_EQ(again[3].item, "c");
}

TEST(Baselines, KindNames) {
    for (auto k : {ItemKind::Exec, ItemKind::Peer, ItemKind::Listen, ItemKind::WriteDir})
        EXPECT_EQ(anomaly::kind_from_name(anomaly::kind_name(k)), k);
    EXPECT_EQ(anomaly::kind_name(ItemKind::WriteDir), "write_dir");
    EXPECT_FALSE(anomaly::kind_from_name("bogus"));
}

// Feeds `per_interval` events in each of `intervals` one-second intervals from *t on;
// the rises seen.
std::vector<anomaly::RateRise> feed(RateTracker& r, const RateOptions& o, uint64_t& t, int intervals, int per_interval) {
    std::vector<anomaly::RateRise> rises;
    for (int i = 0; i < intervals; i++) {
        for (int n = 0; n < per_interval; n++)
            if (auto rise = r.add(t + uint64_t(n) * (kSec / uint64_t(per_interval + 1)), o))
                rises.push_back(*rise);
        t += kSec;
    }
    if (auto rise = r.advance(t, o))
        rises.push_back(*rise);
    return rises;
}

TEST(RateTracker, ASharpRiseRaisesOnceAndClearsWithHysteresis) {
    RateOptions o;
    o.interval_ns = kSec;
    o.warmup = 5;
    o.threshold = 4;
    o.min_rate = 5;
    RateTracker r;
    uint64_t t = 1000 * kSec;
    EXPECT_TRUE(feed(r, o, t, 10, 3).empty());  // warm-up and a steady 3/s
    EXPECT_NEAR(r.mean(), 3, 0.5);
    EXPECT_TRUE(feed(r, o, t, 1, 4).empty());   // a wobble is not a rise
    auto rises = feed(r, o, t, 3, 40);          // three intervals of 40/s: one alert
    ASSERT_EQ(rises.size(), 1u);
    EXPECT_NEAR(rises[0].rate, 40, 1);
    EXPECT_NEAR(rises[0].expected, 3, 0.6);
    EXPECT_TRUE(r.rising());
    EXPECT_LT(r.mean(), 5);  // a rise teaches the history only slowly
    EXPECT_TRUE(feed(r, o, t, 1, 6).empty());   // over the clearing line: still rising, no new alert
    EXPECT_TRUE(r.rising());
    EXPECT_TRUE(feed(r, o, t, 3, 3).empty());   // back to normal: cleared
    EXPECT_FALSE(r.rising());
    EXPECT_EQ(feed(r, o, t, 1, 40).size(), 1u);  // a second rise raises again
}

TEST(RateTracker, AnEventOlderThanTheOpenIntervalCountsInIt) {
    RateOptions o;
    o.interval_ns = kSec;
    o.warmup = 3;
    RateTracker r;
    uint64_t t = 100 * kSec;
    EXPECT_TRUE(feed(r, o, t, 8, 2).empty());
    const double mean = r.mean();
    // From another ring, drained later: a little older than the interval now open.
    EXPECT_FALSE(r.add(t - kSec / 10, o));
    EXPECT_NEAR(r.mean(), mean, 0.01);  // the history is as it was
    EXPECT_TRUE(feed(r, o, t, 2, 2).empty());
    EXPECT_NEAR(r.mean(), 2, 0.5);
}

TEST(RateTracker, NothingBeforeWarmupOrUnderTheFloor) {
    RateOptions o;
    o.interval_ns = kSec;
    o.warmup = 3;
    o.min_rate = 50;
    RateTracker r;
    uint64_t t = 5 * kSec;
    EXPECT_TRUE(feed(r, o, t, 2, 1).empty());
    EXPECT_TRUE(feed(r, o, t, 1, 30).empty());  // still warming up
    EXPECT_TRUE(feed(r, o, t, 3, 1).empty());
    EXPECT_TRUE(feed(r, o, t, 1, 30).empty());  // a rise, but under rate_min
    // A long silence closes the empty intervals at once, and teaches that the rate is 0.
    EXPECT_GT(r.mean(), 1);
    EXPECT_FALSE(r.advance(t + 100000 * kSec, o));
    EXPECT_LT(r.mean(), 0.01);
}

class BaselineStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/kscope-baselines-XXXXXX";
        dir_ = mkdtemp(tmpl);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string dir_;
};

TEST_F(BaselineStoreTest, PersistsLocksAndResetsAcrossConnections) {
    Baselines b(10 * kSec);
    b.observe("container:a", ItemKind::Exec, "/bin/sh", 100 * kSec);
    b.observe("container:a", ItemKind::Peer, "example.com:443", 101 * kSec);
    b.observe("container:a", ItemKind::Exec, "/usr/bin/curl", 120 * kSec);  // after the lock
    b.observe("/usr/sbin/nginx", ItemKind::Listen, "80/tcp", 108 * kSec);
    auto agent = BaselineStore::open(dir_);
    ASSERT_TRUE(agent.ok()) << agent.error().message;
    ASSERT_FALSE(*(*agent)->changed_elsewhere());
    ASSERT_TRUE((*agent)->apply(b.take_changes()).ok());
    ASSERT_FALSE(*(*agent)->changed_elsewhere());  // its own writes do not count

    auto loaded = (*agent)->load();
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    ASSERT_EQ(loaded->size(), 2u);
    const auto& a = loaded->at("container:a");
    EXPECT_EQ(a.first_seen_ns, 100 * kSec);
    EXPECT_EQ(a.learn_until_ns, 110 * kSec);
    EXPECT_EQ(a.learned(), 2u);
    EXPECT_FALSE(a.items[0].at("/usr/bin/curl").learned);
    EXPECT_EQ(a.items[1].at("example.com:443").first_seen_ns, 101 * kSec);
    EXPECT_EQ((*agent)->load(std::string("/usr/sbin/nginx"))->size(), 1u);

    // `kscope baseline lock` from another connection: seen, and only the one still learning changes.
    auto cli = BaselineStore::open(dir_);
    ASSERT_TRUE(cli.ok());
    EXPECT_EQ(*(*cli)->lock(std::nullopt, 115 * kSec), 1u);
    EXPECT_TRUE(*(*agent)->changed_elsewhere());
    EXPECT_FALSE(*(*agent)->changed_elsewhere());
    EXPECT_EQ((*agent)->load()->at("/usr/sbin/nginx").learn_until_ns, 115 * kSec);
    EXPECT_EQ((*agent)->load()->at("container:a").learn_until_ns, 110 * kSec);

    // Reset one workload; items the agent learned for it meanwhile are not written.
    EXPECT_EQ(*(*cli)->reset(std::string("container:a")), 1u);
    EXPECT_TRUE(*(*agent)->changed_elsewhere());
    anomaly::BaselineChange late{"container:a", false, ItemKind::Exec, "/bin/ls", {130 * kSec, false}, 0};
    ASSERT_TRUE((*agent)->apply({late}).ok());
    auto after = (*agent)->load();
    ASSERT_EQ(after->size(), 1u);
    EXPECT_EQ(after->count("container:a"), 0u);
    EXPECT_EQ(*(*cli)->reset(std::nullopt), 1u);
    EXPECT_TRUE((*agent)->load()->empty());
}

TEST_F(BaselineStoreTest, ReadersNeedAnExistingFile) {
    auto r = BaselineStore::open(dir_ + "/nowhere", /*read_only=*/true);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("baselines.db"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace kscope
