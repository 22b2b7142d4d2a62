// kscope exit against the real kernel.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <thread>

#include "harness.h"

namespace kscope::test {
namespace {

TEST(ExitProbe, ReportsExitCodeAndLifetime) {
    REQUIRE_ROOT();
    Kscope k({"exit", "--json"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t child = spawn([] {
        usleep(50'000);
        _exit(3);
    });
    wait_child(child);
    k.stop();

    auto events = events_for(k.json_lines(), "exit", child);
    ASSERT_EQ(events.size(), 1u) << k.stdout_text();
    const auto& e = events[0];
    EXPECT_EQ(e["exit_code"], 3);
    EXPECT_EQ(e["signal"], 0);
    EXPECT_EQ(e["signal_name"], "");
    EXPECT_EQ(e["core_dumped"], false);
    EXPECT_EQ(e["ppid"], getpid());
    EXPECT_EQ(e["tid"], child);
    EXPECT_GE(e["duration_ns"].get<uint64_t>(), 50'000'000u);
    EXPECT_LT(e["duration_ns"].get<uint64_t>(), 5'000'000'000u);
}

TEST(ExitProbe, ReportsTheKillingSignal) {
    REQUIRE_ROOT();
    Kscope k({"exit", "--json"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t child = spawn([] {
        for (;;)
            pause();
    });
    usleep(20'000);
    kill(child, SIGKILL);
    wait_child(child);
    k.stop();

    auto events = events_for(k.json_lines(), "exit", child);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0]["signal"], 9);
    EXPECT_EQ(events[0]["signal_name"], "SIGKILL");
    EXPECT_EQ(events[0]["exit_code"], 0);
}

TEST(ExitProbe, ReportsAProcessOnceWhateverItsThreads) {
    REQUIRE_ROOT();
    Kscope k({"exit", "--json"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t child = spawn([] {
        std::thread t1([] { usleep(10'000); });
        std::thread t2([] { usleep(10'000); });
        t1.join();
        t2.join();
        std::thread t3([] { pause(); });
        t3.detach();
        usleep(10'000);
        _exit(4);  // exit_group with a thread still running
    });
    wait_child(child);
    k.stop();
    auto events = events_for(k.json_lines(), "exit", child);
    ASSERT_EQ(events.size(), 1u) << k.stdout_text();
    EXPECT_EQ(events[0]["exit_code"], 4);
}

TEST(ExitProbe, FailuresOnlySkipsCleanExits) {
    REQUIRE_ROOT();
    Kscope k({"exit", "--json", "-x"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t clean = spawn([] { _exit(0); });
    wait_child(clean);
    pid_t failed = spawn([] { _exit(1); });
    wait_child(failed);
    k.stop();
    auto all = k.json_lines();
    EXPECT_TRUE(events_for(all, "exit", clean).empty());
    EXPECT_EQ(events_for(all, "exit", failed).size(), 1u);
}

}  // namespace
}  // namespace kscope::test
