#include <gtest/gtest.h>

#include "rules/condition_parser.h"

namespace kscope::rules {
namespace {

std::string ast(std::string_view text) {
    auto e = parse_condition(text);
    if (!e) return "ERROR " + e.error().message;
    return to_string(e.value());
}

std::string err(std::string_view text) {
    auto e = parse_condition(text);
    return e ? "parsed: " + to_string(e.value()) : e.error().message;
}

TEST(RulesParser, Precedence) {
    EXPECT_EQ(ast("a or b and c"), "(or @a (and @b @c))");
    EXPECT_EQ(ast("a and b or c"), "(or (and @a @b) @c)");
    EXPECT_EQ(ast("not a and b"), "(and (not @a) @b)");
    EXPECT_EQ(ast("not a or not b and c"), "(or (not @a) (and (not @b) @c))");
    EXPECT_EQ(ast("not (a or b)"), "(not (or @a @b))");
    EXPECT_EQ(ast("not not a"), "(not (not @a))");
    EXPECT_EQ(ast("a and b and c"), "(and @a @b @c)");
    EXPECT_EQ(ast("(a or b) and c"), "(and (or @a @b) @c)");
    EXPECT_EQ(ast("((a))"), "@a");
}

TEST(RulesParser, EveryOperator) {
    EXPECT_EQ(ast("proc.name = bash"), "(= proc.name bash)");
    EXPECT_EQ(ast("proc.name=bash"), "(= proc.name bash)");
    EXPECT_EQ(ast("proc.name != bash"), "(!= proc.name bash)");
    EXPECT_EQ(ast("proc.pid < 10"), "(< proc.pid 10)");
    EXPECT_EQ(ast("proc.pid <= 10"), "(<= proc.pid 10)");
    EXPECT_EQ(ast("proc.pid > 10"), "(> proc.pid 10)");
    EXPECT_EQ(ast("proc.pid>=10"), "(>= proc.pid 10)");
    EXPECT_EQ(ast("evt.type in (open, openat)"), "(in evt.type [open openat])");
    EXPECT_EQ(ast("fd.types intersects (ipv4, ipv6)"), "(intersects fd.types [ipv4 ipv6])");
    EXPECT_EQ(ast("proc.cmdline contains -c"), "(contains proc.cmdline -c)");
    EXPECT_EQ(ast("proc.cmdline icontains Passwd"), "(icontains proc.cmdline Passwd)");
    EXPECT_EQ(ast("fd.name startswith /etc"), "(startswith fd.name /etc)");
    EXPECT_EQ(ast("fd.name endswith .sh"), "(endswith fd.name .sh)");
    EXPECT_EQ(ast("fd.name glob /tmp/*.sh"), "(glob fd.name /tmp/*.sh)");
    EXPECT_EQ(ast("fd.name pmatch (/etc, /usr/bin)"), "(pmatch fd.name [/etc /usr/bin])");
    EXPECT_EQ(ast("container.id exists"), "(exists container.id)");
    EXPECT_EQ(ast("proc.name regex '^ba.*h$'"), "(regex proc.name ^ba.*h$)");
}

TEST(RulesParser, FieldsWithArguments) {
    EXPECT_EQ(ast("proc.aname[2] = sshd"), "(= proc.aname[2] sshd)");
    EXPECT_EQ(ast("evt.arg[0] = 3"), "(= evt.arg[0] 3)");
    EXPECT_EQ(ast("evt.arg.flags contains O_CREAT"), "(contains evt.arg.flags O_CREAT)");
    auto e = parse_condition("proc.aname[2] = sshd");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->field.name, "proc.aname");
    EXPECT_EQ(e->field.arg, "2");
    EXPECT_TRUE(e->field.has_arg);
}

TEST(RulesParser, ListsAndListReferences) {
    EXPECT_EQ(ast("proc.name in (bash, \"c d\", 'e')"), "(in proc.name [bash \"c d\" e])");
    EXPECT_EQ(ast("proc.name in ()"), "(in proc.name [])");
    EXPECT_EQ(ast("proc.name in (shell_binaries, zsh)"), "(in proc.name [shell_binaries zsh])");
    EXPECT_EQ(ast("proc.name in shell_binaries"), "(in proc.name @shell_binaries)");
    auto e = parse_condition("proc.name in (a, \"b\")");
    ASSERT_TRUE(e);
    EXPECT_FALSE(e->values[0].quoted);
    EXPECT_TRUE(e->values[1].quoted);
    EXPECT_EQ(e->values[1].pos, (Pos{1, 18}));
}

TEST(RulesParser, ValuesWithComparisonSigns) {
    EXPECT_EQ(ast("evt.dir = < and proc.pid<5"), "(and (= evt.dir <) (< proc.pid 5))");
    EXPECT_EQ(ast("fd.name = <NA>"), "(= fd.name <NA>)");
    EXPECT_EQ(ast("fd.name in (<NA>, a!b)"), "(in fd.name [<NA> a!b])");
    EXPECT_EQ(ast("proc.name != !x"), "(!= proc.name !x)");
    EXPECT_EQ(ast("proc.pid>=10)"), "ERROR 1:13: expected 'and', 'or' or the end, found ')'");
}

TEST(RulesParser, QuotingAndEscapes) {
    auto e = parse_condition(R"(proc.cmdline = "a \"b\" \\ c\td")");
    ASSERT_TRUE(e) << e.error().message;
    EXPECT_EQ(e->values[0].text, "a \"b\" \\ c\td");
    e = parse_condition(R"(proc.cmdline = 'it\'s "fine"')");
    ASSERT_TRUE(e) << e.error().message;
    EXPECT_EQ(e->values[0].text, "it's \"fine\"");
    e = parse_condition("proc.name = 'and'");  // quoted keywords are values
    ASSERT_TRUE(e);
    EXPECT_EQ(e->values[0].text, "and");
    e = parse_condition("proc.name = \"\"");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->values[0].text, "");
}

