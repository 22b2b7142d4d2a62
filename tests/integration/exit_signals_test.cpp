// kscope exit -x: processes killed by a signal are failures (SIGKILL, SIGSEGV, each with
// its signal_name), a clean exit 0 is not.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "wait_util.h"

namespace kscope::test {
namespace {

using namespace std::chrono_literals;

TEST(ExitFailures, KilledBySignalIsReportedCleanExitIsNot) {
    REQUIRE_ROOT();
    Kscope k({"exit", "--json", "-x"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();

    pid_t clean = spawn([] { _exit(0); });
    const int clean_status = wait_child(clean);
    ASSERT_TRUE(WIFEXITED(clean_status) && WEXITSTATUS(clean_status) == 0);

    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    pid_t killed = spawn([&] {
        close(ready[0]);
        if (write(ready[1], "r", 1) != 1)
            _exit(1);
        for (;;)
            pause();
    });
    close(ready[1]);
    char byte;
    ASSERT_EQ(read(ready[0], &byte, 1), 1);  // running, not just forked
    close(ready[0]);
    ASSERT_EQ(kill(killed, SIGKILL), 0);
    const int killed_status = wait_child(killed);
    ASSERT_TRUE(WIFSIGNALED(killed_status) && WTERMSIG(killed_status) == SIGKILL);

    pid_t segv = spawn([] {
        rlimit no_core{0, 0};  // no core file left behind
        setrlimit(RLIMIT_CORE, &no_core);
        signal(SIGSEGV, SIG_DFL);
        raise(SIGSEGV);
        _exit(0);  // not reached
    });
    const int segv_status = wait_child(segv);
    ASSERT_TRUE(WIFSIGNALED(segv_status) && WTERMSIG(segv_status) == SIGSEGV);

    EXPECT_TRUE(eventually([&] { return has_event(k, "exit", killed) && has_event(k, "exit", segv); }, 10s))
        << k.stdout_text();
    k.stop();  // the reader drains the ring once more: every exit above went through kscope
    const auto all = k.json_lines();

    EXPECT_TRUE(events_for(all, "exit", clean).empty()) << k.stdout_text();

    auto k_events = events_for(all, "exit", killed);
    ASSERT_EQ(k_events.size(), 1u) << k.stdout_text();
    EXPECT_EQ(k_events[0]["signal"], SIGKILL);
    EXPECT_EQ(k_events[0]["signal_name"], "SIGKILL");
    EXPECT_EQ(k_events[0]["exit_code"], 0);
    EXPECT_EQ(k_events[0]["core_dumped"], false);
    EXPECT_EQ(k_events[0]["ppid"], getpid());

    auto s_events = events_for(all, "exit", segv);
    ASSERT_EQ(s_events.size(), 1u) << k.stdout_text();
    EXPECT_EQ(s_events[0]["signal"], SIGSEGV);
    EXPECT_EQ(s_events[0]["signal_name"], "SIGSEGV");
    EXPECT_EQ(s_events[0]["exit_code"], 0);
    EXPECT_EQ(s_events[0]["core_dumped"], bool(WCOREDUMP(segv_status)));
    EXPECT_EQ(s_events[0]["ppid"], getpid());

    // -x keeps only failures: everything printed was killed or exited non-zero.
    for (const auto& e : all)
        EXPECT_TRUE(e["signal"].get<int>() != 0 || e["exit_code"].get<int>() != 0) << e.dump();
}

}  // namespace
}  // namespace kscope::test
