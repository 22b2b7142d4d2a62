// The agent's rules end to end: the real action in a child, the alert in the store, on
// /api/v1/alerts and in kscope_alerts_total; a near miss raises nothing.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "agent_harness.h"

namespace kscope::test {
namespace {

const char* kConfig = R"(probes:
  open: true
profiling:
  enabled: false
)";

// The alerts of `rule` for `pid`, waiting up to `seconds` for at least `want`.
std::vector<nlohmann::json> alerts_for(const Agent& agent, const std::string& rule, pid_t pid, size_t want,
                                       int seconds = 5) {
    std::vector<nlohmann::json> out;
    for (int i = 0; i < seconds * 10; i++) {
        out.clear();
        std::string body;
        if (agent.get("/api/v1/alerts?limit=10000", body) == 200)
            for (const auto& a : nlohmann::json::parse(body))
                if (a["rule"] == rule && a["pid"] == pid) out.push_back(a);
        if (out.size() >= want) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return out;
}

TEST(RulesAgent, SensitiveFileReadAlertsAndNearMissDoesNot) {
    REQUIRE_ROOT();
    Agent agent(kConfig);
    ASSERT_TRUE(agent.ready()) << agent.process().stderr_text();
    // A process named shadowpeek opens /etc/shadow for reading (the alert) ...
    pid_t hit = spawn([] {
        prctl(PR_SET_NAME, "shadowpeek");
        int fd = open("/etc/shadow", O_RDONLY);
        if (fd >= 0) close(fd);
    });
    wait_child(hit);
    // ... and /etc/hostname (a near miss: not a sensitive file).
    pid_t miss = spawn([] {
        prctl(PR_SET_NAME, "shadowpeek");
        int fd = open("/etc/hostname", O_RDONLY);
        if (fd >= 0) close(fd);
    });
    wait_child(miss);
    auto alerts = alerts_for(agent, "Read sensitive file untrusted", hit, 1);
    ASSERT_EQ(alerts.size(), 1u) << agent.process().stderr_text();
    const auto& a = alerts[0];
    EXPECT_EQ(a["type"], "alert");
    EXPECT_EQ(a["priority"], "Warning");
    EXPECT_EQ(a["source"], "rule");
    EXPECT_EQ(a["action"], "alert");
    EXPECT_EQ(a["uid"], 0);
    EXPECT_EQ(a["event"]["type"], "open");
    EXPECT_EQ(a["event"]["resolved_path"], "/etc/shadow");
    EXPECT_EQ(a["event"]["pid"], hit);
    EXPECT_NE(a["tags"].dump().find("T1003.008"), std::string::npos) << a["tags"];
    EXPECT_NE(a["output"].get<std::string>().find("file=/etc/shadow user=root uid=0"), std::string::npos)
        << a["output"];
    EXPECT_TRUE(alerts_for(agent, "Read sensitive file untrusted", miss, 1, 1).empty());
    // The same alert in the store's event API and in the metrics.
    std::string body;
    ASSERT_EQ(agent.get("/api/v1/events?type=alert&pid=" + std::to_string(hit), body), 200);
    EXPECT_NE(body.find("Read sensitive file untrusted"), std::string::npos);
    ASSERT_EQ(agent.get("/api/v1/alerts?priority=warning&rule=Read%20sensitive%20file%20untrusted", body), 200);
    EXPECT_NE(body.find("\"pid\":" + std::to_string(hit)), std::string::npos);
    ASSERT_EQ(agent.get("/api/v1/alerts?priority=loud", body), 400);
    EXPECT_GE(agent.metric("kscope_alerts_total{rule=\"Read sensitive file untrusted\",priority=\"Warning\"}"), 1);
    EXPECT_GE(agent.metric("kscope_rules_loaded"), 30);
    // kscope alerts reads the same store.
    auto cli = run_shell(std::string(KSCOPE_BINARY) + " alerts --json --rule 'Read sensitive file untrusted' --data-dir " +
                         agent.data_dir());
    EXPECT_EQ(WEXITSTATUS(cli.status), 0) << cli.text;
    EXPECT_NE(cli.text.find("\"pid\":" + std::to_string(hit) + ","), std::string::npos) << cli.text;
    auto table = run_shell(std::string(KSCOPE_BINARY) + " alerts --priority warning --data-dir " + agent.data_dir());
    EXPECT_EQ(table.text.rfind("TIME", 0), 0u) << table.text;
    EXPECT_NE(table.text.find("Read sensitive file untrusted"), std::string::npos) << table.text;
}

TEST(RulesAgent, AlertsFollowPrintsNewAlerts) {
    REQUIRE_ROOT();
    Agent agent(kConfig);
    ASSERT_TRUE(agent.ready()) << agent.process().stderr_text();
    Kscope follow({"alerts", "-f", "--json", "--data-dir", agent.data_dir()}, /*stdout_pipe=*/true, {}, "following");
    ASSERT_TRUE(follow.ready()) << follow.stderr_text();
    pid_t hit = spawn([] {
        prctl(PR_SET_NAME, "shadowpeek");
        int fd = open("/etc/shadow", O_RDONLY);
        if (fd >= 0) close(fd);
    });
    wait_child(hit);
    nlohmann::json alert;
    for (int i = 0; i < 50 && alert.is_null(); i++) {
        std::string line = follow.read_line(std::chrono::milliseconds(200));
        if (line.empty()) continue;
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_discarded() && j["pid"] == hit) alert = j;
    }
    ASSERT_FALSE(alert.is_null()) << follow.stderr_text();
    EXPECT_EQ(alert["rule"], "Read sensitive file untrusted");
    EXPECT_EQ(WEXITSTATUS(follow.stop()), 0);
}

TEST(RulesAgent, PrivateKeySearchAlertsWithAncestry) {
    REQUIRE_ROOT();
    Agent agent(kConfig);
    ASSERT_TRUE(agent.ready()) << agent.process().stderr_text();
    pid_t hit = run_exec("/usr/bin/find", {"find", "/nonexistent-kscope", "-name", "id_rsa"});
    pid_t miss = run_exec("/usr/bin/find", {"find", "/nonexistent-kscope", "-name", "notes.txt"});
    auto alerts = alerts_for(agent, "Search private keys or passwords", hit, 1);
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0]["comm"], "find");
    EXPECT_EQ(alerts[0]["event"]["type"], "exec");
    EXPECT_EQ(alerts[0]["event"]["argv"], nlohmann::json::array({"find", "/nonexistent-kscope", "-name", "id_rsa"}));
    // The parent is this test binary, found through the process table.
    std::string comm;
    std::ifstream("/proc/self/comm") >> comm;
    EXPECT_NE(alerts[0]["output"].get<std::string>().find("parent=" + comm), std::string::npos) << alerts[0]["output"];
    EXPECT_TRUE(alerts_for(agent, "Search private keys or passwords", miss, 1, 1).empty());
}

