#include <gtest/gtest.h>

#include <map>

#include "rules/condition_eval.h"
#include "rules/condition_parser.h"
#include "rules/glob.h"

namespace kscope::rules {
namespace {

// Fields by name as written after checking ("proc.aname[2]", "evt.arg[flags]").
struct MapSource : FieldSource {
    std::map<std::string, FieldValue> fields;
    std::optional<FieldValue> get(const FieldRef& f) const override {
        auto it = fields.find(f.has_arg ? f.name + "[" + f.arg + "]" : f.name);
        if (it == fields.end()) return std::nullopt;
        return it->second;
    }
};

IpAddr ip(const char* s) { return *parse_ip(s); }

MapSource shell_event() {
    MapSource s;
    s.fields = {
        {"evt.type", std::string("execve")},
        {"evt.res", std::string("SUCCESS")},
        {"evt.rawres", int64_t{0}},
        {"proc.name", std::string("bash")},
        {"proc.exepath", std::string("/usr/bin/bash")},
        {"proc.exe", std::string("bash")},
        {"proc.cmdline", std::string("bash -c 'cat /etc/Shadow'")},
        {"proc.args", std::string("-c 'cat /etc/Shadow'")},
        {"proc.pid", int64_t{4242}},
        {"proc.ppid", int64_t{4000}},
        {"proc.pname", std::string("sshd")},
        {"proc.aname[1]", std::string("sshd")},
        {"proc.aname[2]", std::string("systemd")},
        {"proc.aname", std::vector<std::string>{"sshd", "systemd"}},
        {"proc.cwd", std::string("/root")},
        {"user.uid", int64_t{0}},
        {"user.name", std::string("root")},
        {"group.gid", int64_t{0}},
        {"fd.name", std::string("/etc/shadow")},
        {"fd.directory", std::string("/etc")},
        {"fd.filename", std::string("shadow")},
        {"fd.type", std::string("file")},
        {"ks.namespaces", std::vector<std::string>{"mnt", "net"}},
        {"fd.sip", ip("10.1.2.3")},
        {"fd.dip", ip("2001:db8::1")},
        {"fd.sport", int64_t{51000}},
        {"fd.dport", int64_t{443}},
        {"fd.lport", int64_t{51000}},
        {"fd.rport", int64_t{443}},
        {"fd.l4proto", std::string("tcp")},
        {"evt.arg[flags]", std::string("O_RDONLY|O_CLOEXEC")},
        {"evt.arg[0]", std::string("3")},
        {"ks.dns.name", std::string("evil.example.com")},
    };  // no container.id: a host process
    return s;
}

Definitions falco_defs() {
    auto parsed = [](std::string_view t) { return parse_condition(t).value(); };
    Definitions d;
    d.lists["shell_binaries"] = {"ash", "bash", "csh", "ksh", "sh", "tcsh", "zsh", "dash"};
    d.lists["sensitive_file_names"] = {"/etc/shadow", "/etc/sudoers", "/etc/pam.conf"};
    d.lists["trusted_parents"] = {"sudo", "su"};
    d.lists["miner_ports"] = {"3333", "4444", "5555", "14444"};
    d.lists["private_nets"] = {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"};
    d.macros.emplace("spawned_process", parsed("evt.type in (execve, execveat) and evt.res = SUCCESS"));
    d.macros.emplace("open_read", parsed("evt.type in (open, openat, openat2) and evt.arg.flags contains O_RDONLY"));
    d.macros.emplace("shell_procs", parsed("proc.name in (shell_binaries)"));
    d.macros.emplace("container", parsed("container.id exists and container.id != host"));
    d.macros.emplace("interactive", parsed("proc.aname[1] = sshd or proc.aname[2] = sshd"));
    return d;
}

bool run(std::string_view cond, const FieldSource& src, const Definitions& d = falco_defs()) {
    auto c = compile_condition(cond, d);
    EXPECT_TRUE(c) << cond << ": " << c.error().message;
    return c && c->eval(src);
}

TEST(RulesEval, EveryOperator) {
    auto e = shell_event();
    EXPECT_TRUE(run("proc.name = bash", e));
    EXPECT_FALSE(run("proc.name = Bash", e));
    EXPECT_TRUE(run("proc.name != zsh", e));
    EXPECT_TRUE(run("proc.pid = 4242 and proc.pid != 1", e));
    EXPECT_TRUE(run("proc.pid < 5000 and proc.pid <= 4242 and proc.pid > 4000 and proc.pid >= 4242", e));
    EXPECT_FALSE(run("proc.pid < 4242", e));
    EXPECT_FALSE(run("proc.pid > 4242", e));
    EXPECT_TRUE(run("evt.rawres >= 0 and evt.rawres > -1", e));
    EXPECT_TRUE(run("proc.name in (sh, bash)", e));
    EXPECT_FALSE(run("proc.name in (sh, zsh)", e));
    EXPECT_FALSE(run("proc.name in ()", e));
    EXPECT_TRUE(run("fd.dport in (80, 443)", e));
    EXPECT_TRUE(run("ks.namespaces intersects (net, pid)", e));
    EXPECT_FALSE(run("ks.namespaces intersects (uts)", e));
    EXPECT_TRUE(run("ks.namespaces in (mnt, net, pid)", e));
    EXPECT_FALSE(run("ks.namespaces in (mnt)", e));
    EXPECT_TRUE(run("ks.namespaces contains net", e));
    EXPECT_TRUE(run("proc.cmdline contains \"cat /etc\"", e));
    EXPECT_FALSE(run("proc.cmdline contains shadow", e));
    EXPECT_TRUE(run("proc.cmdline icontains SHADOW", e));
    EXPECT_TRUE(run("proc.cmdline icontains shadow", e));
    EXPECT_FALSE(run("proc.cmdline icontains passwd", e));
    EXPECT_TRUE(run("fd.name startswith /etc/", e));
    EXPECT_FALSE(run("fd.name startswith /usr", e));
    EXPECT_TRUE(run("fd.name endswith dow", e));
    EXPECT_FALSE(run("fd.name endswith /etc/shadow.bak", e));
    EXPECT_TRUE(run("fd.name glob '/etc/*ad?w'", e));
    EXPECT_TRUE(run("fd.name glob '/e[st]c/[!x]*'", e));
    EXPECT_FALSE(run("fd.name glob '/etc/*.conf'", e));
    EXPECT_TRUE(run("fd.name pmatch (/usr, /etc)", e));
    EXPECT_TRUE(run("fd.directory pmatch (/etc)", e));
    EXPECT_FALSE(run("fd.name pmatch (/et, /usr)", e));
    EXPECT_TRUE(run("fd.name pmatch (/etc/)", e));
    EXPECT_TRUE(run("proc.name exists and not container.id exists", e));
    EXPECT_TRUE(run("proc.exepath regex '/usr/s?bin/[a-z]+'", e));
    EXPECT_FALSE(run("proc.exepath regex 'bin/bash'", e));  // Falco's regex matches the whole value
    EXPECT_TRUE(run("proc.exepath regex '.*bin/bash'", e));
}

// What Falco's own rules file writes: intersects on a one-value field (as `in`), bytes in
// hex, glob ignoring case, libsinsp's escapes, and list items written as quoted strings.
TEST(RulesEval, FalcoRulesFileForms) {
    auto e = shell_event();
    EXPECT_TRUE(run("proc.args intersects (\"-x\", \"-c 'cat /etc/Shadow'\")", e));
    EXPECT_FALSE(run("proc.args intersects (\"-V\", \"-l\")", e));
    EXPECT_TRUE(run("proc.aname intersects (sshd)", e));
    EXPECT_TRUE(run("proc.name bcontains 6173", e));    // "as"
    EXPECT_TRUE(run("proc.name bstartswith 6261", e));  // "ba"
    EXPECT_FALSE(run("proc.name bstartswith 6173", e));
    EXPECT_TRUE(run("fd.name iglob '/ETC/SHA*'", e));
    EXPECT_FALSE(run("fd.name glob '/ETC/SHA*'", e));
    MapSource args;
    args.fields["proc.args"] = std::string("-s \\ x/y");
    EXPECT_TRUE(run("proc.args contains \"\\ \" and proc.args contains \"\\/\"", args));  // "\ " is a backslash
    Definitions d = falco_defs();
    d.lists["quoted_nets"] = {"\"10.0.0.0/8\"", "'192.168.0.0/16'"};
    d.lists["quoted_names"] = {"\"(systemd)\"", "bash"};
    EXPECT_TRUE(run("fd.sip in (quoted_nets)", e, d));
    EXPECT_TRUE(run("proc.name in (quoted_names)", e, d));
    MapSource systemd;
    systemd.fields["proc.name"] = std::string("(systemd)");
    EXPECT_TRUE(run("proc.name in (quoted_names)", systemd, d));
    auto bad = compile_condition("proc.name bcontains xyz", falco_defs());
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "1:21: 'xyz' is not hex bytes (bcontains takes them as hex: cafebabe)");
}

// fd.ip and fd.net match either end of a connection; fd.snet and friends are networks.
TEST(RulesEval, EitherEndAddressFields) {
    MapSource e;
    e.fields["fd.ip"] = std::vector<std::string>{"10.1.2.3", "127.0.0.1"};
    e.fields["fd.net"] = std::vector<std::string>{"10.1.2.3", "127.0.0.1"};
    e.fields["fd.snet"] = ip("10.1.2.3");
    EXPECT_TRUE(run("fd.ip = 127.0.0.1", e));
    EXPECT_TRUE(run("fd.ip = 10.1.2.3", e));
    EXPECT_FALSE(run("fd.ip = 10.1.2.4", e));
    EXPECT_FALSE(run("fd.ip != 127.0.0.1", e));  // one end is
    EXPECT_TRUE(run("fd.ip != 0.0.0.0", e));
    EXPECT_FALSE(run("fd.net != \"127.0.0.0/8\"", e));
    EXPECT_TRUE(run("fd.net in (\"192.168.0.0/16\", \"10.0.0.0/8\")", e));
    EXPECT_TRUE(run("fd.snet in (private_nets)", e));
}

TEST(RulesEval, IpFields) {
    auto e = shell_event();
    EXPECT_TRUE(run("fd.sip = 10.1.2.3", e));
    EXPECT_TRUE(run("fd.sip = 10.0.0.0/8", e));
    EXPECT_TRUE(run("fd.sip != 192.168.0.1", e));
    EXPECT_TRUE(run("fd.sip in (private_nets)", e));
    EXPECT_FALSE(run("fd.dip in (private_nets)", e));
    EXPECT_TRUE(run("fd.dip in (2001:db8::/32)", e));
    EXPECT_FALSE(run("fd.dip = 2001:db8::2", e));
    MapSource text;  // a source that gives addresses as text still works
    text.fields["fd.sip"] = std::string("10.1.2.3");
    EXPECT_TRUE(run("fd.sip = 10.1.2.3", text));
}

TEST(RulesEval, MissingFieldsAndConversions) {
    MapSource empty;
    for (const char* c : {"proc.name = bash", "proc.name != bash", "proc.pid < 1", "proc.name in (a)",
                          "fd.sip = 1.2.3.4", "ks.namespaces intersects (a)", "proc.name exists"})
        EXPECT_FALSE(run(c, empty)) << c;
    EXPECT_TRUE(run("not proc.name = bash", empty));
    EXPECT_TRUE(run("not proc.name exists", empty));
    MapSource mixed;
    mixed.fields["proc.pid"] = std::string("12");
    mixed.fields["proc.name"] = int64_t{7};
    EXPECT_TRUE(run("proc.pid = 12", mixed));
    EXPECT_TRUE(run("proc.name = 7", mixed));
}

TEST(RulesEval, AncestorsWithoutIndexMatchAny) {
    auto e = shell_event();
    EXPECT_TRUE(run("proc.aname = systemd", e));
    EXPECT_TRUE(run("proc.aname startswith sys and proc.aname icontains SSH", e));
    EXPECT_TRUE(run("proc.aname in (sudo, sshd)", e));
    EXPECT_FALSE(run("proc.aname != sshd", e));
    EXPECT_TRUE(run("proc.aname[2] = systemd and proc.aname[1] != systemd", e));
}

TEST(RulesEval, PrecedenceAndShortCircuit) {
    auto e = shell_event();
    EXPECT_TRUE(run("proc.name = zsh and proc.pid = 1 or proc.name = bash", e));     // (F and F) or T
    EXPECT_FALSE(run("proc.name = zsh and (proc.pid = 1 or proc.name = bash)", e));  // F and (...)
    EXPECT_TRUE(run("not proc.name = zsh and proc.name = bash", e));                 // (not F) and T
    EXPECT_FALSE(run("not (proc.name = zsh or proc.name = bash)", e));
}

TEST(RulesEval, CompileErrors) {
    auto c = compile_condition("proc.nam = bash and nope", falco_defs());
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().message, "1:1: unknown field 'proc.nam'\n1:21: undefined macro 'nope'");
    c = compile_condition("proc.name = 'x", falco_defs());
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().message, "1:13: unterminated string");
    Expr unchecked = parse_condition("a").value();
    EXPECT_FALSE(CompiledCondition::compile(unchecked));
}

