// The overhead governor against a real open storm: with a 5% budget the agent samples the
// open probe in the kernel until its own cost is under budget, says so in /metrics, and
// gives it all back once the storm is over.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "agent_harness.h"
#include "wait_util.h"

namespace kscope::test {
namespace {

// A child opening /dev/null about `per_second` times a second for `seconds`.
pid_t open_storm(int per_second, int seconds) {
    pid_t pid = fork();
    if (pid == 0) {
        using C = std::chrono::steady_clock;
        const auto end = C::now() + std::chrono::seconds(seconds);
        const auto tick = std::chrono::milliseconds(10);
        auto next = C::now();
        while (C::now() < end) {
            for (int i = 0; i < per_second / 100; i++)
                close(open("/dev/null", O_RDONLY));
            next += tick;
            std::this_thread::sleep_until(next);
        }
        _exit(0);
    }
    return pid;
}

const std::string kConfig = R"(limits: {cpu_percent: 5}
probes:
  open: {enabled: true}
  syscalls: {enabled: false}
  filetop: {enabled: false}
  runqlat: {enabled: false}
  biolat: {enabled: false}
profiling: {enabled: false}
)";

TEST(Governor, ShedsAnOpenStormUnderBudgetAndGivesItBack) {
    REQUIRE_ROOT();
    Agent a(kConfig);
    ASSERT_TRUE(a.ready()) << a.process().stderr_text();
    EXPECT_EQ(a.metric("kscope_governor_budget_ratio"), 0.05);
    EXPECT_EQ(a.metric("kscope_governor_sample_every{probe=\"open\"}"), 1);
    pid_t storm = open_storm(25000, 40);
    // Within 10 s: sampled, and the cost of the last interval under budget.
    double cost = -1, sample = 0;
    const bool under = eventually([&] {
        cost = a.metric("kscope_self_cpu_ratio");
        sample = a.metric("kscope_governor_sample_every{probe=\"open\"}");
        return sample > 1 && cost >= 0 && cost < 0.05;
    }, std::chrono::seconds(10), std::chrono::milliseconds(500));
    EXPECT_TRUE(under) << "cost " << cost << " sample 1 in " << sample << "\n" << a.process().stderr_text();
    EXPECT_EQ(a.metric("kscope_governor_active"), 1);
    EXPECT_GE(a.metric("kscope_governor_actions_total{action=\"sample\"}"), 1);
    EXPECT_GT(a.metric("kscope_events_sampled_out_total{probe=\"open\"}"), 0);
    // It holds while the storm goes on.
    std::this_thread::sleep_for(std::chrono::seconds(5));
    EXPECT_GT(a.metric("kscope_governor_sample_every{probe=\"open\"}"), 1);
    kill(storm, SIGKILL);
    waitpid(storm, nullptr, 0);
    // Calm: every step undone, last first. Asked once a second: each /metrics costs the
    // agent a few ms, and ten a second would be a load of their own.
    EXPECT_TRUE(eventually([&] { return a.metric("kscope_governor_sample_every{probe=\"open\"}") == 1; },
                           std::chrono::seconds(45), std::chrono::seconds(1)))
        << a.process().stderr_text();
    EXPECT_EQ(a.metric("kscope_governor_active"), 0);
    // And said so in the log.
    EXPECT_TRUE(a.process().wait_stderr("probe open back to 1 event in 1", std::chrono::seconds(2)))
        << a.process().stderr_text();
    EXPECT_NE(a.process().stderr_text().find("over its 5%: probe open now sends 1 event in "), std::string::npos)
        << a.process().stderr_text();
}

}  // namespace
}  // namespace kscope::test
