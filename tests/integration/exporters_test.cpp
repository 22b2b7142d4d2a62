// The agent's webhook and file exporters end to end: a webhook server (in the test) that
// fails its first requests still gets every event once and in order; the file exporter
// writes the same events as JSON lines.
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "agent_harness.h"

namespace kscope::test {
namespace {

TEST(Exporters, WebhookRetriesUntilItIsBackAndFileGetsEveryEvent) {
    REQUIRE_ROOT();
    TempDir tmp("kscope-exporters");
    const std::string& dir = tmp.path();
    httplib::Server hook;
    std::mutex mu;
    std::vector<nlohmann::json> received;
    int requests = 0;
    hook.Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard lock(mu);
        if (++requests <= 3) {  // down at first
            res.status = 503;
            return;
        }
        for (auto& e : nlohmann::json::parse(req.body))
            received.push_back(e);
        res.status = 204;
    });
    const int port = hook.bind_to_any_port("127.0.0.1");
    std::thread server([&] { hook.listen_after_bind(); });

    Agent agent("probes:\n  exec:\n    comms: [ksexp_true]\n  exit: false\n  tcp: false\n  drops: false\n"
                "  dns: false\n  syscalls: false\n  privilege: false\n  namespaces: false\n  filechange: false\n  socket: false\nexporters:\n  webhook:\n    url: http://127.0.0.1:" +
                std::to_string(port) + "/hook\n    batch: 4\n  file:\n    path: " + dir + "/events.jsonl\n");
    ASSERT_TRUE(agent.ready()) << agent.process().stderr_text();
    const std::string prog = true_named(dir, "ksexp_true");
    for (int i = 0; i < 30; i++)
        ASSERT_EQ(wait_child(run_exec(prog, {prog, "run", std::to_string(i)})), 0);
    for (int i = 0; i < 200; i++) {
        {
            std::lock_guard lock(mu);
            if (received.size() >= 30)
                break;
        }
        usleep(100'000);
    }
    agent.process().stop(SIGTERM);
    hook.stop();
    server.join();

    ASSERT_EQ(received.size(), 30u);
    for (int i = 0; i < 30; i++)
        EXPECT_EQ(received[i]["argv"][2], std::to_string(i));
    EXPECT_GE(requests, 4);
    std::ifstream in(dir + "/events.jsonl");
    int lines = 0;
    for (std::string l; std::getline(in, l); lines++)
        EXPECT_EQ(nlohmann::json::parse(l)["argv"][2], std::to_string(lines));
    EXPECT_EQ(lines, 30);
}

}  // namespace
}  // namespace kscope::test
