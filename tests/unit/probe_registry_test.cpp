// Which probes a set of rules needs: every event type the built-in rules name is made by
// some probe (a rule on a type no probe makes would never fire, silently).
#include <gtest/gtest.h>

#include "probes/registry.h"
#include "rules/default_rules.h"

namespace kscope {
namespace {

TEST(ProbeRegistry, EveryEventTypeOfTheBuiltInRulesHasAProbe) {
    auto sources = rules::rules_sources(true, {});
    ASSERT_TRUE(sources.ok());
    auto set = rules::load_rules(*sources);
    ASSERT_TRUE(set.ok()) << set.error().message;
    size_t types = 0;
    for (const auto& r : set->rules)
        for (const auto& t : r.event_types) {
            types++;
            EXPECT_FALSE(probes_for_event_types({t}).empty()) << "rule '" << r.name << "': no probe makes " << t;
        }
    EXPECT_GT(types, 30u);
}

TEST(ProbeRegistry, ProbesForEventTypes) {
    EXPECT_EQ(probes_for_event_types({"execve", "openat"}), (std::set<std::string>{"exec", "open"}));
    EXPECT_EQ(probes_for_event_types({"connect", "tcp_retransmit"}), (std::set<std::string>{"tcp"}));
    EXPECT_EQ(probes_for_event_types({"setuid", "mount", "symlinkat", "listen"}),
              (std::set<std::string>{"privilege", "namespaces", "filechange", "socket"}));
    EXPECT_TRUE(probes_for_event_types({"no_such_syscall"}).empty());
    // Every name it gives is a probe the registry makes.
    for (const auto& p : probes_for_event_types({"execve", "procexit", "open", "connect", "socket", "ptrace", "setns",
                                                 "chmod", "dns_query", "drop", "oom_kill"}))
        EXPECT_TRUE(make_probe(p)) << p;
}

}  // namespace
}  // namespace kscope