TEST(RulesAgent, RateLimitCountsSuppressedAlerts) {
    REQUIRE_ROOT();
    Agent agent(std::string(kConfig) + "rules:\n  rate_limit:\n    per_second: 0.001\n    burst: 2\n");
    ASSERT_TRUE(agent.ready()) << agent.process().stderr_text();
    pid_t hit = spawn([] {
        prctl(PR_SET_NAME, "shadowpeek");
        for (int i = 0; i < 5; i++) {
            int fd = open("/etc/shadow", O_RDONLY);
            if (fd >= 0) close(fd);
        }
    });
    wait_child(hit);
    const std::string rule = "Read sensitive file untrusted";
    ASSERT_TRUE(agent.wait_metric("kscope_alerts_suppressed_total{rule=\"" + rule + "\",priority=\"Warning\"}", 3, 5));
    EXPECT_EQ(alerts_for(agent, rule, hit, 2).size(), 2u);
}

TEST(RulesAgent, CheckValidatesConfigAndRulesFiles) {
    REQUIRE_ROOT();
    TempDir dir("kscope-check");
    const std::string rules = dir.path() + "/mine.yaml", config = dir.path() + "/agent.yaml";
    std::ofstream(rules) << "- rule: Mine\n  desc: d\n  condition: evt.type = execve and proc.nme = x\n"
                            "  output: o\n  priority: warning\n";
    std::ofstream(config) << "rules:\n  files: [mine.yaml]\n";
    auto bad = run_shell(std::string(KSCOPE_BINARY) + " agent --check --config " + config);
    EXPECT_EQ(WEXITSTATUS(bad.status), 2) << bad.text;
    EXPECT_NE(bad.text.find(rules + ":3:36: rule 'Mine': unknown field 'proc.nme'"), std::string::npos) << bad.text;
    std::ofstream(rules) << "- rule: Mine\n  desc: d\n  condition: evt.type = execve and proc.name = x\n"
                            "  output: o\n  priority: warning\n";
    auto good = run_shell(std::string(KSCOPE_BINARY) + " agent --check --config " + config);
    EXPECT_EQ(WEXITSTATUS(good.status), 0) << good.text;
    EXPECT_NE(good.text.find("valid;"), std::string::npos) << good.text;
}

}  // namespace
}  // namespace kscope::test

