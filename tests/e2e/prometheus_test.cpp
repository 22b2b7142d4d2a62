// Prometheus (Debian's prometheus package) scrapes the agent; the test reads the exec
// counter back through Prometheus' own query API after causing exactly that many execs.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "agent_harness.h"
#include "servers.h"

namespace kscope::test {
namespace {

constexpr const char* kPrometheus = "/usr/bin/prometheus";

// Polls an instant query (URL-encoded) until its first value equals want, for up to 30 s;
// returns the last value seen (-1 if none) and leaves the last answer in body.
double wait_query_value(uint16_t port, const std::string& query, double want, std::string& body) {
    double value = -1;
    for (int i = 0; i < 60 && value != want; i++) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        if (http_get(port, "/api/v1/query?query=" + query, body) != 200)
            continue;
        auto j = nlohmann::json::parse(body, nullptr, false);
        if (j.is_discarded() || j["data"]["result"].empty())
            continue;
        value = std::stod(j["data"]["result"][0]["value"][1].get<std::string>());
    }
    return value;
}

TEST(Prometheus, ScrapesTheExecCounter) {
    REQUIRE_ROOT();
    ASSERT_TRUE(std::filesystem::exists(kPrometheus)) << "prometheus missing: scripts/bootstrap installs it";
    TempDir tmp("kscope-e2e-prom");
    const std::string& dir = tmp.path();
    Agent agent("probes:\n  exec:\n    comms: [kse2e_true]\n");
    ASSERT_TRUE(agent.ready()) << agent.process().stderr_text();

    const uint16_t prom_port = free_port();
    std::ofstream(dir + "/prometheus.yml") << "global:\n  scrape_interval: 1s\nscrape_configs:\n"
                                              "  - job_name: kscope\n    static_configs:\n"
                                              "      - targets: ['127.0.0.1:"
                                           << agent.port() << "']\n";
    ServerProcess prom("prometheus",
                       {kPrometheus, "--config.file=" + dir + "/prometheus.yml", "--storage.tsdb.path=" + dir + "/data",
                        "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)},
                       dir);
    ASSERT_TRUE(wait_http_ok(prom_port, "/-/ready", 60)) << prom.log();

    const std::string prog = true_named(dir, "kse2e_true");
    constexpr int kExecs = 25;
    for (int i = 0; i < kExecs; i++)
        ASSERT_EQ(wait_child(run_exec(prog, {prog})), 0);

    // Wait for a scrape that saw all of them.
    std::string body;
    EXPECT_EQ(wait_query_value(prom_port, "kscope_events_total%7Bprobe%3D%22exec%22%7D", kExecs, body), kExecs) << body << "\n" << prom.log();
    // The scrape itself is healthy: Prometheus parsed every family.
    ASSERT_EQ(http_get(prom_port, "/api/v1/query?query=up%7Bjob%3D%22kscope%22%7D", body), 200);
    EXPECT_NE(body.find("\"1\""), std::string::npos) << body;
    prom.stop();
}

// The agent pushes (remote write 1.0) to a Prometheus that scrapes nothing itself.
TEST(Prometheus, ReceivesRemoteWrite) {
    REQUIRE_ROOT();
    ASSERT_TRUE(std::filesystem::exists(kPrometheus)) << "prometheus missing: scripts/bootstrap installs it";
    TempDir tmp("kscope-e2e-rw");
    const std::string& dir = tmp.path();
    const uint16_t prom_port = free_port();
    std::ofstream(dir + "/prometheus.yml") << "global:\n  scrape_interval: 15s\nscrape_configs: []\n";
    ServerProcess prom("prometheus",
                       {kPrometheus, "--config.file=" + dir + "/prometheus.yml", "--storage.tsdb.path=" + dir + "/data",
                        "--web.listen-address=127.0.0.1:" + std::to_string(prom_port),
                        "--web.enable-remote-write-receiver"},
                       dir);
    ASSERT_TRUE(wait_http_ok(prom_port, "/-/ready", 60)) << prom.log();
    Agent agent("probes:\n  exec:\n    comms: [kse2e_rw]\nremote_write:\n  url: http://127.0.0.1:" +
                std::to_string(prom_port) + "/api/v1/write\n  interval: 1s\n");
    ASSERT_TRUE(agent.ready()) << agent.process().stderr_text();

    const std::string prog = true_named(dir, "kse2e_rw");
    constexpr int kExecs = 10;
    for (int i = 0; i < kExecs; i++)
        ASSERT_EQ(wait_child(run_exec(prog, {prog})), 0);

    std::string body;
    EXPECT_EQ(wait_query_value(prom_port, "kscope_events_total%7Bprobe%3D%22exec%22%2Cjob%3D%22kscope%22%7D", kExecs,
                               body),
              kExecs) << body << "\n" << prom.log();
    // The agent counts what the receiver took: the counter is there and above 0 (it is
    // bumped after the receiver's answer, which may come just after the query saw the data).
    double samples = -1;
    for (int i = 0; i < 50 && samples <= 0; i++) {
        samples = agent.metric("kscope_remote_write_samples_total");
        if (samples <= 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_GT(samples, 0) << "kscope_remote_write_samples_total missing (-1) or 0";
    prom.stop();
}

}  // namespace
}  // namespace kscope::test
