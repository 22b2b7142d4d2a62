// Rules files: Falco's YAML format, merging across files, and errors at file:line:column.
#include <gtest/gtest.h>

#include <regex>

#include "rules/default_rules.h"
#include "rules/engine.h"
#include "rules/ruleset.h"

namespace kscope::rules {
namespace {

Result<RuleSet> load(std::vector<std::pair<std::string, std::string>> files) {
    std::vector<RulesSource> src;
    for (auto& [n, t] : files) src.push_back({n, t});
    return load_rules(src);
}

std::string error_of(std::vector<std::pair<std::string, std::string>> files) {
    auto r = load(std::move(files));
    return r ? "LOADED" : r.error().message;
}

TEST(RulesFile, DefaultRulesAllLoadWithMitreTags) {
    auto set = load_rules({{std::string(kDefaultRulesName), std::string(default_rules_text())}});
    ASSERT_TRUE(set) << set.error().message;
    EXPECT_GE(set->rules.size(), 30u);
    for (const auto& s : set->status) EXPECT_TRUE(s.loaded) << s.name << ": " << s.reason;
    const std::regex mitre("T[0-9]{4}(\\.[0-9]{3})?");
    for (const auto& r : set->rules) {
        bool tagged = false;
        for (const auto& t : r.tags) tagged |= std::regex_match(t, mitre);
        EXPECT_TRUE(tagged) << r.name << " has no MITRE ATT&CK id";
        EXPECT_FALSE(r.event_types.empty()) << r.name << " would see every event (no evt.type)";
    }
}

const char* kBase = R"(- list: shells
  items: [bash, sh]
- macro: spawned
  condition: evt.type = execve and evt.res = SUCCESS
- rule: Shell
  desc: a shell
  condition: spawned and proc.name in (shells)
  output: shell %proc.name by %user.name
  priority: warning
  tags: [T1059]
)";

TEST(RulesFile, ListsMacrosRulesAndEventTypes) {
    auto set = load({{"a.yaml", kBase}});
    ASSERT_TRUE(set) << set.error().message;
    ASSERT_EQ(set->rules.size(), 1u);
    const Rule& r = set->rules[0];
    EXPECT_EQ(r.name, "Shell");
    EXPECT_EQ(r.priority, Priority::Warning);
    EXPECT_EQ(priority_name(r.priority), "Warning");
    EXPECT_EQ(r.event_types, (std::set<std::string>{"execve"}));
    EXPECT_EQ(r.loc.text(), "a.yaml:5:9");
    EXPECT_EQ(set->lists, 1u);
    EXPECT_EQ(set->macros, 1u);
}

TEST(RulesFile, AppendAndOverrideAcrossFiles) {
    const char* more = R"(- list: shells
  items: [zsh]
  append: true
- rule: Shell
  condition: and user.uid = 0
  append: true
- rule: Shell
  priority: critical
  tags: [extra]
  override:
    priority: replace
    tags: append
)";
    auto set = load({{"a.yaml", kBase}, {"b.yaml", more}});
    ASSERT_TRUE(set) << set.error().message;
    const Rule& r = set->rules.at(0);
    EXPECT_EQ(r.priority, Priority::Critical);
    EXPECT_EQ(r.tags, (std::vector<std::string>{"T1059", "extra"}));
    EXPECT_NE(r.condition_text.find("and user.uid = 0"), std::string::npos) << r.condition_text;
}

TEST(RulesFile, ExceptionsBecomeAndNot) {
    const char* text = R"(- rule: Shell
  desc: d
  condition: evt.type = execve or evt.type = execveat
  output: o
  priority: notice
  exceptions:
    - name: known
      fields: [proc.name, user.uid]
      values:
        - [bash, "0"]
    - name: parents
      fields: proc.pname
      values: [sshd, cron]
)";
    auto set = load({{"x.yaml", text}});
    ASSERT_TRUE(set) << set.error().message;
    EXPECT_EQ(set->rules[0].condition_text,
              "(evt.type = execve or evt.type = execveat) and not ((proc.name = \"bash\" and user.uid = \"0\")) and not "
              "((proc.pname in (\"sshd\", \"cron\")))");
    EXPECT_EQ(set->rules[0].event_types, (std::set<std::string>{"execve", "execveat"}));
}

