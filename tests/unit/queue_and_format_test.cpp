#include <gtest/gtest.h>

#include "pipeline/bounded_queue.h"
#include "pipeline/trace_session.h"
#include "sinks/table_sink.h"

namespace kscope {
namespace {

TEST(BoundedQueue, RefusesWhenFullAndDrainsInOrder) {
    BoundedQueue<int> q(2);
    EXPECT_TRUE(q.try_push(1));
    EXPECT_TRUE(q.try_push(2));
    EXPECT_FALSE(q.try_push(3));
    EXPECT_EQ(q.depth(), 2u);
    std::vector<int> out;
    EXPECT_EQ(q.pop_all(out, std::chrono::milliseconds(0)), 2u);
    EXPECT_EQ(out, (std::vector<int>{1, 2}));
    EXPECT_TRUE(q.try_push(4));
}

TEST(BoundedQueue, UrgentItemsHaveAnEighthMoreRoom) {
    BoundedQueue<int> q(16);
    for (int i = 0; i < 16; i++)
        EXPECT_TRUE(q.try_push(i));
    EXPECT_FALSE(q.try_push(16));
    for (int i = 0; i < 3; i++)
        EXPECT_TRUE(q.try_push(100 + i, true, /*urgent=*/true));
    EXPECT_FALSE(q.try_push(103, true, /*urgent=*/true));
    EXPECT_EQ(q.depth(), 19u);
}

TEST(BoundedQueue, PopWaitsThenTimesOut) {
    BoundedQueue<int> q(2);
    std::vector<int> out;
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(q.pop_all(out, std::chrono::milliseconds(30)), 0u);
    EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(25));
}

TEST(ShellQuote, QuotesOnlyWhatNeedsIt) {
    EXPECT_EQ(shell_quote("ls"), "ls");
    EXPECT_EQ(shell_quote("/usr/bin/x-y_z.1=2"), "/usr/bin/x-y_z.1=2");
    EXPECT_EQ(shell_quote(""), "''");
    EXPECT_EQ(shell_quote("a b"), "'a b'");
    EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
    EXPECT_EQ(shell_quote("a\nb"), "'a\\x0ab'");
}

TEST(Stats, FormatsLossesPerProbe) {
    std::vector<ProbeStats> s = {{"exec", 10, 1, 3, 2, 0}};
    EXPECT_EQ(format_stats(s),
              "exec: 10 events, 1 lost (ring buffer full), 3 lost (program runs skipped by the kernel), "
              "2 lost (queue full), 0 malformed\n");
    EXPECT_TRUE(any_loss(s));
    EXPECT_FALSE(any_loss({{"exit", 5, 0, 0, 0, 0}}));
    EXPECT_TRUE(any_loss({{"exit", 5, 0, 1, 0, 0}}));
}

}  // namespace
}  // namespace kscope