TEST(RulesParser, Positions) {
    auto e = parse_condition("a and\n  proc.name = bash");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->children[1].pos, (Pos{2, 3}));
    EXPECT_EQ(e->children[1].field.pos, (Pos{2, 3}));
    EXPECT_EQ(e->children[1].values[0].pos, (Pos{2, 15}));
}

TEST(RulesParser, Errors) {
    EXPECT_EQ(err("proc.name = \"bash"), "1:13: unterminated string");
    EXPECT_EQ(err("proc.name = 'bash\\"), "1:13: unterminated string");
    EXPECT_EQ(err("proc.name = \"a\\qb\""), "1:15: unknown escape '\\q' in string");
    EXPECT_EQ(err("evt.type = open and fd.name in"), "1:31: expected a value after 'in', found the end");
    EXPECT_EQ(err("evt.type in and a"), "1:13: expected a value after 'in', found 'and'");
    EXPECT_EQ(err("proc.name = "), "1:13: expected a value after '=', found the end");
    EXPECT_EQ(err("proc.name = and a"), "1:13: expected a value after '=', found 'and'");
    EXPECT_EQ(err("proc.name"), "1:10: expected an operator after 'proc.name', found the end");
    EXPECT_EQ(err("proc.name bash"), "1:11: expected an operator after 'proc.name', found 'bash'");
    EXPECT_EQ(err("a and"), "1:6: expected a condition, found the end");
    EXPECT_EQ(err("and a"), "1:1: expected a condition, found 'and'");
    EXPECT_EQ(err("a or or b"), "1:6: expected a condition, found 'or'");
    EXPECT_EQ(err("(a and b"), "1:9: expected ')' to close the '(' at 1:1, found the end");
    EXPECT_EQ(err("a b"), "1:3: expected 'and', 'or' or the end, found 'b'");
    EXPECT_EQ(err("a)"), "1:2: expected 'and', 'or' or the end, found ')'");
    EXPECT_EQ(err("proc.name in (a b)"), "1:17: expected ',' or ')' in the list opened at 1:14, found 'b'");
    EXPECT_EQ(err("proc.name in (a,"), "1:17: expected a list item, found the end");
    EXPECT_EQ(err("proc.name == bash"), "1:11: expected an operator after 'proc.name', found '=='");
    EXPECT_EQ(err("proc.name ! bash"), "1:11: '!' must be followed by '=' (use 'not' to negate)");
    EXPECT_EQ(err("proc.aname[2 = x"), "1:1: malformed field 'proc.aname[2'");
    EXPECT_EQ(err(""), "1:1: expected a condition, found the end");
    EXPECT_EQ(err(std::string(300, '(') + "a" + std::string(300, ')')),
              "1:257: condition nested deeper than 256 levels");
    std::string nots;
    for (int i = 0; i < 300; ++i) nots += "not ";
    EXPECT_EQ(err(nots + "a"), "1:1025: condition nested deeper than 256 levels");
    EXPECT_EQ(ast(std::string(256, '(') + "a" + std::string(256, ')')), "@a");
    EXPECT_EQ(err("a and\n  (b or"), "2:8: expected a condition, found the end");
}

}  // namespace
}  // namespace kscope::rules
