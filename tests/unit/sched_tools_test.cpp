// Pure logic of the system-performance tools: log2 histograms (interval differences,
// percentiles, buckets), interval rows of runqlat/biolat/biotop/faults, their JSON, and
// the OOM event decoder.
#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "events/block_io_stats.h"
#include "events/decode.h"
#include "events/latency_histogram.h"
#include "events/page_fault_stats.h"
#include "events/runq_stats.h"
#include "kscope/abi/oom.h"
#include "sinks/event_json.h"
#include "sinks/latency_report.h"

namespace kscope {
namespace {

// A histogram with n values in the slot of `ns`.
LatencyHistogram hist_with(std::initializer_list<std::pair<uint64_t, uint64_t>> values, uint64_t max_ns) {
    LatencyHistogram h;
    for (auto [ns, n] : values) {
        size_t slot = 0;
        while (slot + 1 < h.slots.size() && (uint64_t(1) << (slot + 1)) <= ns)
            slot++;
        h.slots[slot] += n;
        h.count += n;
        h.sum_ns += ns * n;
    }
    h.max_ns = max_ns;
    return h;
}

TEST(LatencyHistogram, AddsCpusAndKeepsOnlyThisIntervalsMaximum) {
    kscope_latency_hist a{}, b{}, old{};
    a.count = 2, a.sum_ns = 300, a.max_ns = 200, a.max_epoch = 4, a.slots[6] = 1, a.slots[7] = 1;
    b.count = 1, b.sum_ns = 1000, b.max_ns = 1000, b.max_epoch = 5, b.slots[9] = 1;
    old.count = 1, old.sum_ns = 5000, old.max_ns = 5000, old.max_epoch = 2, old.slots[12] = 1;
    LatencyHistogram h;
    for (const auto& v : {a, b, old})
        h.add_cpu(v, /*ended=*/4, /*current=*/5);
    EXPECT_EQ(h.count, 4u);
    EXPECT_EQ(h.sum_ns, 6300u);
    EXPECT_EQ(h.max_ns, 1000u);  // the CPU whose maximum is from interval 2 does not count
    EXPECT_EQ(h.slots[12], 1u);
    // A value of interval 5 arrived after user space moved to 5 but before it read: the
    // maximum of interval 4 it pushed aside still counts.
    kscope_latency_hist turned{};
    turned.count = 2, turned.max_ns = 10, turned.max_epoch = 5, turned.prev_max_ns = 4'000'000, turned.prev_epoch = 4;
    LatencyHistogram t;
    t.add_cpu(turned, 4, 5);
    EXPECT_EQ(t.max_ns, 4'000'000u);
}

TEST(LatencyHistogram, IntervalIsTheDifferenceWithAConsistentMaximum) {
    LatencyHistogram before = hist_with({{100, 10}}, 0);
    LatencyHistogram now = hist_with({{100, 10}, {3'000'000, 5}}, 3'100'000);
    auto d = interval_histogram(now, &before);
    EXPECT_EQ(d.count, 5u);
    EXPECT_EQ(d.sum_ns, 15'000'000u);
    EXPECT_EQ(d.max_ns, 3'100'000u);
    // A maximum missed at the turn of the interval is raised to the slowest bucket's floor.
    now.max_ns = 0;
    EXPECT_EQ(interval_histogram(now, &before).max_ns, uint64_t(1) << 21);
    // Nothing new: nothing to show.
    EXPECT_EQ(interval_histogram(before, &before).count, 0u);
    EXPECT_EQ(interval_histogram(before, &before).max_ns, 0u);
}

TEST(LatencyHistogram, SummaryHasPercentilesAndBucketsFromFirstToLastNonEmpty) {
    auto h = hist_with({{5, 1}, {100, 98}, {3000, 1}}, 3000);
    auto s = summarize(h);
    EXPECT_EQ(s.count, 100u);
    ASSERT_EQ(s.buckets.size(), 10u);  // slots 2..11
    EXPECT_EQ(s.buckets.front(), (std::pair<uint64_t, uint64_t>{7, 1}));     // [4, 8)
    EXPECT_EQ(s.buckets[4], (std::pair<uint64_t, uint64_t>{127, 98}));       // [64, 128)
    EXPECT_EQ(s.buckets.back(), (std::pair<uint64_t, uint64_t>{4095, 1}));   // [2048, 4096)
    EXPECT_GE(s.p50_ns, 64u);
    EXPECT_LT(s.p50_ns, 128u);
    EXPECT_LE(s.p99_ns, 128u);  // the 99th of 100 values is the last of [64, 128)
    EXPECT_LE(s.p99_ns, s.max_ns);
    EXPECT_TRUE(summarize(LatencyHistogram{}).buckets.empty());
}

TEST(RunqRows, AllHasOneRowEvenWhenIdle) {
    auto rows = runq_rows({}, {}, RunqGroup::all, 0);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].summary.count, 0u);
    std::string out;
    append_runq_json(out, 7, rows, RunqGroup::all);
    EXPECT_EQ(out, "{\"type\":\"runq_latency\",\"ts\":7,\"count\":0,\"sum_ns\":0,\"p50_ns\":0,\"p99_ns\":0,"
                   "\"max_ns\":0,\"buckets\":[]}\n");
}

