// kscope top's numbers: rates between snapshots, sorting and filtering, processes seen
// for the first time, BPF programs' cost, short rate text.
#include <gtest/gtest.h>

#include "tui/top_model.h"

namespace kscope::top {
namespace {

ProcessSnapshot before_snapshot() {
    ProcessSnapshot s;
    s[10] = {"nginx", 1000, 5000, 10, 1000, 2000, 0, 4096};
    s[20] = {"postgres", 500, 100, 0, 0, 0, 8192, 0};
    s[30] = {"bash", 50, 10, 1, 0, 0, 0, 0};
    return s;
}

TEST(TopModel, RatesOverTheIntervalSortedByCpu) {
    auto now = before_snapshot();
    now[10].cpu_ticks += 150;  // 1.5 s of CPU in 2 s at 100 ticks/s: 75%
    now[10].syscalls += 2000;
    now[10].syscall_errors += 20;
    now[10].rx_bytes += 4000;
    now[10].tx_bytes += 8000;
    now[20].cpu_ticks += 20;
    now[20].read_bytes += 1 << 20;
    now[40] = {"new", 90000, 7, 0, 0, 0, 1 << 30, 0};  // started in the interval
    auto rows = process_rows(before_snapshot(), now, 2.0, 100, {});
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0].pid, 10u);
    EXPECT_DOUBLE_EQ(rows[0].cpu_pct, 75);
    EXPECT_DOUBLE_EQ(rows[0].syscalls_ps, 1000);
    EXPECT_DOUBLE_EQ(rows[0].errors_ps, 10);
    EXPECT_DOUBLE_EQ(rows[0].rx_bps, 2000);
    EXPECT_DOUBLE_EQ(rows[0].tx_bps, 4000);
    EXPECT_EQ(rows[1].pid, 20u);
    EXPECT_DOUBLE_EQ(rows[1].cpu_pct, 10);
    EXPECT_DOUBLE_EQ(rows[1].read_bps, 524288);
    // New: its kernel counters started with kscope (a rate), its lifetime CPU and I/O are not.
    const auto& fresh = *std::find_if(rows.begin(), rows.end(), [](const auto& r) { return r.pid == 40; });
    EXPECT_EQ(fresh.cpu_pct, 0);
    EXPECT_EQ(fresh.read_bps, 0);
    EXPECT_DOUBLE_EQ(fresh.syscalls_ps, 3.5);
}

TEST(TopModel, SortKeysAndFilter) {
    auto now = before_snapshot();
    now[30].syscalls += 900;
    now[20].read_bytes += 100;
    ViewOptions v;
    v.sort = SortKey::Syscalls;
    EXPECT_EQ(process_rows(before_snapshot(), now, 1, 100, v)[0].comm, "bash");
    v.sort = SortKey::Read;
    EXPECT_EQ(process_rows(before_snapshot(), now, 1, 100, v)[0].comm, "postgres");
    v.sort = SortKey::Name;
    auto by_name = process_rows(before_snapshot(), now, 1, 100, v);
    EXPECT_EQ(by_name[0].comm, "bash");
    EXPECT_EQ(by_name[2].comm, "postgres");
    v.sort = SortKey::Pid;
    EXPECT_EQ(process_rows(before_snapshot(), now, 1, 100, v)[0].pid, 10u);
    v.filter = "gres";
    auto filtered = process_rows(before_snapshot(), now, 1, 100, v);
    ASSERT_EQ(filtered.size(), 1u);
    EXPECT_EQ(filtered[0].pid, 20u);
    SortKey k;
    for (auto key : {SortKey::Cpu, SortKey::Syscalls, SortKey::Errors, SortKey::Rx, SortKey::Tx, SortKey::Read,
                     SortKey::Write, SortKey::Pid, SortKey::Name}) {
        ASSERT_TRUE(sort_key_from_name(sort_key_name(key), k));
        EXPECT_EQ(k, key);
    }
    EXPECT_FALSE(sort_key_from_name("memory", k));
    EXPECT_TRUE(process_rows(before_snapshot(), now, 0, 100, {}).empty());
}

TEST(TopModel, ProgramsByCost) {
    std::vector<BpfProgramInfo> before = {{1, "ks_sys_enter", "raw_tracepoint", 1000, 100000},
                                          {2, "idle_prog", "xdp", 5, 500}};
    auto now = before;
    now[0].runs += 20000;
    now[0].run_time_ns += 2'000'000;  // 100 ns a run, 0.2% of a CPU over 1 s
    now.push_back({3, "fresh", "tracepoint", 999, 999});
    auto rows = program_rows(before, now, 1.0);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].name, "ks_sys_enter");
    EXPECT_DOUBLE_EQ(rows[0].runs_ps, 20000);
    EXPECT_DOUBLE_EQ(rows[0].ns_per_run, 100);
    EXPECT_DOUBLE_EQ(rows[0].cpu_pct, 0.2);
    EXPECT_EQ(rows[2].ns_per_run, 0);  // no runs in the interval
}

TEST(TopModel, ShortRates) {
    EXPECT_EQ(short_rate(0), "0");
    EXPECT_EQ(short_rate(999), "999");
    EXPECT_EQ(short_rate(1500), "1.5K");
    EXPECT_EQ(short_rate(2'500'000), "2.5M");
    EXPECT_EQ(short_rate(3e9), "3.0G");
}

}  // namespace
}  // namespace kscope::top
