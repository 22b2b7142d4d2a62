// kscope runqlat against the real scheduler: two CPU-bound processes pinned to one CPU
// wait for each other's slice, so their run-queue latency p99 is above the slice.
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>

#include "harness.h"
#include "pipeline/cgroup_paths.h"

namespace kscope::test {
namespace {

// The scheduler's base slice where the kernel shows it, else 3 ms.
uint64_t base_slice_ns() {
    for (const char* path : {"/sys/kernel/debug/sched/base_slice_ns", "/proc/sys/kernel/sched_base_slice_ns"}) {
        std::ifstream in(path);
        uint64_t ns = 0;
        if (in >> ns && ns > 0)
            return ns;
    }
    return 3'000'000;
}

// A child that names itself, pins itself to cpu and spins for the given time.
pid_t spinner(const char* comm, int cpu, std::chrono::milliseconds run) {
    return spawn([=] {
        prctl(PR_SET_NAME, comm);
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        sched_setaffinity(0, sizeof(set), &set);
        auto end = std::chrono::steady_clock::now() + run;
        volatile uint64_t n = 0;
        while (std::chrono::steady_clock::now() < end)
            n = n + 1;
    });
}

const std::set<std::string> kPidRowKeys = {"type", "ts", "pid", "comm", "count", "sum_ns", "p50_ns", "p99_ns", "max_ns",
                                           "buckets"};

std::set<std::string> keys_of(const nlohmann::json& j) {
    std::set<std::string> keys;
    for (auto it = j.begin(); it != j.end(); ++it)
        keys.insert(it.key());
    return keys;
}

// The histogram's own consistency: buckets ascending, adding up to count, percentiles
// ordered and below the maximum.
void expect_consistent(const nlohmann::json& r) {
    uint64_t in_buckets = 0, last_le = 0;
    for (const auto& b : r["buckets"]) {
        ASSERT_EQ(b.size(), 2u);
        EXPECT_GT(b[0].get<uint64_t>(), last_le) << r.dump();
        last_le = b[0].get<uint64_t>();
        in_buckets += b[1].get<uint64_t>();
    }
    EXPECT_EQ(in_buckets, r["count"].get<uint64_t>()) << r.dump();
    EXPECT_LE(r["p50_ns"].get<uint64_t>(), r["p99_ns"].get<uint64_t>()) << r.dump();
    EXPECT_LE(r["p99_ns"].get<uint64_t>(), r["max_ns"].get<uint64_t>()) << r.dump();
    EXPECT_LE(r["max_ns"].get<uint64_t>(), r["sum_ns"].get<uint64_t>()) << r.dump();
    if (r["count"].get<uint64_t>() > 0) {
        EXPECT_LE(r["max_ns"].get<uint64_t>(), last_le) << r.dump();
    }
}

TEST(RunqlatProbe, PinnedSpinnersWaitLongerThanTheSlice) {
    REQUIRE_ROOT();
    const uint64_t slice = base_slice_ns();
    Kscope k({"runqlat", "--by", "pid", "--json", "-i", "0.5", "-c", "kscope-rq"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    const int cpu = sched_getcpu();
    pid_t a = spinner("kscope-rq", cpu, std::chrono::milliseconds(1500));
    pid_t b = spinner("kscope-rq", cpu, std::chrono::milliseconds(1500));
    wait_child(a);
    wait_child(b);
    usleep(600'000);  // a report after both are done
    k.stop();

    auto rows = k.json_lines();
    ASSERT_FALSE(rows.empty()) << k.stderr_text();
    for (pid_t pid : {a, b}) {
        const nlohmann::json* busiest = nullptr;
        uint64_t waits = 0;
        for (const auto& r : rows) {
            EXPECT_EQ(r["type"], "runq_latency");
            EXPECT_EQ(keys_of(r), kPidRowKeys) << r.dump();
            expect_consistent(r);
            if (r["pid"] != pid)
                continue;
            EXPECT_EQ(r["comm"], "kscope-rq");
            waits += r["count"].get<uint64_t>();
            if (!busiest || r["count"].get<uint64_t>() > (*busiest)["count"].get<uint64_t>())
                busiest = &r;
        }
        ASSERT_NE(busiest, nullptr) << "no row for pid " << pid << "\n" << k.stdout_text();
        // Each waits while the other runs its slice, about every other slice for 1.5 s.
        EXPECT_GE(waits, 20u) << "pid " << pid;
        EXPECT_GT((*busiest)["p99_ns"].get<uint64_t>(), slice) << busiest->dump() << " slice " << slice;
    }
    // -c selected nothing else.
    for (const auto& r : rows)
        EXPECT_TRUE(r["pid"] == a || r["pid"] == b) << r.dump();
}

TEST(RunqlatProbe, OverallRowEveryIntervalAndCountReports) {
    REQUIRE_ROOT();
    Kscope k({"runqlat", "--json", "-i", "0.2", "--count", "3"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    ASSERT_NE(k.wait_exit(std::chrono::seconds(10)), -1);
    auto rows = k.json_lines();
    ASSERT_EQ(rows.size(), 3u) << k.stdout_text();
    const std::set<std::string> keys = {"type", "ts", "count", "sum_ns", "p50_ns", "p99_ns", "max_ns", "buckets"};
    for (const auto& r : rows) {
        EXPECT_EQ(keys_of(r), keys) << r.dump();
        expect_consistent(r);
    }
    EXPECT_LT(rows[0]["ts"].get<uint64_t>(), rows[2]["ts"].get<uint64_t>());
}

TEST(RunqlatProbe, ByCgroupShowsTheCgroupPath) {
    REQUIRE_ROOT();
    auto mount = cgroup2_mount_point();
    ASSERT_TRUE(mount) << "no cgroup2 mount";
    const std::string name = "kscope-rq-" + std::to_string(getpid());
    const std::filesystem::path dir = std::filesystem::path(*mount) / name;
    std::filesystem::create_directories(dir);
    struct Cleanup {
        std::filesystem::path dir;
        ~Cleanup() { rmdir(dir.c_str()); }
    } cleanup{dir};

    Kscope k({"runqlat", "--by", "cgroup", "--json", "-i", "0.5", "--cgroup", dir.string()});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    const int cpu = sched_getcpu();
    std::vector<pid_t> kids;
    for (int i = 0; i < 2; i++)
        kids.push_back(spawn([&] {
            std::ofstream(dir / "cgroup.procs") << getpid() << std::flush;
            prctl(PR_SET_NAME, "kscope-rqcg");
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET(cpu, &set);
            sched_setaffinity(0, sizeof(set), &set);
            auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(800);
            volatile uint64_t n = 0;
            while (std::chrono::steady_clock::now() < end)
                n = n + 1;
        }));
    for (pid_t p : kids)
        wait_child(p);
    usleep(600'000);
    k.stop();

    auto rows = k.json_lines();
    uint64_t waits = 0;
    for (const auto& r : rows) {
        EXPECT_EQ(keys_of(r), (std::set<std::string>{"type", "ts", "cgroup", "count", "sum_ns", "p50_ns", "p99_ns",
                                                      "max_ns", "buckets"}))
            << r.dump();
        EXPECT_EQ(r["cgroup"], "/" + name) << r.dump();  // --cgroup kept everything else out
        waits += r["count"].get<uint64_t>();
    }
    EXPECT_GE(waits, 10u) << k.stdout_text();
}

}  // namespace
}  // namespace kscope::test