TEST(RunqRows, PerProcessRankedByTimeWaitedIdleOnesLeftOut) {
    RunqSnapshot before, now;
    before[10] = {"idle", hist_with({{1000, 3}}, 0)};
    now[10] = {"idle", hist_with({{1000, 3}}, 0)};
    now[20] = {"short", hist_with({{1000, 50}}, 1000)};
    now[30] = {"long", hist_with({{4'000'000, 2}}, 4'000'000)};
    auto rows = runq_rows(before, now, RunqGroup::pid, 0);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].id, 30u);
    EXPECT_EQ(rows[0].name, "long");
    EXPECT_EQ(rows[1].id, 20u);
    EXPECT_EQ(runq_rows(before, now, RunqGroup::pid, 1).size(), 1u);

    std::string out;
    append_runq_json(out, 99, {rows[0]}, RunqGroup::pid);
    auto j = nlohmann::json::parse(out);
    EXPECT_EQ(out.substr(0, out.find("\"count\"")), "{\"type\":\"runq_latency\",\"ts\":99,\"pid\":30,\"comm\":\"long\",");
    EXPECT_EQ(j["count"], 2);
    EXPECT_EQ(j["sum_ns"], 8'000'000);
    EXPECT_EQ(j["max_ns"], 4'000'000);
    EXPECT_EQ(j["buckets"], nlohmann::json::parse("[[4194303,2]]"));

    out.clear();
    RunqRow cg = rows[1];
    cg.name = "/system.slice/x.service";
    append_runq_json(out, 1, {cg}, RunqGroup::cgroup);
    j = nlohmann::json::parse(out);
    EXPECT_EQ(j["cgroup"], "/system.slice/x.service");
    EXPECT_FALSE(j.contains("pid"));
}

TEST(BlockRows, LatencyPerDiskAndOperationWithQueueAndDeviceTime) {
    BlockLatencySnapshot before, now;
    BlockLatencyKey read{(7u << 20) | 3, KSCOPE_BIO_READ}, write{(7u << 20) | 3, KSCOPE_BIO_WRITE};
    before[read] = {"loop3", 4096, hist_with({{10'000, 1}}, 0), hist_with({{100, 1}}, 0), hist_with({{9'000, 1}}, 0)};
    now[read] = {"loop3", 4096 * 11, hist_with({{10'000, 11}}, 12'000), hist_with({{100, 11}}, 120),
                 hist_with({{9'000, 11}}, 9'500)};
    now[write] = before[read];  // all of it before the previous read: not in this interval
    before[write] = before[read];
    auto rows = block_latency_rows(before, now);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].disk, "loop3");
    EXPECT_EQ(rows[0].op, "read");
    EXPECT_EQ(rows[0].total.count, 10u);
    EXPECT_EQ(rows[0].bytes, 40960u);
    EXPECT_EQ(rows[0].total.max_ns, 12'000u);
    EXPECT_GE(rows[0].queue.p50_ns, 64u);
    EXPECT_LT(rows[0].queue.p50_ns, 128u);
    EXPECT_GE(rows[0].device.p50_ns, 8192u);

    std::string out;
    append_block_latency_json(out, 5, rows);
    auto j = nlohmann::json::parse(out);
    EXPECT_EQ(out.substr(0, out.find("\"count\"")),
              "{\"type\":\"block_io_latency\",\"ts\":5,\"disk\":\"loop3\",\"op\":\"read\",");
    EXPECT_EQ(j["count"], 10);
    EXPECT_EQ(j["bytes"], 40960);
    EXPECT_EQ(j["buckets"], nlohmann::json::parse("[[16383,10]]"));
    EXPECT_TRUE(j.contains("queue_p50_ns"));
    EXPECT_STREQ(block_op_name(KSCOPE_BIO_FLUSH), "flush");
    EXPECT_STREQ(block_op_name(KSCOPE_BIO_DISCARD), "discard");
    EXPECT_STREQ(block_op_name(99), "other");
}

TEST(BlockRows, TopPerProcessAndDiskMostBytesFirst) {
    BlockTopSnapshot before, now;
    BlockTopCounters small{"small", "vda", {}, {}, 0};
    small.ops[KSCOPE_BIO_WRITE] = 4, small.bytes[KSCOPE_BIO_WRITE] = 4 * 4096, small.total_ns = 4000;
    BlockTopCounters big{"big", "loop0", {}, {}, 0};
    big.ops[KSCOPE_BIO_READ] = 2, big.bytes[KSCOPE_BIO_READ] = 2 << 20, big.ops[KSCOPE_BIO_FLUSH] = 1;
    big.total_ns = 3 * 50'000;
    now[{100, 1}] = small;
    now[{200, 2}] = big;
    before[{100, 1}] = small;
    before[{100, 1}].ops[KSCOPE_BIO_WRITE] = 1, before[{100, 1}].bytes[KSCOPE_BIO_WRITE] = 4096;
    before[{100, 1}].total_ns = 1000;
    auto rows = block_top_rows(before, now, 0);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].pid, 200u);
    EXPECT_EQ(rows[0].ops, 3u);
    EXPECT_EQ(rows[0].reads, 2u);
    EXPECT_EQ(rows[0].read_bytes, uint64_t(2) << 20);
    EXPECT_EQ(rows[0].avg_latency_ns, 50'000u);
    EXPECT_EQ(rows[1].writes, 3u);
    EXPECT_EQ(rows[1].write_bytes, 3u * 4096);
    EXPECT_EQ(rows[1].avg_latency_ns, 1000u);
    EXPECT_EQ(block_top_rows(before, now, 1).size(), 1u);
    std::string out;
    append_block_top_json(out, 1, {rows[1]});
    EXPECT_EQ(out,
              "{\"type\":\"block_io_process\",\"ts\":1,\"pid\":100,\"comm\":\"small\",\"disk\":\"vda\",\"ops\":3,"
              "\"reads\":0,\"writes\":3,\"bytes\":12288,\"read_bytes\":0,\"write_bytes\":12288,"
              "\"avg_latency_ns\":1000}\n");
}

TEST(FaultRows, DifferencesMostFaultsFirst) {
    FaultSnapshot before{{1, {"a", 10, 1}}}, now{{1, {"a", 15, 1}}, {2, {"b", 100, 3}}, {3, {"c", 0, 0}}};
    auto rows = fault_rows(before, now, 0);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].pid, 2u);
    EXPECT_EQ(rows[1].minor, 5u);
    EXPECT_EQ(rows[1].major, 0u);
    std::string out;
    append_faults_json(out, 3, {rows[0]});
    EXPECT_EQ(out, "{\"type\":\"page_faults\",\"ts\":3,\"pid\":2,\"comm\":\"b\",\"minor\":100,\"major\":3}\n");
}