namespace kscope::test {
namespace {

// SIGHUP re-reads the rules: a bad file is refused whole (the old rules keep alerting), a
// good one replaces them.
std::string open_rule(const std::string& name, const std::string& condition) {
    return "- rule: " + name + "\n  desc: d\n  condition: evt.type in (open, openat) and " + condition +
           "\n  output: opened %fd.name\n  priority: notice\n  tags: [T0000]\n";
}

pid_t open_as(const char* comm) {
    pid_t pid = spawn([comm] {
        prctl(PR_SET_NAME, comm);
        int fd = open("/etc/hostname", O_RDONLY);
        if (fd >= 0) close(fd);
    });
    wait_child(pid);
    return pid;
}

TEST(RulesAgent, ReloadRefusesABadRulesFileWhole) {
    REQUIRE_ROOT();
    TempDir dir("kscope-reload-rules");
    const std::string rules = dir.path() + "/mine.yaml";
    std::ofstream(rules) << open_rule("First", "proc.name = reloadone");
    Agent agent(std::string(kConfig) + "rules:\n  default: false\n  files: [" + rules + "]\n");
    ASSERT_TRUE(agent.ready()) << agent.process().stderr_text();
    pid_t one = open_as("reloadone");
    ASSERT_EQ(alerts_for(agent, "First", one, 1).size(), 1u) << agent.process().stderr_text();

    std::ofstream(rules) << open_rule("Second", "proc.nme = reloadtwo");
    kill(agent.process().pid(), SIGHUP);
    ASSERT_TRUE(agent.process().wait_stderr("unknown field 'proc.nme'", std::chrono::seconds(5)))
        << agent.process().stderr_text();
    EXPECT_NE(agent.process().stderr_text().find("reload refused"), std::string::npos);
    pid_t again = open_as("reloadone");
    EXPECT_EQ(alerts_for(agent, "First", again, 1).size(), 1u);  // the old rules still run

    std::ofstream(rules) << open_rule("Second", "proc.name = reloadtwo");
    kill(agent.process().pid(), SIGHUP);
    bool second = false;
    for (int i = 0; i < 25 && !second; i++) {  // the new session starts within a moment
        pid_t two = open_as("reloadtwo");
        second = !alerts_for(agent, "Second", two, 1, 1).empty();
    }
    EXPECT_TRUE(second) << agent.process().stderr_text();
    pid_t old = open_as("reloadone");
    EXPECT_TRUE(alerts_for(agent, "First", old, 1, 1).empty());  // First is gone with its file
}

}  // namespace
}  // namespace kscope::test
