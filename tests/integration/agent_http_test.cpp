// The agent's HTTP side as a user meets it: a taken address or an unusable data
// directory fails fast, before any probe attaches; every error has a JSON body; live
// streams end with a message when the agent stops.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "agent_harness.h"

namespace kscope::test {
namespace {

const std::string kQuiet = "probes:\n  exec:\n    comms: [ks_http_none]\n";

// A second agent on a taken address exits 1, and attaches nothing first.
TEST(AgentHttp, TakenAddressIsAnError) {
    REQUIRE_ROOT();
    Agent first(kQuiet);
    ASSERT_TRUE(first.ready()) << first.process().stderr_text();
    TempDir dir("kscope-agent-second");
    const auto t0 = std::chrono::steady_clock::now();
    Kscope second({"agent", "--listen", "127.0.0.1:" + std::to_string(first.port()), "--data-dir", dir.path()}, false,
                  {}, "cannot listen");
    int status = second.wait_exit(std::chrono::seconds(20));
    ASSERT_NE(status, -1) << "the second agent kept running on a taken address";
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << status;
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
    EXPECT_NE(second.stderr_text().find("cannot listen on 127.0.0.1:" + std::to_string(first.port())),
              std::string::npos)
        << second.stderr_text();
    EXPECT_EQ(second.stderr_text().find("probe exec running"), std::string::npos) << second.stderr_text();
    // The first one still answers every scrape.
    for (int i = 0; i < 5; i++) {
        std::string body;
        EXPECT_EQ(first.get("/healthz", body), 200);
    }
}

TEST(AgentHttp, DataDirThatCannotBeCreatedFailsBeforeProbes) {
    REQUIRE_ROOT();
    Kscope k({"agent", "--listen", "127.0.0.1:0", "--data-dir", "/proc/kscope-cannot-exist"}, false, {},
             "kscope-cannot-exist");
    int status = k.wait_exit(std::chrono::seconds(20));
    ASSERT_NE(status, -1);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << status;
    EXPECT_NE(k.stderr_text().find("/proc/kscope-cannot-exist"), std::string::npos) << k.stderr_text();
    EXPECT_EQ(k.stderr_text().find("running"), std::string::npos) << k.stderr_text();
}

// The kernel's backlog for the listening socket: ss shows it as Send-Q.
TEST(AgentHttp, ListenBacklogIsNotFive) {
    REQUIRE_ROOT();
    Agent a(kQuiet);
    ASSERT_TRUE(a.ready()) << a.process().stderr_text();
    std::string cmd = "ss -Hltn 'sport = :" + std::to_string(a.port()) + "'";
    FILE* p = popen(cmd.c_str(), "r");
    std::array<char, 512> line{};
    ASSERT_NE(fgets(line.data(), line.size(), p), nullptr);
    pclose(p);
    char state[32];
    unsigned recv_q = 0, send_q = 0;
    ASSERT_EQ(sscanf(line.data(), "%31s %u %u", state, &recv_q, &send_q), 3) << line.data();
    EXPECT_EQ(send_q, 511u) << line.data();
}

std::string json_error(const std::string& body) {
    auto j = nlohmann::json::parse(body, nullptr, false);
    EXPECT_TRUE(j.is_object() && j.contains("error")) << body;
    return j.is_object() ? j.value("error", std::string()) : std::string();
}

TEST(AgentHttp, EveryErrorHasAJsonBody) {
    REQUIRE_ROOT();
    Agent a(kQuiet);
    ASSERT_TRUE(a.ready()) << a.process().stderr_text();
    std::string body;
    EXPECT_EQ(a.get("/no/such/path", body), 404);
    EXPECT_EQ(json_error(body), "GET /no/such/path: no such endpoint");
    EXPECT_EQ(a.get("/api/v1/events?type=bogus", body), 400);
    EXPECT_NE(json_error(body).find("'bogus' is not an event type (exec, exit, open"), std::string::npos) << body;
    EXPECT_EQ(a.get("/api/v1/events?since=2000&until=1000", body), 400);
    EXPECT_EQ(json_error(body), "parameter since (2000) is later than until (1000)");
    EXPECT_EQ(a.get("/api/v1/events?since=1000&until=2000", body), 200);
    EXPECT_EQ(body, "[\n]\n");
    EXPECT_EQ(a.get("/api/v1/alerts/test", body), 405);
    EXPECT_EQ(json_error(body), "GET /api/v1/alerts/test: method not allowed (use POST)");

    httplib::Client c("127.0.0.1", a.port());
    auto res = c.Post("/metrics", "x", "text/plain");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 405);
    EXPECT_EQ(res->get_header_value("Allow"), "GET");
    EXPECT_EQ(json_error(res->body), "POST /metrics: method not allowed (use GET)");
}

// A client of /api/v1/stream gets an end event and a properly ended body on SIGTERM.
TEST(AgentHttp, LiveStreamEndsCleanlyWhenTheAgentStops) {
    REQUIRE_ROOT();
    Agent a(kQuiet);
    ASSERT_TRUE(a.ready()) << a.process().stderr_text();
    std::string received;
    std::atomic<bool> done{false};
    bool complete = false;
    std::thread client([&] {
        httplib::Client c("127.0.0.1", a.port());
        c.set_read_timeout(20, 0);
        auto res = c.Get("/api/v1/stream?type=exec", [&](const char* data, size_t n) {
            received.append(data, n);
            return true;
        });
        complete = res && res->status == 200;
        done = true;
    });
    ASSERT_TRUE(a.wait_metric("kscope_stream_clients", 1, 10)) << "the stream client never subscribed";
    const auto t0 = std::chrono::steady_clock::now();
    int status = a.process().stop(SIGTERM);
    client.join();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(8));
    EXPECT_TRUE(complete) << "the stream was cut instead of ended";
    EXPECT_NE(received.find("event: end\ndata: {\"reason\":\"agent stopping\"}\n\n"), std::string::npos) << received;
}

TEST(AgentHttp, SighupWithoutConfigChangesNothingAndSaysSo) {
    REQUIRE_ROOT();
    Agent a;  // built-in defaults, no --config
    ASSERT_TRUE(a.ready()) << a.process().stderr_text();
    kill(a.process().pid(), SIGHUP);
    EXPECT_TRUE(a.process().wait_stderr("SIGHUP: nothing to reload, the agent was started without --config",
                                        std::chrono::seconds(10)))
        << a.process().stderr_text();
    std::string body;
    EXPECT_EQ(a.get("/healthz", body), 200);
    EXPECT_EQ(a.process().stderr_text().find("configuration reloaded"), std::string::npos);
}

}  // namespace
}  // namespace kscope::test