TEST(RulesGlob, Patterns) {
    EXPECT_TRUE(Glob("*").match(""));
    EXPECT_TRUE(Glob("*").match("/a/b"));
    EXPECT_TRUE(Glob("/tmp/*.sh").match("/tmp/x/y.sh"));  // * crosses '/', as Falco's fnmatch
    EXPECT_FALSE(Glob("/tmp/*.sh").match("/tmp/x.shx"));
    EXPECT_TRUE(Glob("a?c").match("abc"));
    EXPECT_FALSE(Glob("a?c").match("ac"));
    EXPECT_TRUE(Glob("[a-c]x").match("bx"));
    EXPECT_FALSE(Glob("[a-c]x").match("dx"));
    EXPECT_TRUE(Glob("[^a-c]x").match("dx"));
    EXPECT_TRUE(Glob("[]]").match("]"));
    EXPECT_TRUE(Glob("a\\*").match("a*"));
    EXPECT_FALSE(Glob("a\\*").match("ab"));
    EXPECT_TRUE(Glob("[abc").match("[abc"));
    EXPECT_TRUE(Glob("*a*b*c*").match("xxaxxbxxcxx"));
    EXPECT_FALSE(Glob("*a*b*c*").match("xxaxxcxxbxx"));
    EXPECT_TRUE(Glob("").match(""));
    EXPECT_FALSE(Glob("").match("a"));
}

