// Alertmanager (Debian's prometheus-alertmanager) receives the agent's test alert through
// its v2 API.
#include <gtest/gtest.h>
#include <httplib.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "agent_harness.h"
#include "servers.h"

namespace kscope::test {
namespace {

constexpr const char* kAlertmanager = "/usr/bin/prometheus-alertmanager";

TEST(Alertmanager, ReceivesTheTestAlert) {
    REQUIRE_ROOT();
    ASSERT_TRUE(std::filesystem::exists(kAlertmanager)) << "alertmanager missing: scripts/bootstrap installs it";
    TempDir tmp("kscope-e2e-am");
    const std::string& dir = tmp.path();
    const uint16_t port = free_port();
    std::ofstream(dir + "/alertmanager.yml") << "route:\n  receiver: nowhere\nreceivers:\n  - name: nowhere\n";
    ServerProcess am("alertmanager",
                     {kAlertmanager, "--config.file=" + dir + "/alertmanager.yml", "--storage.path=" + dir + "/data",
                      "--web.listen-address=127.0.0.1:" + std::to_string(port), "--cluster.listen-address="},
                     dir);
    ASSERT_TRUE(wait_http_ok(port, "/-/ready", 60)) << am.log();

    Agent agent("exporters:\n  alertmanager:\n    url: http://127.0.0.1:" + std::to_string(port) + "\n");
    ASSERT_TRUE(agent.ready()) << agent.process().stderr_text();
    httplib::Client c("127.0.0.1", agent.port());
    auto res = c.Post("/api/v1/alerts/test", "", "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 202);

    nlohmann::json alert;
    for (int i = 0; i < 100 && alert.is_null(); i++) {
        usleep(100'000);
        std::string body;
        if (http_get(port, "/api/v2/alerts", body) != 200)
            continue;
        for (const auto& a : nlohmann::json::parse(body))
            if (a["labels"]["alertname"] == "KscopeTestAlert")
                alert = a;
    }
    ASSERT_FALSE(alert.is_null()) << am.log();
    EXPECT_EQ(alert["labels"]["severity"], "info");
    EXPECT_FALSE(alert["labels"]["instance"].get<std::string>().empty());
    EXPECT_EQ(alert["annotations"]["summary"], "kscope test alert");
    EXPECT_EQ(alert["status"]["state"], "active");
    agent.process().stop(SIGTERM);
    am.stop();
}

TEST(Alertmanager, TestAlertWithoutExporterIs404) {
    REQUIRE_ROOT();
    Agent agent;
    ASSERT_TRUE(agent.ready()) << agent.process().stderr_text();
    httplib::Client c("127.0.0.1", agent.port());
    auto res = c.Post("/api/v1/alerts/test", "", "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404);
    EXPECT_NE(res->body.find("exporters.alertmanager"), std::string::npos);
}

}  // namespace
}  // namespace kscope::test
