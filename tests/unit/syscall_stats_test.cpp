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
    if (c.errnos.empty() && errors)
        c.errnos[2] = errors;
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

// The counters are read one after another while calls go on: a row never contradicts
// itself, whatever the reads caught.
TEST(IntervalRows, RowsAreConsistentWhateverTheReadsCaught) {
    // The errno map caught one more error than the counters (errors 39, ETIMEDOUT 40).
    SyscallCounters c = counters(40, 39, {{110, 40}});
    // The per-CPU maximum missed the interval's calls (read as 0).
    c.max_ns = 0;
    auto rows = interval_rows({}, {{{5, 7}, c}}, {});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].errors, 40u);
    ASSERT_EQ(rows[0].errnos.size(), 1u);
    EXPECT_EQ(rows[0].errnos[0], (std::pair<std::string, uint64_t>{"ETIMEDOUT", 40}));
    EXPECT_GE(rows[0].calls, rows[0].errors);
    EXPECT_GE(rows[0].max_ns, 64u);  // the floor of the [64, 128) bucket the calls are in
    EXPECT_LE(rows[0].p50_ns, rows[0].p99_ns);
    EXPECT_LE(rows[0].p99_ns, rows[0].max_ns);

    // Errors with an errno the counters had not caught yet: "errors":0 with ENOENT 1.
    SyscallCounters d = counters(3, 0, {{2, 1}});
    rows = interval_rows({}, {{{5, 2}, d}}, {});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].errors, 1u);
}

TEST(IntervalRows, PercentilesNeverExceedTheMaxOrTheTotal) {
    // Two calls of 0.5 s and 2.0 s: both in log2 buckets [2^28, 2^29) and [2^30, 2^31).
    SyscallCounters c;
    c.comm = "sleeper";
    c.calls = 2;
    c.total_ns = 2'500'000'000;
    c.hist[28] = 1;
    c.hist[30] = 1;
    c.max_ns = 0;  // missed
    auto rows = interval_rows({}, {{{9, 35}, c}}, {});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_GE(rows[0].max_ns, 1ull << 30);
    EXPECT_LE(rows[0].max_ns, 2'500'000'000u);
    EXPECT_LE(rows[0].p99_ns, rows[0].max_ns);
    EXPECT_LE(rows[0].p50_ns, rows[0].p99_ns);
    // A measured max inside the slowest bucket is kept as it is.
    c.max_ns = 2'000'000'000;
    rows = interval_rows({}, {{{9, 35}, c}}, {});
    EXPECT_EQ(rows[0].max_ns, 2'000'000'000u);
    EXPECT_LE(rows[0].p99_ns, 2'000'000'000u);
}

TEST(LatencyText, NotAvailableWhenNothingWasMeasured) {
    std::array<uint64_t, KSCOPE_LAT_SLOTS> h{};
    EXPECT_EQ(latency_percentiles_text(h), "p50 n/a, p99 n/a");
    h[10] = 4;  // [1024, 2048) ns
    EXPECT_EQ(latency_percentiles_text(h), "p50 1.5 us, p99 2.0 us");
}

TEST(ConsistentMax, ClampsToTheSlowestBucketAndTheTotal) {
    std::array<uint64_t, KSCOPE_LAT_SLOTS> h{};
    EXPECT_EQ(consistent_max(h, 0, 0), 0u);
    h[10] = 3;  // [1024, 2048)
    EXPECT_EQ(consistent_max(h, 0, 5000), 1024u);
    EXPECT_EQ(consistent_max(h, 1500, 5000), 1500u);
    EXPECT_EQ(consistent_max(h, 90000, 5000), 2047u);  // above the bucket: its ceiling
    EXPECT_EQ(consistent_max(h, 90000, 1800), 1800u);  // and never above the total
}

}  // namespace
}  // namespace kscope
