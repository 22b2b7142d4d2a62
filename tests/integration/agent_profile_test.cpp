// The agent's continuous profiler: a fresh pprof from /debug/pprof/profile (read by go
// tool pprof, as for a Go program), per-minute profiles kept in the store and merged by
// /api/v1/profile, its cost in the self-metrics, and the off switch.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>

#include <fstream>

#include "agent_harness.h"

namespace kscope::test {
namespace {

const std::string kTarget = PROFILE_TARGET;
const std::string kQuiet = "probes:\n  exec:\n    comms: [ks_prof_none]\n";

// At start the agent loads the unwind tables of every process the profiler samples; a
// process started meanwhile waits its turn, and its first samples have shorter stacks.
// The tests below are about what is kept and served, so they start once that is done:
// the row count holds still for a second (on an idle machine it may stay 0).
void wait_tables_settled(const Agent& a) {
    double before = -2;
    for (int i = 0; i < 40; i++) {
        const double rows = a.metric("kscope_profile_unwind_rows");
        if (rows >= 0 && rows == before)
            return;
        before = rows;
        usleep(500'000);
    }
    ADD_FAILURE() << "the unwind tables were still loading after 20 s";
}

TEST(AgentProfile, DebugPprofEndpointGivesAFreshProfile) {
    REQUIRE_ROOT();
    if (shell("command -v go").empty())
        GTEST_SKIP() << "SKIPPED: go (golang-go) is not installed; scripts/bootstrap installs it";
    Agent a(kQuiet + "profiling:\n  frequency: 49\n");
    ASSERT_TRUE(a.ready()) << a.process().stderr_text();
    wait_tables_settled(a);
    pid_t target = spawn([] { exec_now(kTarget, {"profile_target", "4"}); });
    TempDir dir("kscope-agent-pprof");
    httplib::Client c("127.0.0.1", a.port());
    c.set_read_timeout(30, 0);
    auto res = c.Get("/debug/pprof/profile?seconds=2");
    wait_child(target);
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    const std::string file = dir.path() + "/cpu.pb.gz";
    std::ofstream(file, std::ios::binary) << res->body;
    const std::string top = shell("HOME=" + dir.path() + " GOCACHE=" + dir.path() + "/gocache go tool pprof -top " + file);
    EXPECT_NE(top.find("Type: cpu"), std::string::npos) << top;
    EXPECT_NE(top.find("spin"), std::string::npos) << top;
    EXPECT_NE(top.find("Duration: 2s"), std::string::npos) << top;
    std::string body;
    EXPECT_EQ(a.get("/debug/pprof/profile?seconds=0", body), 400);
    EXPECT_EQ(a.get("/debug/pprof/profile?sec=1", body), 400);
    // Its cost shows like every probe's.
    EXPECT_EQ(a.metric("kscope_probe_up{probe=\"profile\"}"), 1);
    EXPECT_GT(a.metric("kscope_profile_samples_total"), 0);
    EXPECT_GT(a.metric("kscope_bpf_program_runs_total{probe=\"profile\",program=\"ks_profile\"}"), 0);
}

// What the profiler sampled is kept per minute (flushed at the latest when the agent
// stops) and merged by /api/v1/profile, also by a later agent on the same store.
TEST(AgentProfile, StoredMinutesAreMergedByTheProfileApi) {
    REQUIRE_ROOT();
    TempDir dir("kscope-agent-profiles");
    double target_cpu_s = 0;
    {
        Agent a(kQuiet + "profiling:\n  frequency: 99\n", dir.path());
        ASSERT_TRUE(a.ready()) << a.process().stderr_text();
        wait_tables_settled(a);
        pid_t target = spawn([] { exec_now(kTarget, {"profile_target", "2"}); });
        // Its CPU time, not the 2 s of wall time: on a busy machine it runs less.
        int status = 0;
        rusage ru{};
        wait4(target, &status, 0, &ru);
        target_cpu_s = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                       double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
        usleep(1'500'000);  // the next drain
        EXPECT_EQ(WEXITSTATUS(a.process().stop(SIGTERM)), 0);
    }
    Agent b(kQuiet + "profiling:\n  enabled: false\n", dir.path());
    ASSERT_TRUE(b.ready()) << b.process().stderr_text();
    std::string folded;
    ASSERT_EQ(b.get("/api/v1/profile?comm=profile_target&format=folded", folded), 200) << folded;
    uint64_t all = 0, to_main = 0, hot_a = 0;
    std::istringstream in(folded);
    for (std::string line; std::getline(in, line);) {
        const uint64_t n = std::stoull(line.substr(line.rfind(' ') + 1));
        EXPECT_EQ(line.rfind("profile_target;", 0), 0u) << line;
        all += n;
        to_main += line.find(";main;work;") != std::string::npos ? n : 0;
        hot_a += line.find(";hot_a;spin ") != std::string::npos ? n : 0;
    }
    // 99 Hz over the CPU time it had (~2 s when the machine is idle), less a quarter for
    // samples missed at the edges.
    EXPECT_GT(double(all), 0.75 * 99 * target_cpu_s) << "cpu " << target_cpu_s << " s\n" << folded;
    EXPECT_GT(target_cpu_s, 0.5);
    EXPECT_GE(double(to_main) / double(all), 0.85) << folded;
    EXPECT_GT(hot_a, 0u);
    std::string json;
    ASSERT_EQ(b.get("/api/v1/profile?comm=profile_target&format=json", json), 200);
    EXPECT_NE(json.find("\"type\":\"profile_stack\""), std::string::npos) << json;
    std::string none;
    ASSERT_EQ(b.get("/api/v1/profile?comm=no_such_comm", none), 200);
    EXPECT_EQ(none, "");
    EXPECT_EQ(b.get("/api/v1/profile?format=svg", none), 400);
    // Profiling off: no fresh profiles.
    EXPECT_EQ(b.get("/debug/pprof/profile?seconds=1", none), 503);
}

}  // namespace
}  // namespace kscope::test
