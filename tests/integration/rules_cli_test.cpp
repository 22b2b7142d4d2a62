// kscope rules check|list|test: exit codes, one line per rule, errors at file:line:column.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <iterator>
#include <sstream>

#include "harness.h"

namespace kscope::test {
namespace {

const std::string kBin = KSCOPE_BINARY;

size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) n++;
    return n;
}

TEST(RulesCli, CheckBuiltInRules) {
    auto r = run_shell(kBin + " rules check");
    EXPECT_EQ(WEXITSTATUS(r.status), 0) << r.text;
    EXPECT_GE(count(r.text, "\": loaded\n"), 30u) << r.text;
    EXPECT_EQ(count(r.text, "\": skipped"), 0u) << r.text;
    EXPECT_NE(r.text.find(" rules loaded, 0 skipped\n"), std::string::npos) << r.text;
    EXPECT_NE(r.text.find("kscope-default-rules.yaml:"), std::string::npos);
}

TEST(RulesCli, CheckReportsSkippedRulesAndErrors) {
    TempDir dir("kscope-rules-cli");
    const std::string file = dir.path() + "/mine.yaml";
    // Appends to a built-in list, one rule that loads, one that needs a field kscope lacks.
    std::ofstream(file) << "- list: shell_binaries\n  items: [mksh]\n  append: true\n"
                           "- rule: Mine\n  desc: d\n  condition: spawned_process and proc.name in (shell_binaries)\n"
                           "  output: shell %proc.name\n  priority: notice\n"
                           "- rule: Pods\n  desc: d\n  condition: spawned_process and k8s.pod.name = x\n"
                           "  output: o\n  priority: notice\n";
    auto r = run_shell(kBin + " rules check " + file);
    EXPECT_EQ(WEXITSTATUS(r.status), 1) << r.text;
    EXPECT_EQ(shell_stdout(kBin + " rules check " + file), file + ":4: rule \"Mine\": loaded\n" + file +
                          ":9: rule \"Pods\": skipped: field 'k8s.pod.name' is Falco's but kscope does not have it\n");
    std::ofstream(file) << "- rule: Bad\n  desc: d\n  condition: evt.type = execve and proc.nme = x\n"
                           "  output: o\n  priority: notice\n";
    auto bad = run_shell(kBin + " rules check " + file);
    EXPECT_EQ(WEXITSTATUS(bad.status), 2) << bad.text;
    EXPECT_EQ(bad.text, file + ":3:36: rule 'Bad': unknown field 'proc.nme'\n");
    auto missing = run_shell(kBin + " rules check " + dir.path() + "/nope.yaml");
    EXPECT_EQ(WEXITSTATUS(missing.status), 2) << missing.text;
    EXPECT_NE(missing.text.find("nope.yaml: cannot read the rules file"), std::string::npos) << missing.text;
}

TEST(RulesCli, ListAsJson) {
    auto r = run_shell(kBin + " rules list --json");
    EXPECT_EQ(WEXITSTATUS(r.status), 0) << r.text;
    std::istringstream in(r.text);
    size_t n = 0;
    for (std::string line; std::getline(in, line);) {
        auto j = nlohmann::json::parse(line);
        EXPECT_FALSE(j["rule"].get<std::string>().empty());
        EXPECT_FALSE(j["tags"].empty()) << line;
        EXPECT_FALSE(j["event_types"].empty()) << line;
        n++;
    }
    EXPECT_GE(n, 30u);
    auto table = shell(kBin + " rules list");
    EXPECT_EQ(table.rfind("RULE", 0), 0u) << table;
    EXPECT_NE(table.find("Read sensitive file untrusted"), std::string::npos);
}

TEST(RulesCli, TestRunsRecordedEvents) {
    TempDir dir("kscope-rules-test");
    const std::string events = dir.path() + "/events.jsonl";
    // An open of /etc/shadow by an unexpected program, then one of /etc/hostname.
    const std::string common =
        R"("ts":1700000000000000000,"pid":4242,"tid":4242,"ppid":1,"uid":0,"gid":0,"comm":"shadowpeek","cgroup_id":1,"container_id":"")";
    std::ofstream(events) << R"({"type":"open",)" << common
                          << R"(,"syscall":"openat","path":"/etc/shadow","resolved_path":"/etc/shadow","resolution":"as_passed","dirfd":-100,"flags":"O_RDONLY","mode":"","resolve_flags":"","ret":3,"error":""})"
                          << "\n"
                          << R"({"type":"open",)" << common
                          << R"(,"syscall":"openat","path":"/etc/hostname","resolved_path":"/etc/hostname","resolution":"as_passed","dirfd":-100,"flags":"O_RDONLY","mode":"","resolve_flags":"","ret":3,"error":""})"
                          << "\n";
    auto r = run_shell(kBin + " rules test --events " + events);
    EXPECT_EQ(WEXITSTATUS(r.status), 0) << r.text;
    EXPECT_NE(r.text.find("2 events, 1 alerts\n"), std::string::npos) << r.text;
    const std::string out = shell_stdout(kBin + " rules test --events " + events);
    EXPECT_EQ(out.rfind(events + ":1: Read sensitive file untrusted [Warning] Sensitive file opened for reading by "
                                    "non-trusted program (file=/etc/shadow user=root uid=0 process=shadowpeek",
                           0),
              0u)
        << out;
    EXPECT_EQ(count(out, "\n"), 1u) << out;
    auto alert = nlohmann::json::parse(shell_stdout(kBin + " rules test --json --events " + events));
    EXPECT_EQ(alert["type"], "alert");
    EXPECT_EQ(alert["rule"], "Read sensitive file untrusted");
    EXPECT_EQ(alert["event"]["resolved_path"], "/etc/shadow");
    // The API's array form gives the same alerts, numbered by element.
    std::string lines;
    {
        std::ifstream in(events);
        lines.assign(std::istreambuf_iterator<char>(in), {});
    }
    std::ofstream(events) << "[\n" << lines.substr(0, lines.find('\n')) << ",\n" << lines.substr(lines.find('\n') + 1)
                          << "]\n";
    EXPECT_EQ(shell_stdout(kBin + " rules test --events " + events), out);
    std::ofstream(events) << "{\"type\":\"bogus\"}\n";
    auto bad = run_shell(kBin + " rules test --events " + events);
    EXPECT_EQ(WEXITSTATUS(bad.status), 2);
    EXPECT_NE(bad.text.find(events + ":1: "), std::string::npos) << bad.text;
}

}  // namespace
}  // namespace kscope::test