TEST(RulesFile, AppendingTagsToARuleWithoutTags) {
    auto set = load({{"a.yaml", "- rule: R\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: info\n"
                                "- rule: R\n  tags: [T1059]\n  override: {tags: append}\n"}});
    ASSERT_TRUE(set) << set.error().message;
    EXPECT_EQ(set->rules.at(0).tags, (std::vector<std::string>{"T1059"}));
}

TEST(RulesFile, ListNamesInExceptionValuesExpand) {
    auto set = load({{"a.yaml", "- list: parents\n  items: [sshd, cron]\n"
                                "- rule: R\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: info\n"
                                "  exceptions:\n    - name: p\n      fields: proc.pname\n      values: [parents, bash]\n"}});
    ASSERT_TRUE(set) << set.error().message;
    EXPECT_EQ(set->rules.at(0).condition_text,
              "(evt.type = execve) and not ((proc.pname in (parents, \"bash\")))");
}

TEST(RulesFile, ErrorsNameFileLineAndColumn) {
    // An unknown field inside a folded condition: the column of the field in the file.
    EXPECT_EQ(error_of({{"e.yaml", "- rule: R\n  desc: d\n  condition: >\n    evt.type = execve\n    and proc.nam = x\n"
                                   "  output: o\n  priority: warning\n"}}),
              "e.yaml:5:9: rule 'R': unknown field 'proc.nam'");
    EXPECT_EQ(error_of({{"e.yaml", "- rule: R\n  desc: d\n  condition: evt.type = execve and undefined_macro\n"
                                   "  output: o\n  priority: warning\n"}}),
              "e.yaml:3:36: rule 'R': undefined macro 'undefined_macro'");
    EXPECT_EQ(error_of({{"e.yaml", "- rule: R\n  desc: d\n  condition: proc.pid contains 3\n  output: o\n  priority: warning\n"}}),
              "e.yaml:3:14: rule 'R': operator 'contains' does not fit number field 'proc.pid'");
    EXPECT_EQ(error_of({{"e.yaml", "- rule: R\n  desc: d\n  condition: proc.name in nolist\n  output: o\n  priority: warning\n"}}),
              "e.yaml:3:27: rule 'R': undefined list 'nolist'");
    EXPECT_EQ(error_of({{"e.yaml", "- rule: R\n  desc: d\n  condition: proc.name = a\n  output: o\n  priority: loud\n"}}),
              "e.yaml:5:13: rule 'R': unknown priority 'loud' (emergency, alert, critical, error, warning, notice, "
              "informational, debug)");
    EXPECT_EQ(error_of({{"e.yaml", "- rule: R\n  desc: d\n  condition: proc.name = a\n  priority: warning\n"}}),
              "e.yaml:1:9: rule 'R' has no output");
    EXPECT_EQ(error_of({{"e.yaml", "- rule: R\n  append: true\n  condition: and x\n"}}),
              "e.yaml:1:9: rule 'R': append of a rule that is not defined");
    EXPECT_EQ(error_of({{"e.yaml", "- rule: [\n"}}).substr(0, 9), "e.yaml:2:");
    EXPECT_EQ(error_of({{"e.yaml", "- bogus: 1\n"}}),
              "e.yaml:1:3: unknown entry 'bogus' (expected list, macro, rule or required_engine_version)");
    EXPECT_EQ(error_of({{"e.yaml", "- macro: m\n  condition: proc.name = (\n- rule: R\n  desc: d\n  condition: m\n"
                                   "  output: o\n  priority: warning\n"}})
                  .substr(0, 12),
              "e.yaml:2:26:");
}

TEST(RulesFile, FalcoFieldsKscopeLacksSkipTheRule) {
    auto set = load({{"f.yaml", "- rule: K8s\n  desc: d\n  condition: evt.type = execve and k8s.ns.name = default\n"
                                "  output: o %k8s.pod.name\n  priority: warning\n"
                                "- rule: Off\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: info\n"
                                "  enabled: false\n"
                                "- rule: Audit\n  desc: d\n  condition: ka.verb = create\n  output: o\n  priority: info\n"
                                "  source: k8s_audit\n"}});
    ASSERT_TRUE(set) << set.error().message;
    EXPECT_TRUE(set->rules.empty());
    ASSERT_EQ(set->status.size(), 3u);
    EXPECT_EQ(set->status[0].reason, "field 'k8s.ns.name' is Falco's but kscope does not have it");
    EXPECT_EQ(set->status[1].reason, "disabled (enabled: false)");
    EXPECT_EQ(set->status[2].reason, "source 'k8s_audit' is not kscope's (syscall)");
}

