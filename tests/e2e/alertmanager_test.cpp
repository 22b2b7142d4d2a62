// Alertmanager (Debian's prometheus-alertmanager) receives the agent's test alert and a
// rule's alert through its v2 API.
#include <gtest/gtest.h>
#include <httplib.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "agent_harness.h"
#include "servers.h"

namespace kscope::test {
namespace {

constexpr const char* kAlertmanager = "/usr/bin/prometheus-alertmanager";

// A real Alertmanager on a free loopback port that routes nowhere, its files in dir.
struct Alertmanager {
    explicit Alertmanager(const std::string& dir)
        : port(free_port()),
          process("alertmanager",
                  {kAlertmanager, "--config.file=" + write_config(dir), "--storage.path=" + dir + "/data",
                   "--web.listen-address=127.0.0.1:" + std::to_string(port), "--cluster.listen-address="},
                  dir) {}
    static std::string write_config(const std::string& dir) {
        std::ofstream(dir + "/alertmanager.yml") << "route:\n  receiver: nowhere\nreceivers:\n  - name: nowhere\n";
        return dir + "/alertmanager.yml";
    }
    uint16_t port;
    ServerProcess process;
};

TEST(Alertmanager, ReceivesTheTestAlert) {
    REQUIRE_ROOT();
    ASSERT_TRUE(std::filesystem::exists(kAlertmanager)) << "alertmanager missing: scripts/bootstrap installs it";
    TempDir tmp("kscope-e2e-am");
    Alertmanager alertmanager(tmp.path());
    ServerProcess& am = alertmanager.process;
    const uint16_t port = alertmanager.port;
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

// A rule's alert reaches Alertmanager with the rule's labels and its output.
TEST(Alertmanager, ReceivesARuleAlert) {
    REQUIRE_ROOT();
    ASSERT_TRUE(std::filesystem::exists(kAlertmanager)) << "alertmanager missing: scripts/bootstrap installs it";
    TempDir tmp("kscope-e2e-am-rule");
    Alertmanager alertmanager(tmp.path());
    ServerProcess& am = alertmanager.process;
    const uint16_t port = alertmanager.port;
    ASSERT_TRUE(wait_http_ok(port, "/-/ready", 60)) << am.log();
    Agent agent("probes:\n  open: true\nprofiling: {enabled: false}\nexporters:\n  alertmanager:\n    url: http://127.0.0.1:" +
                std::to_string(port) + "\n    resolve_after: 10m\n");
    ASSERT_TRUE(agent.ready()) << agent.process().stderr_text();
    // The real action: a process reads /etc/shadow.
    pid_t reader = spawn([] {
        prctl(PR_SET_NAME, "shadowpeek");
        int fd = open("/etc/shadow", O_RDONLY);
        if (fd >= 0) close(fd);
    });
    wait_child(reader);

    nlohmann::json alert;
    for (int i = 0; i < 100 && alert.is_null(); i++) {
        usleep(100'000);
        std::string body;
        if (http_get(port, "/api/v2/alerts", body) != 200)
            continue;
        for (const auto& a : nlohmann::json::parse(body))
            if (a["labels"]["alertname"] == "Read sensitive file untrusted")
                alert = a;
    }
    ASSERT_FALSE(alert.is_null()) << am.log() << agent.process().stderr_text();
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    EXPECT_EQ(alert["labels"]["priority"], "Warning");
    EXPECT_EQ(alert["labels"]["host"], host);
    EXPECT_EQ(alert["labels"].value("container_id", ""), "");  // a host process: empty labels are dropped
    EXPECT_NE(alert["labels"]["tags"].get<std::string>().find("T1003.008"), std::string::npos);
    EXPECT_NE(alert["annotations"]["summary"].get<std::string>().find("file=/etc/shadow"), std::string::npos)
        << alert["annotations"];
    EXPECT_NE(alert["annotations"]["summary"].get<std::string>().find("process=shadowpeek"), std::string::npos);
    EXPECT_EQ(alert["status"]["state"], "active");
    // endsAt is startsAt + resolve_after (10 minutes); RFC 3339 times compare as text.
    const std::string ends = alert["endsAt"];
    EXPECT_GT(ends, alert["startsAt"].get<std::string>());
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