kscope_oom_event oom_event() {
    kscope_oom_event e{};
    e.hdr.type = KSCOPE_EVENT_OOM;
    e.hdr.size = sizeof(e);
    e.hdr.ts_ns = 1000;
    e.hdr.pid = 4242;
    e.hdr.tid = 4242;
    e.hdr.ppid = 1;
    std::strcpy(e.hdr.comm, "victim");
    e.trigger_pid = 77;
    std::strcpy(e.trigger_comm, "hungry");
    e.rss_pages = 100;
    e.oom_score_adj = -300;
    e.constraint = KSCOPE_OOM_MEMCG;
    e.memcg_limit_pages = 256;
    const char path[] = "/kubepods/pod1";
    std::memcpy(e.memcg_path, path, sizeof(path) - 1);
    e.memcg_path_len = sizeof(path) - 1;
    return e;
}

RawEvent raw_of(const kscope_oom_event& e) { return {reinterpret_cast<const std::byte*>(&e), sizeof(e)}; }

TEST(OomDecode, VictimTriggerMemcgAndSizesInBytes) {
    auto e = oom_event();
    auto d = decode_oom(raw_of(e), DecodeContext{.boot_to_epoch_ns = 5}, 4096);
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(d->common.pid, 4242u);
    EXPECT_EQ(d->common.comm, "victim");
    EXPECT_EQ(d->common.ts_ns, 1005u);
    EXPECT_EQ(d->trigger_pid, 77u);
    EXPECT_EQ(d->trigger_comm, "hungry");
    EXPECT_STREQ(d->constraint, "memcg");
    EXPECT_EQ(d->memcg, "/kubepods/pod1");
    EXPECT_EQ(d->memcg_limit_bytes, 256u * 4096);
    EXPECT_EQ(d->rss_bytes, 100u * 4096);
    EXPECT_EQ(d->oom_score_adj, -300);

    std::string out;
    append_event_json(out, Event(*d));
    auto j = nlohmann::json::parse(out);
    EXPECT_EQ(j["type"], "oom_kill");
    EXPECT_EQ(j["pid"], 4242);
    EXPECT_EQ(j["trigger_comm"], "hungry");
    EXPECT_EQ(j["memcg"], "/kubepods/pod1");
    EXPECT_EQ(j["rss_bytes"], 409600);
    EXPECT_EQ(j["oom_score_adj"], -300);
}

TEST(OomDecode, GlobalHasNoMemcgAndShortRecordsFail) {
    auto e = oom_event();
    e.constraint = KSCOPE_OOM_GLOBAL;
    e.memcg_path_len = 0;
    e.memcg_limit_pages = 0;
    auto d = decode_oom(raw_of(e), DecodeContext{}, 4096);
    ASSERT_TRUE(d);
    EXPECT_STREQ(d->constraint, "global");
    EXPECT_EQ(d->memcg, "");
    EXPECT_EQ(d->memcg_limit_bytes, 0u);
    // A path length past the buffer is cut at the buffer.
    e = oom_event();
    e.memcg_path_len = 60000;
    EXPECT_EQ(decode_oom(raw_of(e), DecodeContext{}, 4096)->memcg, "/kubepods/pod1");
    EXPECT_FALSE(decode_oom(RawEvent(raw_of(e).data(), 100), DecodeContext{}, 4096));
}

}  // namespace
}  // namespace kscope
