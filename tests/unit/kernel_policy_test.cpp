// Kill and deny rules compiled for the kernel: what goes in as which tests, and why what
// cannot stays in user space.
#include <gtest/gtest.h>

#include "enforce/kernel_policy.h"
#include "rules/default_rules.h"
#include "rules/ruleset.h"

namespace kscope::enforce {
namespace {

rules::RuleSet load(const std::string& rules_text) {
    auto set = rules::load_rules({{std::string(rules::kDefaultRulesName), std::string(rules::default_rules_text())},
                                  {"t.yaml", rules_text}});
    EXPECT_TRUE(set) << (set ? "" : set.error().message);
    return set ? std::move(*set) : rules::RuleSet{};
}

std::string rule(const std::string& name, const std::string& condition, const std::string& action) {
    return "- rule: " + name + "\n  desc: d\n  condition: " + condition + "\n  output: o\n  priority: warning\n" +
           (action.empty() ? "" : "  action: " + action + "\n");
}

const RuleVerdict& verdict(const KernelPolicy& p, const rules::RuleSet& set, const std::string& name) {
    for (const auto& v : p.verdicts)
        if (set.rules[v.rule].name == name) return v;
    throw std::runtime_error("no verdict for " + name);
}

TEST(KernelPolicy, OnlyRulesWithActionsAndTheirSlots) {
    auto set = load(rule("K", "spawned_process and proc.exepath in (/tmp/a, /tmp/b) and not proc.name = ok", "kill") +
                    rule("A", "spawned_process and proc.exepath = /tmp/a", ""));
    auto p = compile_kernel_policy(set.rules);
    ASSERT_EQ(p.verdicts.size(), 1u);  // the built-in rules and A only alert
    const auto& v = verdict(p, set, "K");
    ASSERT_TRUE(v.in_kernel) << v.reason;
    ASSERT_EQ(v.slots.size(), 1u);
    const KernelSlot& s = p.slots[v.slots[0]];
    EXPECT_EQ(s.hook, KSCOPE_HOOK_EXEC);
    EXPECT_EQ(s.tests.paths, (std::vector<std::string>{"/tmp/a", "/tmp/b"}));
    EXPECT_EQ(s.tests.not_comms, (std::vector<std::string>{"ok"}));
    EXPECT_TRUE(s.tests.after_only);  // spawned_process tests evt.res = SUCCESS
    EXPECT_EQ(describe_slot(s), "exec: path_match[/tmp/a,/tmp/b] comm_unmatch[ok] after_only -> kill");
}

TEST(KernelPolicy, OrBecomesOneSlotPerAlternativeAndHook) {
    auto set = load(rule("Many",
                         "(evt.type in (execve, execveat) and proc.exepath startswith /dev/shm/) or "
                         "(evt.type = ptrace and proc.name in (gdb, strace)) or "
                         "(evt.type in (setuid, setgid) and proc.name = x)",
                         "kill"));
    auto p = compile_kernel_policy(set.rules);
    const auto& v = verdict(p, set, "Many");
    ASSERT_TRUE(v.in_kernel) << v.reason;
    ASSERT_EQ(v.slots.size(), 3u);
    EXPECT_EQ(describe_slot(p.slots[v.slots[0]]), "exec: prefix_match[/dev/shm/] -> kill");
    EXPECT_EQ(describe_slot(p.slots[v.slots[1]]), "ptrace: comm_match[gdb,strace] syscall_match[ptrace] -> kill");
    EXPECT_EQ(describe_slot(p.slots[v.slots[2]]), "setid: comm_match[x] syscall_match[setuid,setgid] -> kill");
}

// kscope's umount event is the umount2 syscall; a family member alone is tested by number.
TEST(KernelPolicy, SyscallNumbersWithinAFamily) {
    auto set = load(rule("M", "evt.type in (mount, umount) and proc.name = x", "kill"));
    auto p = compile_kernel_policy(set.rules);
    const auto& v = verdict(p, set, "M");
    ASSERT_TRUE(v.in_kernel) << v.reason;
    EXPECT_EQ(describe_slot(p.slots[v.slots.at(0)]), "mount: comm_match[x] syscall_match[mount,umount2] -> kill");
}

TEST(KernelPolicy, SocketRulesDeny) {
    auto set = load(rule("D", "evt.type = connect and fd.sport in (4444, 3333) and fd.sip = 10.1.2.3", "deny") +
                    rule("B", "evt.type = bind and fd.sport = 31337", "deny") +
                    rule("U", "evt.type in (sendto, sendmsg) and fd.rport = 53 and fd.rip = \"::1\"", "deny"));
    auto p = compile_kernel_policy(set.rules);
    EXPECT_EQ(describe_slot(p.slots[verdict(p, set, "D").slots.at(0)]),
              "connect: port_match[3333,4444] addr_match[10.1.2.3] -> deny");
    EXPECT_EQ(describe_slot(p.slots[verdict(p, set, "B").slots.at(0)]), "bind: port_match[31337] -> deny");
    EXPECT_EQ(describe_slot(p.slots[verdict(p, set, "U").slots.at(0)]), "sendmsg: port_match[53] addr_match[::1] -> deny");
}

TEST(KernelPolicy, PmatchAndExclusionsOfPaths) {
    auto set = load(rule("W", "open_write and fd.name pmatch (/etc) and not fd.name in (/etc/hostname)", "kill"));
    auto p = compile_kernel_policy(set.rules);
    const auto& v = verdict(p, set, "W");
    ASSERT_TRUE(v.in_kernel) << v.reason;
    EXPECT_EQ(describe_slot(p.slots[v.slots.at(0)]),
              "open_write: path_match[/etc] prefix_match[/etc/] path_unmatch[/etc/hostname] after_only -> kill");
}

// Each reason a rule stays in user space.
TEST(KernelPolicy, WhatStaysInUserSpaceAndWhy) {
    struct Case {
        std::string condition, action, reason;
    };
    const std::vector<Case> cases = {
        {"spawned_process and proc.pname = nginx", "kill", "field 'proc.pname' cannot be decided in the kernel"},
        {"proc.name = x", "kill", "the condition does not name evt.type, so no hook covers it"},
        {"evt.type = execve and proc.exepath = /x", "kill",
         "evt.type names execve without execveat (the exec hook sees both)"},
        {"evt.type = chmod and proc.name = x", "kill", "the kernel cannot act on evt.type chmod"},
        {"evt.type = connect and fd.sport = 1", "kill", "kill cannot act in a socket hook (use deny)"},
        {"evt.type = sendto and fd.rport = 53", "deny",
         "evt.type names sendto without sendmsg (the sendmsg hook sees both)"},
        {"spawned_process and proc.exepath = /x", "deny", "deny acts on connect, sendto/sendmsg and bind only"},
        {"evt.type = connect and fd.sip = 10.0.0.0/8", "deny",
         "fd.sip 10.0.0.0/8: only single addresses, not networks"},
        {"evt.type in (open, openat, openat2) and fd.name = /x", "kill",
         "an open is acted on in the kernel only for writing (add evt.is_open_write = true)"},
        {"evt.type = ptrace and evt.res = SUCCESS", "kill",
         "the call's result is known only after it; the ptrace hook acts at its entry"},
        {"spawned_process and proc.exepath contains x", "kill",
         "proc.exepath contains cannot be decided in the kernel"},
        {"spawned_process and proc.exepath startswith /a and proc.exepath startswith /a/b", "kill",
         "two tests on proc.exepath in one `and` cannot be decided in the kernel"},
    };
    for (const auto& c : cases) {
        auto set = load(rule("R", c.condition, c.action));
        auto p = compile_kernel_policy(set.rules);
        const auto& v = verdict(p, set, "R");
        EXPECT_FALSE(v.in_kernel) << c.condition;
        EXPECT_EQ(v.reason, c.reason) << c.condition;
    }
}

// Tests that are always true or false fold away: Falco's never_true (evt.num = 0), names
// longer than a comm can hold.
TEST(KernelPolicy, ConstantTestsFold) {
    auto set = load("- macro: never_true\n  condition: (evt.num=0)\n" +
                    rule("N", "spawned_process and proc.exepath = /x and not never_true", "kill") +
                    rule("Long", "spawned_process and proc.name = a-name-longer-than-fifteen", "kill"));
    auto p = compile_kernel_policy(set.rules);
    const auto& n = verdict(p, set, "N");
    ASSERT_TRUE(n.in_kernel) << n.reason;
    EXPECT_EQ(describe_slot(p.slots[n.slots.at(0)]), "exec: path_match[/x] after_only -> kill");
    const auto& l = verdict(p, set, "Long");
    EXPECT_FALSE(l.in_kernel);
    EXPECT_EQ(l.reason, "the condition can never match in the kernel");
}

TEST(KernelPolicy, SlotsRunOutThenUserSpace) {
    std::string text;
    for (int i = 0; i < 70; i++)
        text += rule("R" + std::to_string(i), "spawned_process and proc.exepath = /x" + std::to_string(i), "kill");
    auto set = load(text);
    auto p = compile_kernel_policy(set.rules);
    EXPECT_EQ(p.slots.size(), static_cast<size_t>(KSCOPE_ENFORCE_SLOTS));
    EXPECT_TRUE(verdict(p, set, "R63").in_kernel);
    EXPECT_EQ(verdict(p, set, "R64").reason, "no room: the kernel holds 64 slots");
}

}  // namespace
}  // namespace kscope::enforce