// Conditions written in Falco's style, with the expected result on shell_event().
struct RealWorld {
    const char* condition;
    bool expected;
};

TEST(RulesEval, RealWorldConditions) {
    const RealWorld cases[] = {
        {"evt.type in (open, openat) and fd.name startswith /etc and not proc.name in (sshd, sudo)", false},
        {"spawned_process and shell_procs and interactive", true},
        {"spawned_process and proc.name in (shell_binaries) and not proc.pname in (trusted_parents)", true},
        {"spawned_process and container and shell_procs", false},
        {"spawned_process and not container and user.uid = 0", true},
        {"fd.name in (sensitive_file_names) and user.name = root", true},
        {"open_read and fd.name in (sensitive_file_names)", false},
        {"evt.arg.flags contains O_RDONLY and fd.name pmatch (/etc)", true},
        {"evt.arg[0] = 3 and evt.arg[flags] contains O_CLOEXEC", true},
        {"fd.sip in (private_nets) and not fd.dip in (private_nets) and fd.dport = 443", true},
        {"fd.l4proto = tcp and fd.rport in (miner_ports)", false},
        {"fd.rport in (miner_ports) or ks.dns.name endswith .example.com", true},
        {"ks.dns.name glob '*.example.*' and not ks.dns.name in (good.example.com)", true},
        {"proc.cmdline icontains 'CAT /ETC/SHADOW'", true},
        {"proc.cmdline contains \"'cat\"", true},
        {"proc.exepath pmatch (/usr/bin, /usr/sbin) and proc.exe = bash", true},
        {"proc.exepath in (/usr/bin/bash, /bin/bash) and proc.cwd = /root", true},
        {"proc.args contains -c and proc.name in (shell_binaries) and proc.pname = sshd", true},
        {"proc.ppid = 4000 and proc.pid > proc.ppid", false},  // no field on the right: a plain word
        {"group.gid = 0 and (user.uid != 0 or user.name != root)", false},
        {"fd.type = file and fd.directory = /etc and fd.filename in (shadow, gshadow)", true},
        {"fd.type in (ipv4, ipv6) and fd.sport > 1024", false},
        {"evt.rawres < 0 or evt.res != SUCCESS", false},
        {"not evt.res = SUCCESS", false},
        {"proc.aname[2] in (systemd, init) and proc.aname[1] = sshd", true},
        {"proc.name regex '(ba|z|k)?sh' and proc.exepath endswith /bash", true},
        {"ks.namespaces intersects (net, pid) and fd.name startswith /etc", true},
        {"container.id exists or proc.cwd startswith /tmp", false},
        {"(spawned_process or open_read) and not (proc.name = sshd or proc.pname = sudo)", true},
        {"evt.type = execve and\n  proc.name in (shell_binaries) and\n  fd.name glob /etc/*", true},
        {"fd.name = /etc/shadow and not proc.name pmatch (/usr/sbin)", true},
        {"proc.pid in (1, 2, 3) or proc.ppid in (4000)", true},
    };
    // "proc.pid > proc.ppid" compares with the word "proc.ppid", which is no number.
    auto defs = falco_defs();
    auto e = shell_event();
    for (const auto& c : cases) {
        auto compiled = compile_condition(c.condition, defs);
        if (std::string(c.condition).find("proc.pid > proc.ppid") != std::string::npos) {
            ASSERT_FALSE(compiled);
            EXPECT_EQ(compiled.error().message, "1:33: 'proc.ppid' is not a number (proc.pid is a number field)");
            continue;
        }
        ASSERT_TRUE(compiled) << c.condition << ": " << compiled.error().message;
        EXPECT_EQ(compiled->eval(e), c.expected) << c.condition;
    }
}

}  // namespace
}  // namespace kscope::rules
