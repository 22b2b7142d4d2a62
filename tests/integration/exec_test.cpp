// kscope exec against the real kernel: spawn real processes, assert the exact fields.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <thread>

#include "harness.h"
#include "pipeline/cgroup_paths.h"

namespace kscope::test {
namespace {

uint64_t own_cgroup_id() {
    std::ifstream in("/proc/self/cgroup");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("0::", 0) == 0) {
            struct stat st {};
            stat((*cgroup2_mount_point() + line.substr(3)).c_str(), &st);
            return st.st_ino;
        }
    return 0;
}

uint64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

TEST(ExecProbe, ReportsArgvWithSpacesEmptyArgumentAndUtf8) {
    REQUIRE_ROOT();
    Kscope k({"exec", "--json"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    const uint64_t before = now_ns();
    const std::vector<std::string> argv = {"/bin/true", "with space", "", "h\xc3\xa9llo \xe2\x9c\x93", "tab\there"};
    pid_t child = run_exec("/bin/true", argv);
    const uint64_t after = now_ns();
    k.stop();

    auto events = events_for(k.json_lines(), "exec", child);
    ASSERT_EQ(events.size(), 1u) << k.stdout_text();
    const auto& e = events[0];
    EXPECT_EQ(e["filename"], "/bin/true");
    EXPECT_EQ(e["argv"].get<std::vector<std::string>>(), argv);
    EXPECT_EQ(e["args_truncated"], false);
    EXPECT_EQ(e["ret"], 0);
    EXPECT_EQ(e["error"], "");
    EXPECT_EQ(e["syscall"], "execve");
    EXPECT_EQ(e["tid"], child);
    EXPECT_EQ(e["ppid"], getpid());
    EXPECT_EQ(e["uid"], 0);
    EXPECT_EQ(e["comm"], "true");
    EXPECT_EQ(e["cgroup_id"], own_cgroup_id());
    EXPECT_EQ(e["container_id"], "");
    EXPECT_GE(e["ts"].get<uint64_t>(), before - 50'000'000);  // clocks converted within 50 ms
    EXPECT_LE(e["ts"].get<uint64_t>(), after + 50'000'000);
}

TEST(ExecProbe, MarksTruncationPastTheArgumentLimit) {
    REQUIRE_ROOT();
    Kscope k({"exec", "--json"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    std::vector<std::string> argv = {"/bin/true"};
    for (int i = 1; i < 70; i++)
        argv.push_back("arg" + std::to_string(i));
    pid_t child = run_exec("/bin/true", argv);
    k.stop();

    auto events = events_for(k.json_lines(), "exec", child);
    ASSERT_EQ(events.size(), 1u);
    auto got = events[0]["argv"].get<std::vector<std::string>>();
    ASSERT_EQ(got.size(), 64u);
    EXPECT_EQ(got, std::vector<std::string>(argv.begin(), argv.begin() + 64));
    EXPECT_EQ(events[0]["args_truncated"], true);
}

// Bytes of argv as the kernel lays it out: every argument with its NUL.
size_t argv_bytes(const std::vector<std::string>& argv) {
    size_t n = 0;
    for (const auto& a : argv)
        n += a.size() + 1;
    return n;
}

TEST(ExecProbe, CarriesEightKibOfArgumentsAndMarksMore) {
    REQUIRE_ROOT();
    constexpr size_t kLimit = 8192;  // KSCOPE_EXEC_ARGS_MAX
    Kscope k({"exec", "--json", "--max-args", "1000"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    // "/bin/true" (10 bytes) + 8 args of 1000 bytes = 8010; then one more argument.
    auto argv_with_last = [](size_t last_len) {
        std::vector<std::string> argv = {"/bin/true"};
        for (int i = 0; i < 8; i++)
            argv.push_back(std::string(999, char('a' + i)));
        argv.push_back(std::string(last_len, 'z'));
        return argv;
    };
    // Exactly 8192 bytes: all of it carried, nothing cut.
    const auto fits = argv_with_last(kLimit - 8010 - 1);
    ASSERT_EQ(argv_bytes(fits), kLimit);
    // One byte more: the last argument loses its NUL, so it is marked cut.
    const auto one_over = argv_with_last(kLimit - 8010);
    ASSERT_EQ(argv_bytes(one_over), kLimit + 1);
    // 10 args of 1000 bytes (10010 bytes): 8 whole, the 9th cut to what is left of 8192.
    std::vector<std::string> long_argv = {"/bin/true"};
    for (int i = 0; i < 10; i++)
        long_argv.push_back(std::string(999, char('a' + i)));
    pid_t fits_pid = run_exec("/bin/true", fits);
    pid_t over_pid = run_exec("/bin/true", one_over);
    pid_t long_pid = run_exec("/bin/true", long_argv);
    k.stop();
    auto all = k.json_lines();

    auto fit_events = events_for(all, "exec", fits_pid);
    ASSERT_EQ(fit_events.size(), 1u);
    EXPECT_EQ(fit_events[0]["argv"].get<std::vector<std::string>>(), fits);
    EXPECT_EQ(fit_events[0]["args_truncated"], false);

    auto over_events = events_for(all, "exec", over_pid);
    ASSERT_EQ(over_events.size(), 1u);
    auto over = over_events[0]["argv"].get<std::vector<std::string>>();
    // All 8192 bytes carried: the last argument whole but without its NUL.
    EXPECT_EQ(over, one_over);
    EXPECT_EQ(over_events[0]["args_truncated"], true);

    auto long_events = events_for(all, "exec", long_pid);
    ASSERT_EQ(long_events.size(), 1u);
    auto got = long_events[0]["argv"].get<std::vector<std::string>>();
    ASSERT_EQ(got.size(), 10u);
    for (size_t i = 0; i < 9; i++)
        EXPECT_EQ(got[i], long_argv[i]) << "argument " << i;
    EXPECT_EQ(got[9], std::string(kLimit - 8010, 'i'));  // 182 of the 9th long argument's 999
    EXPECT_EQ(argv_bytes(got) - 1, kLimit) << "8192 bytes carried, the last without a NUL";
    EXPECT_EQ(long_events[0]["args_truncated"], true);
}

TEST(ExecProbe, ReportsFailedExecWithEnoent) {
    REQUIRE_ROOT();
    Kscope k({"exec", "--json"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    const std::vector<std::string> argv = {"missing-tool", "--flag", "value with space"};
    pid_t child = run_exec("/nonexistent/kscope-missing", argv);
    k.stop();

    auto events = events_for(k.json_lines(), "exec", child);
    ASSERT_EQ(events.size(), 1u) << k.stdout_text();
    const auto& e = events[0];
    EXPECT_EQ(e["ret"], -2);
    EXPECT_EQ(e["error"], "ENOENT");
    EXPECT_EQ(e["filename"], "/nonexistent/kscope-missing");
    EXPECT_EQ(e["argv"].get<std::vector<std::string>>(), argv);
    EXPECT_EQ(e["ppid"], getpid());
}

TEST(ExecProbe, ReportsExecveatAndSigtermFlushesOutput) {
    REQUIRE_ROOT();
    Kscope k({"exec", "--json"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t child = spawn([] {
        char* argv[] = {const_cast<char*>("true"), const_cast<char*>("via-execveat"), nullptr};
        char* envp[] = {nullptr};
        syscall(SYS_execveat, AT_FDCWD, "/bin/true", argv, envp, 0);
        _exit(127);
    });
    wait_child(child);
    int status = k.stop(SIGTERM);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    auto events = events_for(k.json_lines(), "exec", child);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0]["syscall"], "execveat");
    EXPECT_EQ(events[0]["filename"], "/bin/true");
    EXPECT_EQ(events[0]["argv"], nlohmann::json::array({"true", "via-execveat"}));
}

TEST(ExecProbe, FailuresOnlyFlagDropsSuccessfulExecs) {
    REQUIRE_ROOT();
    Kscope k({"exec", "--json", "-x"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t ok = run_exec("/bin/true", {"/bin/true"});
    pid_t bad = run_exec("/nonexistent/kscope-x", {"x"});
    k.stop();
    auto all = k.json_lines();
    EXPECT_TRUE(events_for(all, "exec", ok).empty());
    EXPECT_EQ(events_for(all, "exec", bad).size(), 1u);
    for (const auto& e : all)
        EXPECT_NE(e["ret"], 0) << e.dump();
}

TEST(ExecProbe, PidFilterExcludesOtherProcesses) {
    REQUIRE_ROOT();
    int go[2];
    ASSERT_EQ(pipe(go), 0);
    // The target waits until kscope is attached, then execs in place (same pid).
    pid_t target = spawn([&] {
        char c;
        close(go[1]);
        if (read(go[0], &c, 1) != 1)
            _exit(1);
        char* argv[] = {const_cast<char*>("/bin/true"), const_cast<char*>("target"), nullptr};
        char* envp[] = {nullptr};
        execve("/bin/true", argv, envp);
        _exit(127);
    });
    close(go[0]);
    Kscope k({"exec", "--json", "-p", std::to_string(target)});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t other = run_exec("/bin/true", {"/bin/true", "other"});
    ASSERT_EQ(write(go[1], "g", 1), 1);
    close(go[1]);
    wait_child(target);
    k.stop();

    auto all = k.json_lines();
    ASSERT_EQ(all.size(), 1u) << k.stdout_text();
    EXPECT_EQ(all[0]["pid"], target);
    EXPECT_EQ(all[0]["argv"][1], "target");
    EXPECT_TRUE(events_for(all, "exec", other).empty());
}

TEST(ExecProbe, CommFilterSelectsByCommandName) {
    REQUIRE_ROOT();
    // comm at exec time is the new program's name.
    Kscope k({"exec", "--json", "-c", "echo"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t t = run_exec("/bin/true", {"/bin/true"});
    pid_t e = run_exec("/bin/echo", {"/bin/echo", "x"});
    k.stop();
    auto all = k.json_lines();
    EXPECT_TRUE(events_for(all, "exec", t).empty());
    ASSERT_EQ(events_for(all, "exec", e).size(), 1u);
    for (const auto& ev : all)
        EXPECT_EQ(ev["comm"], "echo");
}

TEST(ExecProbe, OutputReachesAPipeWhileRunning) {
    REQUIRE_ROOT();
    Kscope k({"exec", "--json", "-c", "true"}, /*stdout_pipe=*/true);
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t child = run_exec("/bin/true", {"/bin/true", "live"});
    auto start = std::chrono::steady_clock::now();
    std::string line = k.read_line(std::chrono::seconds(2));
    auto waited = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(line.empty()) << "no line within 2 s while kscope runs";
    auto e = nlohmann::json::parse(line);
    EXPECT_EQ(e["pid"], child);
    EXPECT_LT(waited, std::chrono::milliseconds(500));
    k.stop();
}

TEST(ExecProbe, CountStopsAfterNEvents) {
    REQUIRE_ROOT();
    Kscope k({"exec", "--json", "-c", "true", "--count", "2"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    for (int i = 0; i < 4; i++)
        run_exec("/bin/true", {"/bin/true"});
    int status = k.wait_exit(std::chrono::seconds(10));
    ASSERT_NE(status, -1) << "kscope did not stop after --count";
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT_EQ(k.json_lines().size(), 2u);
}

TEST(ExecProbe, DurationStopsByItself) {
    REQUIRE_ROOT();
    using Clock = std::chrono::steady_clock;
    const auto spawned = Clock::now();
    Kscope k({"exec", "--json", "--duration", "2"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    const auto tracing = Clock::now();
    int status = k.wait_exit(std::chrono::seconds(10));
    const auto exited = Clock::now();
    ASSERT_NE(status, -1) << "still running 10 s after a 2 s --duration";
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    // Not before its time (counted from before it started, so start-up cannot hide an
    // early stop), and within 2 s after it (counted from when it said it was tracing).
    EXPECT_GE(exited - spawned, std::chrono::seconds(2));
    EXPECT_LE(exited - tracing, std::chrono::seconds(4));
}

TEST(ExecProbe, ExecStormOfFiveThousandLosesNothing) {
    REQUIRE_ROOT();
    Kscope k({"exec", "--json", "--stats"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    constexpr int kExecs = 5000;
    std::vector<pid_t> pids;
    pids.reserve(kExecs);
    for (int i = 0; i < kExecs; i++)
        pids.push_back(run_exec("/bin/true", {"/bin/true", "storm", std::to_string(i)}));
    k.stop();

    std::map<pid_t, nlohmann::json> by_pid;
    for (auto& e : k.json_lines())
        if (e["argv"].size() == 3 && e["argv"][1] == "storm")
            by_pid[e["pid"].get<pid_t>()] = e;
    ASSERT_EQ(by_pid.size(), size_t(kExecs)) << k.stderr_text();
    for (int i = 0; i < kExecs; i++) {
        auto it = by_pid.find(pids[i]);
        ASSERT_NE(it, by_pid.end()) << "exec " << i << " (pid " << pids[i] << ") missing";
        const auto& e = it->second;
        ASSERT_EQ(e["argv"][2], std::to_string(i));
        ASSERT_EQ(e["filename"], "/bin/true");
        ASSERT_EQ(e["ppid"], getpid());
        ASSERT_EQ(e["ret"], 0);
        ASSERT_EQ(e["comm"], "true");
    }
    EXPECT_NE(k.stderr_text().find("exec: "), std::string::npos);
    EXPECT_NE(k.stderr_text().find("0 lost (ring buffer full), 0 lost (program runs skipped by the kernel), "
                                   "0 lost (queue full)"),
              std::string::npos)
        << k.stderr_text();
}

}  // namespace
}  // namespace kscope::test
