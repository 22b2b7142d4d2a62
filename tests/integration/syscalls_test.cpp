// kscope syscalls against the real kernel: exact counts for a process that makes a known
// number of calls.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>

#include "harness.h"

namespace kscope::test {
namespace {

// Sum of a field over the JSON rows of one pid and syscall, across every interval.
uint64_t total(const std::vector<nlohmann::json>& rows, pid_t pid, const std::string& syscall, const std::string& field) {
    uint64_t sum = 0;
    for (const auto& r : rows)
        if (r["type"] == "syscall_stats" && r.value("pid", 0) == pid && r["syscall"] == syscall)
            sum += r[field].get<uint64_t>();
    return sum;
}

uint64_t errno_total(const std::vector<nlohmann::json>& rows, pid_t pid, const std::string& syscall,
                     const std::string& err) {
    uint64_t sum = 0;
    for (const auto& r : rows)
        if (r.value("pid", 0) == pid && r["syscall"] == syscall && r["errnos"].contains(err))
            sum += r["errnos"][err].get<uint64_t>();
    return sum;
}

TEST(SyscallsProbe, CountsExactCallsAndErrnosPerProcess) {
    REQUIRE_ROOT();
    Kscope k({"syscalls", "--json", "--interval", "0.3", "--top", "0", "-c", "kscope-sysc"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t child = spawn([] {
        std::ofstream("/proc/self/comm") << "kscope-sysc" << std::flush;
        for (int i = 0; i < 10000; i++)
            syscall(SYS_getppid);
        for (int i = 0; i < 1000; i++)
            open("/nonexistent/kscope-syscalls-test", O_RDONLY);
    });
    wait_child(child);
    usleep(400'000);  // at least one report after the child is done
    k.stop();

    auto rows = k.json_lines();
    ASSERT_FALSE(rows.empty()) << k.stderr_text();
    EXPECT_EQ(total(rows, child, "getppid", "calls"), 10000u);
    EXPECT_EQ(total(rows, child, "getppid", "errors"), 0u);
    EXPECT_EQ(total(rows, child, "openat", "calls"), 1000u);
    EXPECT_EQ(total(rows, child, "openat", "errors"), 1000u);
    EXPECT_EQ(errno_total(rows, child, "openat", "ENOENT"), 1000u);
    for (const auto& r : rows) {
        if (r.value("pid", 0) != child || r["syscall"] != "getppid")
            continue;
        EXPECT_EQ(r["comm"], "kscope-sysc");
        EXPECT_LE(r["p50_ns"].get<uint64_t>(), r["p99_ns"].get<uint64_t>());
        EXPECT_LE(r["p99_ns"].get<uint64_t>(), r["max_ns"].get<uint64_t>());
        EXPECT_GT(r["total_ns"].get<uint64_t>(), 0u);
    }
}

TEST(SyscallsProbe, BySyscallHasNoPidAndRanksByErrors) {
    REQUIRE_ROOT();
    Kscope k({"syscalls", "--json", "--by", "syscall", "--errors", "--top", "3", "--interval", "0.3", "-c",
              "kscope-sysc2"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t child = spawn([] {
        std::ofstream("/proc/self/comm") << "kscope-sysc2" << std::flush;
        for (int i = 0; i < 500; i++)
            open("/nonexistent/kscope-syscalls-test", O_RDONLY);
        for (int i = 0; i < 2000; i++)
            syscall(SYS_getppid);
    });
    wait_child(child);
    usleep(400'000);
    k.stop();

    auto rows = k.json_lines();
    ASSERT_FALSE(rows.empty());
    bool saw_openat_first = false;
    for (const auto& r : rows) {
        EXPECT_FALSE(r.contains("pid")) << r.dump();
        EXPECT_FALSE(r.contains("comm")) << r.dump();
    }
    // In the report that holds the failing opens, they rank first.
    for (size_t i = 0; i < rows.size(); i++)
        if (rows[i]["syscall"] == "openat" && rows[i]["errors"].get<uint64_t>() > 0)
            saw_openat_first = i == 0 || rows[i - 1]["ts"] != rows[i]["ts"];
    EXPECT_TRUE(saw_openat_first);
}

TEST(SyscallsProbe, TableHasHeaderAndStopsAfterCountReports) {
    REQUIRE_ROOT();
    Kscope k({"syscalls", "--interval", "0.2", "--count", "2"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    int status = k.wait_exit(std::chrono::seconds(10));
    ASSERT_NE(status, -1);
    std::string out = k.stdout_text();
    size_t headers = 0;
    for (size_t pos = 0; (pos = out.find("SYSCALL", pos)) != std::string::npos; pos++)
        headers++;
    EXPECT_EQ(headers, 2u) << out;
    EXPECT_NE(out.find("PID COMM"), std::string::npos);
}

}  // namespace
}  // namespace kscope::test
