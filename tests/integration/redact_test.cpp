// Secrets in command lines never leave kscope: not in a tool's output, the agent's stored
// events, its alerts' output and ancestry; they are counted; --show-secrets shows them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "agent_harness.h"
#include "harness.h"
#include "wait_util.h"

namespace kscope::test {
namespace {

TEST(Redaction, ExecToolHidesSecretsUnlessAsked) {
    REQUIRE_ROOT();
    const std::vector<std::string> argv = {"/bin/true", "--password", "hunter2", "token=abc123", "postgres://u:pw9@db/x"};
    {
        Kscope k({"exec", "--json"});
        ASSERT_TRUE(k.ready()) << k.stderr_text();
        pid_t child = run_exec("/bin/true", argv);
        k.stop();
        auto events = events_for(k.json_lines(), "exec", child);
        ASSERT_EQ(events.size(), 1u) << k.stdout_text();
        EXPECT_EQ(events[0]["argv"].get<std::vector<std::string>>(),
                  (std::vector<std::string>{"/bin/true", "--password", "***", "token=***", "postgres://u:***@db/x"}));
        EXPECT_EQ(k.stdout_text().find("hunter2"), std::string::npos);
    }
    Kscope k({"exec", "--json", "--show-secrets"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t child = run_exec("/bin/true", argv);
    k.stop();
    auto events = events_for(k.json_lines(), "exec", child);
    ASSERT_EQ(events.size(), 1u) << k.stdout_text();
    EXPECT_EQ(events[0]["argv"].get<std::vector<std::string>>(), argv);
}

TEST(Redaction, AgentStoresAndAlertsWithoutSecrets) {
    REQUIRE_ROOT();
    Agent a;
    ASSERT_TRUE(a.ready()) << a.process().stderr_text();
    // Breaks "Search private keys or passwords" (grep for password=), with a secret in it.
    ASSERT_EQ(run_shell("sh -c \"grep -r password=s3cretvalue /nonexistent-kscope-redact; true\"").status, 0);
    std::string alerts;
    ASSERT_TRUE(eventually([&] {
        return a.get("/api/v1/alerts?rule=Search%20private%20keys%20or%20passwords", alerts) == 200 &&
               alerts.find("grep") != std::string::npos;
    }, std::chrono::seconds(10))) << alerts;
    EXPECT_EQ(alerts.find("s3cretvalue"), std::string::npos) << alerts;
    auto list = nlohmann::json::parse(alerts);
    ASSERT_FALSE(list.empty());
    const auto& alert = list.back();
    EXPECT_NE(alert["output"].get<std::string>().find("password=***"), std::string::npos) << alert.dump();
    ASSERT_TRUE(alert.contains("ancestry")) << alert.dump();
    // The shells that ran grep (those above them, up to make's, are not ours).
    bool sh_seen = false;
    for (const auto& p : alert["ancestry"]) {
        const std::string cmdline = p["cmdline"].get<std::string>();
        if (p["comm"] == "sh" && cmdline.find("nonexistent-kscope-redact") != std::string::npos) {
            sh_seen = true;
            EXPECT_NE(cmdline.find("password=***"), std::string::npos) << alert.dump();
        }
    }
    EXPECT_TRUE(sh_seen) << alert.dump();
    // Nothing stored holds it, and the replacements are counted.
    std::string found;
    ASSERT_EQ(a.get("/api/v1/events?q=s3cretvalue&since=5m", found), 200);
    EXPECT_EQ(found, "[\n]\n");
    ASSERT_EQ(a.get("/api/v1/events?type=exec&comm=grep&since=5m", found), 200);
    EXPECT_NE(found.find("password=***"), std::string::npos) << found;
    EXPECT_GE(a.metric("kscope_redactions_total"), 2);  // sh's and grep's command lines
}

}  // namespace
}  // namespace kscope::test
