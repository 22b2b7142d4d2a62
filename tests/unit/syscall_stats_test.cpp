#include <gtest/gtest.h>

#include "events/syscall_names.h"
#include "events/syscall_stats.h"

namespace kscope {
namespace {

TEST(SyscallNames, GeneratedForThisArchitecture) {
#if defined(__x86_64__)
    EXPECT_EQ(syscall_name(0), "read");
    EXPECT_EQ(syscall_name(110), "getppid");
    EXPECT_EQ(syscall_name(257), "openat");
    EXPECT_EQ(syscall_number("openat2"), 437u);
#endif
    EXPECT_EQ(syscall_name(99999), "syscall_99999");
    EXPECT_FALSE(syscall_number("no_such_syscall").has_value());
}

TEST(HistogramPercentile, InterpolatesInsideTheBucketAndCapsAtMax) {
    std::array<uint64_t, KSCOPE_LAT_SLOTS> h{};
    EXPECT_EQ(histogram_percentile(h, 0.5, 0), 0u);
    h[10] = 100;  // [1024, 2048)
    EXPECT_EQ(histogram_percentile(h, 0.5, 0), 1536u);
    EXPECT_EQ(histogram_percentile(h, 0.99, 0), 2037u);
    EXPECT_EQ(histogram_percentile(h, 0.99, 1500), 1500u);
    h[20] = 1;  // one slow call
    EXPECT_LT(histogram_percentile(h, 0.50, 0), 2048u);
    EXPECT_GE(histogram_percentile(h, 1.0, 0), 1u << 20);
}

SyscallCounters counters(uint64_t calls, uint64_t errors, std::map<uint32_t, uint64_t> errnos = {}) {
    SyscallCounters c;
    c.comm = "app";
    c.calls = calls;
    c.errors = errors;
    c.total_ns = calls * 100;
    c.hist[6] = calls;
    c.errnos = std::move(errnos);
    c.max_ns = 120;
    return c;
}

TEST(IntervalRows, DeltasBetweenSnapshots) {
    SyscallSnapshot before{{{7, 257}, counters(10, 2, {{2, 2}})}};
    SyscallSnapshot after{{{7, 257}, counters(25, 7, {{2, 6}, {13, 1}})}, {{7, 110}, counters(3, 0)}};
    auto rows = interval_rows(before, after, {});
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].syscall, "openat");
    EXPECT_EQ(rows[0].calls, 15u);
    EXPECT_EQ(rows[0].errors, 5u);
    EXPECT_EQ(rows[0].total_ns, 1500u);
    ASSERT_EQ(rows[0].errnos.size(), 2u);
    EXPECT_EQ(rows[0].errnos[0], (std::pair<std::string, uint64_t>{"ENOENT", 4}));
    EXPECT_EQ(rows[0].errnos[1], (std::pair<std::string, uint64_t>{"EACCES", 1}));
    EXPECT_EQ(rows[0].max_ns, 120u);
    EXPECT_EQ(rows[1].syscall, "getppid");
    EXPECT_EQ(rows[1].pid, 7u);
    EXPECT_EQ(rows[1].comm, "app");
}

TEST(IntervalRows, RankingTopAndErrorsOnly) {
    SyscallSnapshot now{{{1, 0}, counters(100, 0)}, {{1, 1}, counters(50, 40)}, {{2, 0}, counters(10, 5)}};
    auto by_calls = interval_rows({}, now, {.rank = SyscallRank::calls, .top = 2});
    ASSERT_EQ(by_calls.size(), 2u);
    EXPECT_EQ(by_calls[0].calls, 100u);
    auto by_errors = interval_rows({}, now, {.rank = SyscallRank::errors, .top = 0});
    ASSERT_EQ(by_errors.size(), 3u);
    EXPECT_EQ(by_errors[0].errors, 40u);
    auto failing = interval_rows({}, now, {.top = 0, .errors_only = true});
    EXPECT_EQ(failing.size(), 2u);
    // Nothing new: no rows.
    EXPECT_TRUE(interval_rows(now, now, {}).empty());
}

}  // namespace
}  // namespace kscope
