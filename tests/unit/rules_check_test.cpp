#include <gtest/gtest.h>

#include "rules/condition_check.h"
#include "rules/condition_parser.h"
#include "rules/field_catalog.h"

namespace kscope::rules {
namespace {

Expr parsed(std::string_view text) {
    auto e = parse_condition(text);
    EXPECT_TRUE(e) << text << ": " << e.error().message;
    return e ? e.value() : Expr{};
}

Definitions defs() {
    Definitions d;
    d.macros.emplace("open_read", parsed("evt.type in (open, openat) and evt.arg.flags contains O_RDONLY"));
    d.macros.emplace("spawned_process", parsed("evt.type = execve and evt.res = SUCCESS"));
    d.macros.emplace("shell_spawned", parsed("spawned_process and proc.name in (shell_binaries)"));
    d.macros.emplace("cycle_a", parsed("proc.name = a or cycle_b"));
    d.macros.emplace("cycle_b", parsed("proc.name = b and\n  cycle_a"));
    d.macros.emplace("self", parsed("self"));
    d.macros.emplace("broken", parsed("proc.nam = x"));
    d.lists["shell_binaries"] = {"bash", "sh", "zsh_binaries"};
    d.lists["zsh_binaries"] = {"zsh"};
    d.lists["loop"] = {"loop"};
    d.lists["ports"] = {"22", "2222"};
    return d;
}

std::string resolved(std::string_view text) {
    auto r = check_condition(parsed(text), defs());
    if (!r.ok()) return "ERROR " + r.errors[0].text();
    return to_string(r.expr);
}

std::vector<std::string> errors(std::string_view text) {
    auto r = check_condition(parsed(text), defs());
    std::vector<std::string> out;
    for (const auto& d : r.errors) out.push_back(d.text());
    return out;
}

using V = std::vector<std::string>;

TEST(RulesCatalog, Types) {
    EXPECT_EQ(find_field("proc.pid")->type, FieldType::Number);
    EXPECT_EQ(find_field("fd.sip")->type, FieldType::Ip);
    EXPECT_EQ(find_field("proc.name")->type, FieldType::String);
    EXPECT_EQ(find_field("ks.namespaces")->type, FieldType::List);
    EXPECT_EQ(find_field("proc.aname")->arg, FieldArg::Index);
    EXPECT_EQ(find_field("nope"), nullptr);
    for (const char* f : {"evt.type", "evt.res", "evt.rawres", "proc.name", "proc.exepath", "proc.exe",
                          "proc.cmdline", "proc.args", "proc.pid", "proc.ppid", "proc.pname", "proc.aname",
                          "proc.cwd", "user.uid", "user.name", "group.gid", "fd.name", "fd.directory",
                          "fd.filename", "fd.type", "fd.sip", "fd.dip", "fd.sport", "fd.dport", "fd.lport",
                          "fd.rport", "fd.l4proto", "container.id", "ks.dns.name"})
        EXPECT_NE(find_field(f), nullptr) << f;
    EXPECT_TRUE(op_fits(FieldType::Number, CmpOp::Ge));
    EXPECT_FALSE(op_fits(FieldType::Number, CmpOp::StartsWith));
    EXPECT_FALSE(op_fits(FieldType::String, CmpOp::Lt));
    EXPECT_TRUE(op_fits(FieldType::Ip, CmpOp::In));
    EXPECT_FALSE(op_fits(FieldType::Ip, CmpOp::Contains));
    EXPECT_TRUE(op_fits(FieldType::List, CmpOp::Intersects));
    EXPECT_TRUE(op_fits(FieldType::String, CmpOp::Intersects));  // as Falco: `in` on one value
    EXPECT_FALSE(op_fits(FieldType::Number, CmpOp::Intersects));
    EXPECT_TRUE(op_fits(FieldType::Ip, CmpOp::Exists));
}

TEST(RulesCheck, InlinesMacrosAndExpandsLists) {
    EXPECT_EQ(resolved("shell_spawned and not proc.pname in (ports_ignored, sshd)"),
              "(and (and (and (= evt.type execve) (= evt.res SUCCESS)) (in proc.name [bash sh zsh]))"
              " (not (in proc.pname [ports_ignored sshd])))");
    EXPECT_EQ(resolved("open_read"),
              "(and (in evt.type [open openat]) (contains evt.arg[flags] O_RDONLY))");
    EXPECT_EQ(resolved("fd.dport in ports"), "(in fd.dport [22 2222])");
    EXPECT_EQ(resolved("proc.name in (\"shell_binaries\")"), "(in proc.name [shell_binaries])");
    EXPECT_EQ(resolved("proc.aname[2] = sshd and proc.aname in (sshd)"),
              "(and (= proc.aname[2] sshd) (in proc.aname [sshd]))");
    EXPECT_EQ(resolved("evt.arg[0] = 3"), "(= evt.arg[0] 3)");
    EXPECT_EQ(resolved("fd.sip in (10.0.0.0/8, ::1) and fd.dip = 1.2.3.4"),
              "(and (in fd.sip [10.0.0.0/8 ::1]) (= fd.dip 1.2.3.4))");
}

TEST(RulesCheck, SetsCatalogIds) {
    auto r = check_condition(parsed("evt.arg.flags = x and proc.name = y"), defs());
    ASSERT_TRUE(r.ok());
    auto cat = field_catalog();
    EXPECT_EQ(cat[r.expr.children[0].field.id].name, "evt.arg");
    EXPECT_EQ(cat[r.expr.children[1].field.id].name, "proc.name");
}

TEST(RulesCheck, Errors) {
    EXPECT_EQ(errors("proc.nam = bash"), V{"1:1: unknown field 'proc.nam'"});
    EXPECT_EQ(errors("evt.type = open and proc.pid startswith 1"),
              V{"1:21: operator 'startswith' does not fit number field 'proc.pid'"});
    EXPECT_EQ(errors("proc.name > a"), V{"1:1: operator '>' does not fit string field 'proc.name'"});
    EXPECT_EQ(errors("fd.sip contains 10"), V{"1:1: operator 'contains' does not fit ip field 'fd.sip'"});
    EXPECT_EQ(errors("ks.namespaces startswith s"),
              V{"1:1: operator 'startswith' does not fit list field 'ks.namespaces'"});
    EXPECT_EQ(errors("a and nope"), (V{"1:1: undefined macro 'a'", "1:7: undefined macro 'nope'"}));
    EXPECT_EQ(errors("proc.name in nolist"), V{"1:14: undefined list 'nolist'"});
    EXPECT_EQ(errors("proc.name in loop"), V{"1:14: list 'loop' includes itself"});
    EXPECT_EQ(errors("cycle_a"),
              V{"in macro 'cycle_b': 2:3: macro cycle: cycle_a -> cycle_b -> cycle_a"});
    EXPECT_EQ(errors("self"), V{"in macro 'self': 1:1: macro cycle: self -> self"});
    EXPECT_EQ(errors("broken or broken"), V{"in macro 'broken': 1:1: unknown field 'proc.nam'"});
    EXPECT_EQ(errors("proc.pid = abc"), V{"1:12: 'abc' is not a number (proc.pid is a number field)"});
    EXPECT_EQ(errors("fd.dport in (22, ssh)"), V{"1:18: 'ssh' is not a number (fd.dport is a number field)"});
    EXPECT_EQ(errors("fd.sip = 10.0.0.300"), V{"1:10: '10.0.0.300' is not an IP address or network"});
    EXPECT_EQ(errors("proc.name regex 'a('"),
              V{"1:17: invalid regex 'a(': missing ): a("});
    EXPECT_EQ(errors("proc.name[1] = a"), V{"1:1: field 'proc.name' takes no argument"});
    EXPECT_EQ(errors("proc.aname[x] = a"), V{"1:1: field 'proc.aname' needs a numeric index, found 'x'"});
    EXPECT_EQ(errors("evt.arg = a"), V{"1:1: field 'evt.arg' needs an argument, e.g. evt.arg.flags or evt.arg[0]"});
    EXPECT_EQ(errors("proc.name exists and fd.sip exists"), V{});
}

}  // namespace
}  // namespace kscope::rules
