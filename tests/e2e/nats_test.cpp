// NATS JetStream (Debian's nats-server) receives the agent's events; the server is
// stopped while events keep coming and restarted; every event arrives exactly once.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <thread>

#include "agent_harness.h"
#include "servers.h"

namespace kscope::test {
namespace {

constexpr const char* kNatsServer = "/usr/sbin/nats-server";

TEST(Nats, EveryEventExactlyOnceAcrossAServerRestart) {
    REQUIRE_ROOT();
    ASSERT_TRUE(std::filesystem::exists(kNatsServer)) << "nats-server missing: scripts/bootstrap installs it";
    TempDir tmp("kscope-e2e-nats");
    const std::string& dir = tmp.path();
    const uint16_t port = free_port();
    const std::vector<std::string> server_argv = {kNatsServer, "-js", "-a", "127.0.0.1", "-p", std::to_string(port),
                                                  "-sd", dir + "/jetstream"};
    auto nats = std::make_unique<ServerProcess>("nats", server_argv, dir);
    ASSERT_TRUE(wait_tcp_open(port, 20)) << nats->log();

    // Only these execs reach the exporter, so its counters count them alone.
    Agent agent("probes:\n  exec:\n    comms: [kse2e_nats]\n  exit: false\n  tcp: false\n  drops: false\n"
                "  dns: false\n  syscalls: false\n  privilege: false\n  namespaces: false\n  filechange: false\n  socket: false\nexporters:\n  nats:\n    url: nats://127.0.0.1:" +
                std::to_string(port) + "\n");
    ASSERT_TRUE(agent.ready()) << agent.process().stderr_text();
    const std::string prog = true_named(dir, "kse2e_nats");
    auto run = [&](int from, int to) {
        for (int i = from; i < to; i++)
            ASSERT_EQ(wait_child(run_exec(prog, {prog, "run", std::to_string(i)})), 0);
    };
    const std::string sent = "kscope_exporter_sent_total{exporter=\"nats\"}";

    run(0, 20);
    ASSERT_TRUE(agent.wait_metric(sent, 20, 20)) << agent.metric(sent) << agent.process().stderr_text();

    nats->stop();  // events keep coming while it is down
    run(20, 40);
    ASSERT_TRUE(agent.wait_metric("kscope_exporter_up{exporter=\"nats\"}", 0, 20))
        << agent.metric("kscope_exporter_up{exporter=\"nats\"}") << agent.process().stderr_text();

    nats = std::make_unique<ServerProcess>("nats", server_argv, dir);
    ASSERT_TRUE(wait_tcp_open(port, 20)) << nats->log();
    run(40, 60);
    ASSERT_TRUE(agent.wait_metric(sent, 60, 60)) << agent.metric(sent) << agent.process().stderr_text();
    EXPECT_EQ(agent.metric("kscope_exporter_dropped_total{exporter=\"nats\"}"), 0);

    auto seen = nats_stream_runs(port);
    EXPECT_EQ(seen.size(), 60u);
    for (int i = 0; i < 60; i++)
        EXPECT_EQ(seen[i], 1) << "run " << i;
    agent.process().stop(SIGTERM);
    nats->stop();
}

}  // namespace
}  // namespace kscope::test
