// The rule fields of kscope's events (Falco's names), the prefilter and the rate limit.
#include <gtest/gtest.h>
#include <fcntl.h>

#include "rules/engine.h"
#include "rules/field_catalog.h"
#include "rules/output_template.h"

namespace kscope::rules {
namespace {

class FakeContext final : public ProcessContext {
public:
    FakeContext() {
        add(1, 0, "systemd", "/usr/lib/systemd/systemd", {"/sbin/init"});
        add(100, 1, "sshd", "/usr/sbin/sshd", {"sshd:", "alice"});
        add(200, 100, "bash", "/usr/bin/bash", {"-bash"});
        add(300, 200, "cat", "/usr/bin/cat", {"cat", "/etc/shadow"});
    }
    void add(uint32_t pid, uint32_t ppid, std::string comm, std::string exe, std::vector<std::string> argv) {
        ProcessInfo p;
        p.pid = pid;
        p.ppid = ppid;
        p.comm = std::move(comm);
        p.exe = std::move(exe);
        p.argv = std::move(argv);
        p.cwd = "/home/alice";
        p.loginuid = 1000;
        p.stdin_type = "ipv4";
        procs_.upsert(std::move(p));
    }
    const ProcessInfo* process(uint32_t pid) override { return procs_.find(pid); }
    const UserEntry* user(uint32_t uid) override {
        if (uid == 1000) return &alice_;
        return nullptr;
    }
    const std::string* group(uint32_t gid) override { return gid == 1000 ? &alice_.name : nullptr; }
    const std::string& hostname() override { return host_; }

private:
    ProcessCache procs_;
    UserEntry alice_{"alice", "/home/alice", "/bin/bash"};
    std::string host_ = "box";
};

std::string field(const Event& e, const std::string& name, FakeContext& ctx) {
    auto t = OutputTemplate::compile("%" + name);
    EXPECT_TRUE(t) << name;
    return t ? t->render(EventFields(e, ctx)) : "";
}

CommonFields cat_process() {
    CommonFields c;
    c.pid = 300;
    c.tid = 300;
    c.ppid = 200;
    c.uid = 1000;
    c.gid = 1000;
    c.comm = "cat";
    return c;
}

TEST(RulesEventFields, ProcessAncestryUserAndGroup) {
    FakeContext ctx;
    OpenEvent o;
    o.common = cat_process();
    o.syscall = "openat";
    o.path = "shadow";
    o.resolved_path = "/etc/shadow";
    o.open_flags = O_RDONLY | O_CLOEXEC;
    o.ret = 3;
    Event e = o;
    EXPECT_EQ(field(e, "evt.type", ctx), "openat");
    EXPECT_EQ(field(e, "evt.res", ctx), "SUCCESS");
    EXPECT_EQ(field(e, "evt.rawres", ctx), "3");
    EXPECT_EQ(field(e, "evt.arg.flags", ctx), "O_RDONLY|O_CLOEXEC");
    EXPECT_EQ(field(e, "evt.is_open_read", ctx), "true");
    EXPECT_EQ(field(e, "evt.is_open_write", ctx), "false");
    EXPECT_EQ(field(e, "fd.name", ctx), "/etc/shadow");
    EXPECT_EQ(field(e, "fd.directory", ctx), "/etc");
    EXPECT_EQ(field(e, "fd.filename", ctx), "shadow");
    EXPECT_EQ(field(e, "fd.typechar", ctx), "f");
    EXPECT_EQ(field(e, "fd.num", ctx), "3");
    EXPECT_EQ(field(e, "proc.name", ctx), "cat");
    EXPECT_EQ(field(e, "proc.exepath", ctx), "/usr/bin/cat");
    EXPECT_EQ(field(e, "proc.cmdline", ctx), "cat /etc/shadow");
    EXPECT_EQ(field(e, "proc.args", ctx), "/etc/shadow");
    EXPECT_EQ(field(e, "proc.pname", ctx), "bash");
    EXPECT_EQ(field(e, "proc.pcmdline", ctx), "bash");
    EXPECT_EQ(field(e, "proc.aname[2]", ctx), "sshd");
    EXPECT_EQ(field(e, "proc.aname[3]", ctx), "systemd");
    EXPECT_EQ(field(e, "proc.aname[4]", ctx), "<NA>");
    EXPECT_EQ(field(e, "proc.aname", ctx), "bash,sshd,systemd");
    EXPECT_EQ(field(e, "proc.apid[2]", ctx), "100");
    EXPECT_EQ(field(e, "proc.cwd", ctx), "/home/alice/");
    EXPECT_EQ(field(e, "proc.stdin.type", ctx), "ipv4");
    EXPECT_EQ(field(e, "user.name", ctx), "alice");
    EXPECT_EQ(field(e, "user.loginname", ctx), "alice");
    EXPECT_EQ(field(e, "user.loginuid", ctx), "1000");
    EXPECT_EQ(field(e, "group.name", ctx), "alice");
    EXPECT_EQ(field(e, "container.id", ctx), "host");
    EXPECT_EQ(field(e, "evt.hostname", ctx), "box");
    // Any-ancestor matching and a missing field's comparisons.
    auto any = compile_condition("proc.aname = sshd and not proc.aname = cron and fd.sip exists");
    ASSERT_TRUE(any) << any.error().message;
    EXPECT_FALSE(any->eval(EventFields(e, ctx)));  // fd.sip: not a connection
    auto ok = compile_condition("proc.aname = sshd and not proc.aname = cron and fd.name exists");
    EXPECT_TRUE(ok->eval(EventFields(e, ctx)));
}

TEST(RulesEventFields, ConnectionsServerAndClientSides) {
    FakeContext ctx;
    TcpEvent t;
    t.common = cat_process();
    t.event = "connect";
    t.family = "ipv4";
    t.saddr = "10.0.0.2";
    t.sport = 40000;
    t.daddr = "10.0.0.9";
    t.dport = 3333;
    Event c = t;
    EXPECT_EQ(field(c, "evt.type", ctx), "connect");
    EXPECT_EQ(field(c, "fd.name", ctx), "10.0.0.2:40000->10.0.0.9:3333");
    EXPECT_EQ(field(c, "fd.sip", ctx), "10.0.0.9");
    EXPECT_EQ(field(c, "fd.sport", ctx), "3333");
    EXPECT_EQ(field(c, "fd.cport", ctx), "40000");
    EXPECT_EQ(field(c, "fd.lport", ctx), "40000");
    EXPECT_EQ(field(c, "fd.rip", ctx), "10.0.0.9");
    EXPECT_EQ(field(c, "fd.l4proto", ctx), "tcp");
    EXPECT_EQ(field(c, "fd.is_server", ctx), "false");
    t.event = "accept";
    Event a = t;
    EXPECT_EQ(field(a, "evt.type", ctx), "accept");
    EXPECT_EQ(field(a, "fd.sip", ctx), "10.0.0.2");  // the local side serves
    EXPECT_EQ(field(a, "fd.sport", ctx), "40000");
    EXPECT_EQ(field(a, "fd.name", ctx), "10.0.0.9:3333->10.0.0.2:40000");
}

TEST(RulesEventFields, FileChangesAndSecurityEvents) {
    FakeContext ctx;
    FileChangeEvent r;
    r.common = cat_process();
    r.syscall = "renameat2";
    r.path = "a";
    r.resolved_path = "/home/alice/.bash_history";
    r.new_path = "b";
    r.resolved_new_path = "/tmp/b";
    Event e = r;
    EXPECT_EQ(field(e, "evt.type", ctx), "renameat2");
    EXPECT_EQ(field(e, "fs.path.name", ctx), "/home/alice/.bash_history");
    EXPECT_EQ(field(e, "fs.path.source", ctx), "/home/alice/.bash_history");
    EXPECT_EQ(field(e, "fs.path.target", ctx), "/tmp/b");
    EXPECT_EQ(field(e, "evt.arg.newpath", ctx), "b");
    FileChangeEvent m;
    m.common = cat_process();
    m.syscall = "chmod";
    m.mode = 04755;
    m.mode_bits = {"S_ISUID"};
    auto setuid = compile_condition("evt.type = chmod and ks.mode_bits intersects (S_ISUID, S_ISGID)");
    ASSERT_TRUE(setuid);
    EXPECT_TRUE(setuid->eval(EventFields(Event(m), ctx)));
    EXPECT_EQ(field(Event(m), "evt.arg.mode", ctx), "04755");
    PrivilegeEvent p;
    p.common = cat_process();
    p.syscall = "setresuid";
    p.old_euid = 1000;
    p.new_euid = 0;
    EXPECT_EQ(field(Event(p), "evt.type", ctx), "setresuid");
    EXPECT_EQ(field(Event(p), "ks.old_euid", ctx), "1000");
    EXPECT_EQ(field(Event(p), "ks.new_euid", ctx), "0");
    BpfEvent b;
    b.common = cat_process();
    b.command = "BPF_PROG_LOAD";
    b.name = "ks_dropper";
    EXPECT_EQ(field(Event(b), "evt.type", ctx), "bpf");
    EXPECT_EQ(field(Event(b), "evt.arg.cmd", ctx), "BPF_PROG_LOAD");
    EXPECT_EQ(field(Event(b), "evt.arg.name", ctx), "ks_dropper");  // the built-in BPF rule's output
    ExitEvent x;
    x.common = cat_process();
    EXPECT_EQ(falco_event_type(Event(x)), "procexit");
    DnsEvent d;
    d.event = "query";
    d.name = "pool.example";
    EXPECT_EQ(falco_event_type(Event(d)), "dns_query");
    EXPECT_EQ(field(Event(d), "ks.dns.name", ctx), "pool.example");
}

RuleSet rules_from(const std::string& yaml) {
    auto set = load_rules({{"t.yaml", yaml}});
    EXPECT_TRUE(set) << set.error().message;
    return set ? std::move(set.value()) : RuleSet{};
}

TEST(RulesEngine, PrefilterHandsEachEventOnlyItsRules) {
    RuleSet set = rules_from(R"(- rule: Exec
  desc: d
  condition: evt.type = execve and proc.name = cat
  output: exec %proc.name
  priority: notice
- rule: Any
  desc: d
  condition: proc.name = cat and not evt.type = procexit
  output: any %evt.type
  priority: debug
)");
    ASSERT_EQ(set.rules.size(), 2u);
    EXPECT_EQ(set.rules[0].event_types, (std::set<std::string>{"execve"}));
    EXPECT_TRUE(set.rules[1].event_types.empty());
    RuleEngine engine(std::move(set), {1000, 1000});
    FakeContext ctx;
    ExecEvent x;
    x.common = cat_process();
    x.filename = "/usr/bin/cat";
    OpenEvent o;
    o.common = cat_process();
    o.syscall = "open";
    std::vector<Event> alerts;
    engine.evaluate(Event(x), ctx, alerts);
    engine.evaluate(Event(o), ctx, alerts);
    ASSERT_EQ(alerts.size(), 3u);
    const auto& a = std::get<AlertEvent>(alerts[0]);
    EXPECT_EQ(a.rule, "Exec");
    EXPECT_EQ(a.priority, "Notice");
    EXPECT_EQ(a.output, "exec cat");
    EXPECT_EQ(a.common.pid, 300u);
    ASSERT_TRUE(a.trigger);
    EXPECT_TRUE(std::holds_alternative<ExecEvent>(a.trigger->event));
    EXPECT_EQ(std::get<AlertEvent>(alerts[1]).rule, "Any");
    EXPECT_EQ(std::get<AlertEvent>(alerts[2]).output, "any open");
    // Alerts are not evaluated again.
    std::vector<Event> none;
    engine.evaluate(alerts[0], ctx, none);
    EXPECT_TRUE(none.empty());
    EXPECT_EQ(engine.counters(0).fired.load(), 1u);
    EXPECT_EQ(engine.counters(1).fired.load(), 2u);
}

TEST(RulesEngine, RateLimitPerRuleAndProcess) {
    RuleEngine engine(rules_from(R"(- rule: Open
  desc: d
  condition: evt.type = open
  output: o
  priority: info
)"),
                      {0.0001, 3});
    FakeContext ctx;
    OpenEvent o;
    o.common = cat_process();
    o.syscall = "open";
    std::vector<Event> alerts;
    for (int i = 0; i < 10; i++) engine.evaluate(Event(o), ctx, alerts);
    EXPECT_EQ(alerts.size(), 3u);
    EXPECT_EQ(engine.counters(0).suppressed.load(), 7u);
    o.common.pid = 301;  // another process has its own bucket
    engine.evaluate(Event(o), ctx, alerts);
    EXPECT_EQ(alerts.size(), 4u);
}

TEST(RulesCatalog, EveryFieldHasAGetter) {
    std::vector<std::string> missing;
    for (const auto& f : field_catalog())
        if (!event_field_known(f.name)) missing.emplace_back(f.name);
    EXPECT_EQ(missing, std::vector<std::string>{});
}

}  // namespace
}  // namespace kscope::rules