// A skip names every missing field once, with the macro it hides in; a disabled rule says
// it is disabled whatever fields it lacks; evt.num (Falco's never_true) is kscope's.
TEST(RulesFile, SkipReasonsNameEveryFieldAndItsMacro) {
    auto set = load({{"f.yaml", "- macro: never_true\n  condition: (evt.num=0)\n"
                                "- macro: k8s\n  condition: k8s.ns.name = a or k8s.ns.name = b\n"
                                "- rule: Two\n  desc: d\n  condition: evt.type = execve and k8s and proc.vpid = 1 and "
                                "not never_true\n  output: o\n  priority: warning\n"
                                "- rule: Off\n  desc: d\n  condition: evt.type = execve and k8s\n  output: o\n"
                                "  priority: info\n  enabled: false\n"
                                "- rule: Never\n  desc: d\n  condition: evt.type = execve and never_true\n  output: o\n"
                                "  priority: info\n"}});
    ASSERT_TRUE(set) << set.error().message;
    ASSERT_EQ(set->status.size(), 3u);
    EXPECT_EQ(set->status[0].reason,
              "fields 'k8s.ns.name' (in macro 'k8s'), 'proc.vpid' are Falco's but kscope does not have them");
    EXPECT_EQ(set->status[1].reason, "disabled (enabled: false)");
    EXPECT_TRUE(set->status[2].loaded);
}

// kscope's `action:` (alert by default, kill, deny), also through an override.
TEST(RulesFile, ActionsAndTheirErrors) {
    const std::string base = "- rule: R\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: info\n";
    auto set = load({{"a.yaml", base + "  action: kill\n"}});
    ASSERT_TRUE(set) << set.error().message;
    EXPECT_EQ(set->rules.at(0).action, Action::Kill);
    EXPECT_TRUE(set->rules.at(0).checked);
    set = load({{"a.yaml", base}, {"b.yaml", "- rule: R\n  action: deny\n  override: {action: replace}\n"}});
    ASSERT_TRUE(set) << set.error().message;
    EXPECT_EQ(set->rules.at(0).action, Action::Deny);
    EXPECT_EQ(error_of({{"a.yaml", base + "  action: stop\n"}}),
              "a.yaml:6:11: rule 'R': unknown action 'stop' (alert, kill or deny)");
}

// Falco's rule: the last definition wins; kscope says so when one file replaces another's.
TEST(RulesFile, ReplacingAnotherFilesDefinitionWarns) {
    const char* base = "- list: l\n  items: [a]\n- macro: m\n  condition: proc.name in (l)\n"
                       "- rule: R\n  desc: d\n  condition: evt.type = execve and m\n  output: o\n  priority: info\n";
    auto set = load({{"a.yaml", base}, {"b.yaml", base}});
    ASSERT_TRUE(set) << set.error().message;
    ASSERT_EQ(set->warnings.size(), 3u);
    EXPECT_EQ(set->warnings[0], "b.yaml:1:9: list 'l' replaces the one at a.yaml:1:9");
    EXPECT_EQ(set->warnings[1], "b.yaml:3:10: macro 'm' replaces the one at a.yaml:3:10");
    EXPECT_EQ(set->warnings[2], "b.yaml:5:9: rule 'R' replaces the one at a.yaml:5:9");
    auto same = load({{"a.yaml", std::string(base) + "- list: l\n  items: [b]\n"}});
    ASSERT_TRUE(same);
    EXPECT_TRUE(same->warnings.empty());  // within one file: an ordinary redefinition
}

TEST(RulesFile, OutputTemplateFillsFields) {
    auto t = OutputTemplate::compile("user=%user.name pid=%proc.pid pod=%k8s.pod.name.");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->field_names(), (std::vector<std::string>{"user.name", "proc.pid", "k8s.pod.name"}));
    EXPECT_FALSE(OutputTemplate::compile("x %proc.nmae"));
}

}  // namespace
}  // namespace kscope::rules
