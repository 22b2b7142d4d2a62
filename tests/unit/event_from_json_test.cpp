#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/openat2.h>

#include <nlohmann/json.hpp>

#include "events/event_from_json.h"
#include "events/open_flags.h"
#include "sinks/event_json.h"

namespace kscope {
namespace {

std::string render(const Event& e) {
    std::string out;
    append_event_json(out, e);
    return out;
}

// Renders the event, parses the line back and renders that: the two lines must be the same
// bytes. Returns the parsed event (a default one after a failure, which is reported).
template <typename T>
T round_trip(const T& original) {
    std::string first = render(Event(original));
    auto parsed = event_from_json(first);
    if (!parsed.ok()) {
        ADD_FAILURE() << parsed.error().message << "\n" << first;
        return T{};
    }
    EXPECT_EQ(render(*parsed), first);
    const T* typed = std::get_if<T>(&*parsed);
    if (!typed) {
        ADD_FAILURE() << "parsed as " << type_name(*parsed) << "\n" << first;
        return T{};
    }
    return *typed;
}

CommonFields full_common() {
    return {.ts_ns = 1700000000123456789ULL, .pid = 4242, .tid = 4243, .ppid = 77, .uid = 1000, .gid = 1001,
            .comm = "worker \"q\"\t", .cgroup_id = 987654321, .container_id = "0123456789ab"};
}

void expect_common(const CommonFields& got, const CommonFields& want) {
    EXPECT_EQ(got.ts_ns, want.ts_ns);
    EXPECT_EQ(got.pid, want.pid);
    EXPECT_EQ(got.tid, want.tid);
    EXPECT_EQ(got.ppid, want.ppid);
    EXPECT_EQ(got.uid, want.uid);
    EXPECT_EQ(got.gid, want.gid);
    EXPECT_EQ(got.comm, want.comm);
    EXPECT_EQ(got.cgroup_id, want.cgroup_id);
    EXPECT_EQ(got.container_id, want.container_id);
}

std::string error_of(std::string_view line) {
    auto r = event_from_json(line);
    if (r.ok())
        return "(parsed as " + std::string(type_name(*r)) + ")";
    return r.error().message;
}

ExecEvent full_exec() {
    ExecEvent e;
    e.common = full_common();
    e.filename = "/usr/bin/sudo";
    e.argv = {"sudo", "-u", "root", "a b\nc", ""};
    e.args_truncated = true;
    e.args_unreadable = true;
    e.execveat = true;
    e.ret = -13;
    e.start_boot_ns = 555;  // not in the JSON
    e.privileged_exec = true;
    e.old_uid = 1000;
    e.old_euid = 1002;
    e.new_uid = 1003;
    e.new_euid = 0;
    e.stdin_type = "char";
    e.stdout_type = "pipe";
    e.stderr_type = "unix";
    e.exe_memfd = true;
    e.exe_deleted = true;
    e.exe_inode = 123456789;
    e.tty = 0x8801;
    e.loginuid = 1000;
    e.cwd = "/home/u";
    return e;
}

TEST(EventFromJson, Exec) {
    ExecEvent e = full_exec();
    ExecEvent p = round_trip(e);
    expect_common(p.common, e.common);
    EXPECT_EQ(p.filename, e.filename);
    EXPECT_EQ(p.argv, e.argv);
    EXPECT_TRUE(p.args_truncated && p.args_unreadable && p.execveat && p.privileged_exec);
    EXPECT_EQ(p.ret, -13);
    EXPECT_EQ(p.start_boot_ns, 0u);  // the JSON does not carry it
    EXPECT_EQ(p.new_uid, 1003u);
    EXPECT_STREQ(p.stdin_type, "char");
    EXPECT_STREQ(p.stdout_type, "pipe");
    EXPECT_STREQ(p.stderr_type, "unix");
    EXPECT_TRUE(p.exe_memfd && p.exe_deleted);
    EXPECT_EQ(p.exe_inode, 123456789u);
    EXPECT_EQ(p.tty, 0x8801u);
    EXPECT_EQ(p.loginuid, 1000u);
    EXPECT_EQ(p.cwd, "/home/u");
}

TEST(EventFromJson, ExecUnsetLoginUidAndExecve) {
    ExecEvent e = full_exec();
    e.loginuid = UINT32_MAX;  // printed as -1
    e.execveat = false;
    e.stdin_type = "";        // closed
    ExecEvent p = round_trip(e);
    EXPECT_EQ(p.loginuid, UINT32_MAX);
    EXPECT_FALSE(p.execveat);
    EXPECT_STREQ(p.stdin_type, "");
}

TEST(EventFromJson, Exit) {
    ExitEvent e{.common = full_common(), .exit_code = 3, .signal = 9, .core_dumped = true, .duration_ns = 5000000001};
    ExitEvent p = round_trip(e);
    expect_common(p.common, e.common);
    EXPECT_EQ(p.exit_code, 3);
    EXPECT_EQ(p.signal, 9);
    EXPECT_TRUE(p.core_dumped);
    EXPECT_EQ(p.duration_ns, 5000000001u);
}

TEST(EventFromJson, Open) {
    OpenEvent e;
    e.common = full_common();
    e.syscall = "openat2";
    e.path = "data.txt";
    e.resolved_path = "/srv/data.txt";
    e.resolution = "dirfd";
    e.open_flags = O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_SYNC;
    e.resolve_flags = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS;
    e.mode = 0640;
    e.dirfd = 7;
    e.ret = -17;
    OpenEvent p = round_trip(e);
    expect_common(p.common, e.common);
    EXPECT_STREQ(p.syscall, "openat2");
    EXPECT_EQ(p.path, "data.txt");
    EXPECT_EQ(p.resolved_path, "/srv/data.txt");
    EXPECT_STREQ(p.resolution, "dirfd");
    EXPECT_EQ(p.open_flags, e.open_flags);
    EXPECT_EQ(p.resolve_flags, e.resolve_flags);
    EXPECT_EQ(p.mode, 0640u);
    EXPECT_EQ(p.dirfd, 7);
    EXPECT_EQ(p.ret, -17);
}

TEST(EventFromJson, OpenModeOnlyWhenCreating) {
    OpenEvent e;
    e.common = full_common();
    e.syscall = "open";
    e.resolution = "cwd";
    e.open_flags = O_RDONLY;
    e.mode = 0644;  // not printed: the flags do not create
    e.ret = 3;
    EXPECT_EQ(round_trip(e).mode, 0u);
    e.open_flags = O_WRONLY | O_TMPFILE;
    e.mode = 04755;
    EXPECT_EQ(round_trip(e).mode, 04755u);
}

TEST(EventFromJson, TcpEveryKind) {
    const std::pair<const char*, const char*> kinds[] = {
        {"connect", "tcp_connect"},       {"accept", "tcp_accept"},         {"close", "tcp_close"},
        {"retransmit", "tcp_retransmit"}, {"reset_sent", "tcp_reset_sent"}, {"reset_received", "tcp_reset_received"},
    };
    for (auto [kind, type] : kinds) {
        SCOPED_TRACE(type);
        std::string_view k = kind;
        bool with_state = k == "retransmit" || k.starts_with("reset");
        TcpEvent e;
        e.common = full_common();
        e.event = kind;
        e.family = "ipv6";
        e.saddr = "fe80::1";
        e.daddr = "2001:db8::2";
        e.sport = 40000;
        e.dport = 443;
        e.latency_ns = 12345;
        e.duration_ns = 67890;
        e.bytes_sent = 1ULL << 40;
        e.bytes_received = 99;
        e.closed_by = k == "close" ? "remote" : "";
        e.ret = -111;
        e.state = with_state ? "ESTABLISHED" : "";
        std::string line = render(Event(e));
        EXPECT_NE(line.find(std::string("\"type\":\"") + type + "\""), std::string::npos);
        TcpEvent p = round_trip(e);
        expect_common(p.common, e.common);
        EXPECT_STREQ(p.event, kind);
        EXPECT_STREQ(p.family, "ipv6");
        EXPECT_EQ(p.saddr, "fe80::1");
        EXPECT_EQ(p.daddr, "2001:db8::2");
        EXPECT_EQ(p.sport, 40000);
        EXPECT_EQ(p.dport, 443);
        // Each kind prints only its own fields; the others come back as defaults.
        EXPECT_EQ(p.latency_ns, with_state ? 0u : 12345u);
        EXPECT_EQ(p.duration_ns, k == "close" ? 67890u : 0u);
        EXPECT_EQ(p.bytes_sent, k == "close" ? 1ULL << 40 : 0u);
        EXPECT_EQ(p.bytes_received, k == "close" ? 99u : 0u);
        EXPECT_STREQ(p.closed_by, k == "close" ? "remote" : "");
        EXPECT_EQ(p.ret, k == "connect" ? -111 : 0);
        EXPECT_EQ(p.state, e.state);
    }
}

TEST(EventFromJson, Drop) {
    DropEvent e{.common = full_common(), .reason = "NO_SOCKET", .reason_code = 2, .protocol = "ipv4",
                .l4_protocol = "udp", .saddr = "10.0.0.1", .daddr = "10.0.0.2", .sport = 5353, .dport = 9,
                .location = 0xffffffff81234567ULL};
    DropEvent p = round_trip(e);
    expect_common(p.common, e.common);
    EXPECT_EQ(p.reason, "NO_SOCKET");
    EXPECT_EQ(p.reason_code, 2u);
    EXPECT_EQ(p.protocol, "ipv4");
    EXPECT_EQ(p.l4_protocol, "udp");
    EXPECT_EQ(p.saddr, "10.0.0.1");
    EXPECT_EQ(p.dport, 9);
    EXPECT_EQ(p.location, 0xffffffff81234567ULL);
}

DnsEvent full_dns(const char* kind) {
    DnsEvent e;
    e.common = full_common();
    e.event = kind;
    e.family = "ipv4";
    e.transport = "tcp";
    e.saddr = "192.168.1.5";
    e.daddr = "192.168.1.1";
    e.sport = 51000;
    e.dport = 53;
    e.id = 0xbeef;
    e.name = "example.com";
    e.query_type = "AAAA";
    e.rcode = "NXDOMAIN";
    e.answers = 2;
    e.addresses = {"2001:db8::1", "2001:db8::2"};
    e.latency_ns = 4242;
    e.truncated = true;
    return e;
}

TEST(EventFromJson, DnsQueryAndResponse) {
    DnsEvent r = round_trip(full_dns("response"));
    expect_common(r.common, full_common());
    EXPECT_STREQ(r.event, "response");
    EXPECT_STREQ(r.family, "ipv4");
    EXPECT_STREQ(r.transport, "tcp");
    EXPECT_EQ(r.id, 0xbeef);
    EXPECT_EQ(r.name, "example.com");
    EXPECT_EQ(r.query_type, "AAAA");
    EXPECT_EQ(r.rcode, "NXDOMAIN");
    EXPECT_EQ(r.answers, 2);
    EXPECT_EQ(r.addresses, full_dns("response").addresses);
    EXPECT_EQ(r.latency_ns, 4242u);
    EXPECT_TRUE(r.truncated);

    DnsEvent q = round_trip(full_dns("query"));
    EXPECT_STREQ(q.event, "query");
    EXPECT_EQ(q.dport, 53);
    EXPECT_EQ(q.rcode, "");  // a query prints no response fields
    EXPECT_TRUE(q.addresses.empty());
    EXPECT_EQ(q.latency_ns, 0u);
}

TEST(EventFromJson, OomKill) {
    OomEvent e{.common = full_common(), .trigger_pid = 31337, .trigger_comm = "hog", .constraint = "memcg",
               .memcg = "/sys/fs/cgroup/app", .memcg_limit_bytes = 1ULL << 30, .rss_bytes = 999999,
               .oom_score_adj = -500};
    OomEvent p = round_trip(e);
    expect_common(p.common, e.common);
    EXPECT_EQ(p.trigger_pid, 31337u);
    EXPECT_EQ(p.trigger_comm, "hog");
    EXPECT_STREQ(p.constraint, "memcg");
    EXPECT_EQ(p.memcg, "/sys/fs/cgroup/app");
    EXPECT_EQ(p.memcg_limit_bytes, 1ULL << 30);
    EXPECT_EQ(p.oom_score_adj, -500);
}

TEST(EventFromJson, Privilege) {
    PrivilegeEvent e;
    e.common = full_common();
    e.syscall = "setresuid";
    uint32_t n = 100;
    for (uint32_t* f : {&e.old_uid, &e.old_euid, &e.old_suid, &e.old_fsuid, &e.old_gid, &e.old_egid, &e.old_sgid,
                        &e.old_fsgid, &e.new_uid, &e.new_euid, &e.new_suid, &e.new_fsuid, &e.new_gid, &e.new_egid,
                        &e.new_sgid, &e.new_fsgid})
        *f = n++;
    e.old_cap_effective = 0x1ffffffffffULL;
    e.new_cap_effective = 0x1;
    e.old_cap_permitted = 0x3000;
    e.new_cap_permitted = 0xffffffffffffffffULL;
    e.ret = -1;
    PrivilegeEvent p = round_trip(e);
    expect_common(p.common, e.common);
    EXPECT_STREQ(p.syscall, "setresuid");
    EXPECT_EQ(p.old_uid, 100u);
    EXPECT_EQ(p.old_fsgid, 107u);
    EXPECT_EQ(p.new_fsgid, 115u);
    EXPECT_EQ(p.old_cap_effective, 0x1ffffffffffULL);
    EXPECT_EQ(p.new_cap_permitted, 0xffffffffffffffffULL);
    EXPECT_EQ(p.ret, -1);
}

TEST(EventFromJson, Ptrace) {
    PtraceEvent e{.common = full_common(), .syscall = "ptrace", .request = "PTRACE_POKETEXT", .request_code = 4,
                  .target_pid = 99, .target_comm = "sshd", .bytes = 4096, .ret = -3};
    PtraceEvent p = round_trip(e);
    expect_common(p.common, e.common);
    EXPECT_STREQ(p.syscall, "ptrace");
    EXPECT_EQ(p.request, "PTRACE_POKETEXT");
    EXPECT_EQ(p.request_code, 4);
    EXPECT_EQ(p.target_pid, 99u);
    EXPECT_EQ(p.target_comm, "sshd");
    EXPECT_EQ(p.bytes, 4096u);
    e.syscall = "process_vm_writev";
    EXPECT_STREQ(round_trip(e).syscall, "process_vm_writev");
}

TEST(EventFromJson, ModuleLoad) {
    ModuleLoadEvent e{.common = full_common(), .syscall = "finit_module", .name = "rootkit",
                      .path = "/tmp/rootkit.ko", .params = "hide=1 port=31337", .ret = -17};
    ModuleLoadEvent p = round_trip(e);
    expect_common(p.common, e.common);
    EXPECT_STREQ(p.syscall, "finit_module");
    EXPECT_EQ(p.name, "rootkit");
    EXPECT_EQ(p.path, "/tmp/rootkit.ko");
    EXPECT_EQ(p.params, "hide=1 port=31337");
    EXPECT_EQ(p.ret, -17);
}

TEST(EventFromJson, Bpf) {
    BpfEvent e{.common = full_common(), .command = "BPF_PROG_LOAD", .prog_type = "BPF_PROG_TYPE_KPROBE",
               .map_type = "BPF_MAP_TYPE_HASH", .name = "probe", .ret = 9};
    BpfEvent p = round_trip(e);
    expect_common(p.common, e.common);
    EXPECT_EQ(p.command, "BPF_PROG_LOAD");
    EXPECT_EQ(p.prog_type, "BPF_PROG_TYPE_KPROBE");
    EXPECT_EQ(p.map_type, "BPF_MAP_TYPE_HASH");
    EXPECT_EQ(p.name, "probe");
    EXPECT_EQ(p.ret, 9);
}

TEST(EventFromJson, PerfEventOpen) {
    PerfEventOpenEvent e{.common = full_common(), .perf_type = 4, .perf_type_name = "raw", .config = 0x1234,
                         .target_pid = -1, .cpu = 3, .ret = 5};
    PerfEventOpenEvent p = round_trip(e);
    expect_common(p.common, e.common);
    EXPECT_EQ(p.perf_type, 4u);
    EXPECT_EQ(p.perf_type_name, "raw");
    EXPECT_EQ(p.config, 0x1234u);
    EXPECT_EQ(p.target_pid, -1);
    EXPECT_EQ(p.cpu, 3);
    EXPECT_EQ(p.ret, 5);
}

TEST(EventFromJson, Userfaultfd) {
    UserfaultfdEvent e{.common = full_common(), .flags = O_CLOEXEC | O_NONBLOCK | 1, .ret = 6};
    UserfaultfdEvent p = round_trip(e);
    expect_common(p.common, e.common);
    EXPECT_EQ(p.flags, e.flags);
    EXPECT_EQ(p.ret, 6);
}

TEST(EventFromJson, Namespace) {
    NamespaceEvent e{.common = full_common(), .syscall = "clone3", .namespaces = {"mnt", "pid", "net"},
                     .flags = 0x20000000 | 0x40000000 | 0x00020000, .fd = 5, .ret = 4321};
    NamespaceEvent p = round_trip(e);
    expect_common(p.common, e.common);
    EXPECT_STREQ(p.syscall, "clone3");
    EXPECT_EQ(p.namespaces, e.namespaces);
    EXPECT_EQ(p.flags, e.flags);
    EXPECT_EQ(p.fd, 5);
    EXPECT_EQ(p.ret, 4321);
}

TEST(EventFromJson, Mount) {
    MountEvent e{.common = full_common(), .syscall = "umount", .source = "/dev/sda1", .target = "/mnt",
                 .fstype = "ext4", .flags = 0x3, .ret = -16};
    MountEvent p = round_trip(e);
    expect_common(p.common, e.common);
    EXPECT_STREQ(p.syscall, "umount");
    EXPECT_EQ(p.source, "/dev/sda1");
    EXPECT_EQ(p.target, "/mnt");
    EXPECT_EQ(p.fstype, "ext4");
    EXPECT_EQ(p.flags, 0x3u);
    EXPECT_EQ(p.ret, -16);
}

TEST(EventFromJson, FileChange) {
    FileChangeEvent e{.common = full_common(), .syscall = "renameat2", .path = "a", .resolved_path = "/x/a",
                      .new_path = "b", .resolved_new_path = "/x/b", .mode = 04755, .mode_bits = {"S_ISUID"},
                      .owner_uid = 1000, .owner_gid = 1001, .fd = 3, .ret = -2};
    FileChangeEvent p = round_trip(e);
    expect_common(p.common, e.common);
    EXPECT_STREQ(p.syscall, "renameat2");
    EXPECT_EQ(p.path, "a");
    EXPECT_EQ(p.resolved_path, "/x/a");
    EXPECT_EQ(p.new_path, "b");
    EXPECT_EQ(p.resolved_new_path, "/x/b");
    EXPECT_EQ(p.mode, 04755u);
    EXPECT_EQ(p.mode_bits, std::vector<std::string>{"S_ISUID"});
    EXPECT_EQ(p.owner_uid, 1000);
    EXPECT_EQ(p.owner_gid, 1001);
    EXPECT_EQ(p.fd, 3);
    EXPECT_EQ(p.ret, -2);
    // Unchanged owners (-1) and no mode ("") come back as such.
    e.owner_uid = e.owner_gid = -1;
    e.mode = 0;
    e.mode_bits.clear();
    p = round_trip(e);
    EXPECT_EQ(p.owner_uid, -1);
    EXPECT_EQ(p.mode, 0u);
}

TEST(EventFromJson, MemfdCreate) {
    MemfdCreateEvent e{.common = full_common(), .name = "payload", .flags = 3, .ret = 5};
    MemfdCreateEvent p = round_trip(e);
    expect_common(p.common, e.common);
    EXPECT_EQ(p.name, "payload");
    EXPECT_EQ(p.flags, 3u);
    EXPECT_EQ(p.ret, 5);
}

TEST(EventFromJson, Socket) {
    SocketEvent e{.common = full_common(), .syscall = "bind", .family = "ipv6", .sock_type = "stream",
                  .protocol = 6, .addr = "::1", .port = 8080, .backlog = 128, .fd = 4, .ret = -98};
    SocketEvent p = round_trip(e);
    expect_common(p.common, e.common);
    EXPECT_STREQ(p.syscall, "bind");
    EXPECT_EQ(p.family, "ipv6");
    EXPECT_EQ(p.sock_type, "stream");
    EXPECT_EQ(p.protocol, 6);
    EXPECT_EQ(p.addr, "::1");
    EXPECT_EQ(p.port, 8080);
    EXPECT_EQ(p.backlog, 128);
    EXPECT_EQ(p.fd, 4);
    EXPECT_EQ(p.ret, -98);
}

AlertEvent full_alert(Event trigger) {
    AlertEvent a;
    a.common = common_of(trigger);
    a.rule = "Run shell untrusted";
    a.priority = "Warning";
    a.output = "shell spawned (user=root)";
    a.tags = {"mitre_execution", "T1059"};
    a.source = "syscall";
    a.action = "kill";
    a.trigger = std::make_shared<const TriggerEvent>(TriggerEvent{std::move(trigger)});
    return a;
}

TEST(EventFromJson, AlertWithItsTrigger) {
    AlertEvent a = full_alert(Event(full_exec()));
    AlertEvent p = round_trip(a);
    expect_common(p.common, a.common);
    EXPECT_EQ(p.rule, "Run shell untrusted");
    EXPECT_EQ(p.priority, "Warning");
    EXPECT_EQ(p.output, "shell spawned (user=root)");
    EXPECT_EQ(p.tags, a.tags);
    EXPECT_EQ(p.source, "syscall");
    EXPECT_EQ(p.action, "kill");
    ASSERT_TRUE(p.trigger);
    const auto* exec = std::get_if<ExecEvent>(&p.trigger->event);
    ASSERT_TRUE(exec);
    EXPECT_EQ(exec->argv, full_exec().argv);
    EXPECT_STREQ(exec->stdout_type, "pipe");
}

TEST(EventFromJson, AlertAncestry) {
    AlertEvent a = full_alert(Event(full_exec()));
    a.ancestry = {{4242, "grep", "/usr/bin/grep", "grep -r key /"}, {4200, "sh", "/bin/sh", "sh -c x"}, {1, "init", "", ""}};
    AlertEvent p = round_trip(a);
    EXPECT_EQ(p.ancestry, a.ancestry);
    EXPECT_NE(render(Event(a)).find(R"("ancestry":[{"pid":4242,"comm":"grep","exe":"/usr/bin/grep","cmdline":"grep -r key /"},)"),
              std::string::npos)
        << render(Event(a));
    // None known: no field at all.
    a.ancestry.clear();
    EXPECT_EQ(render(Event(a)).find("ancestry"), std::string::npos);
    // Wrong shapes are refused, naming the field.
    for (const char* bad : {R"("ancestry":{})", R"("ancestry":[1])", R"("ancestry":[{"pid":"x"}])"}) {
        const std::string json = std::string(R"({"type":"alert","ts":1,"rule":"r",)") + bad + "}";
        auto e = event_from_json(json);
        ASSERT_FALSE(e.ok()) << json;
        EXPECT_NE(e.error().message.find("ancestry"), std::string::npos) << e.error().message;
    }
}

TEST(EventFromJson, AnomalyAndFloodAlerts) {
    AlertEvent a = full_alert(Event(full_exec()));
    a.source = "anomaly";
    a.action = "alert";
    a.workload = "container:abc";
    a.anomaly = "exec";
    a.new_item = "/usr/bin/curl";
    a.baseline_size = 7;
    AlertEvent p = round_trip(a);
    EXPECT_EQ(p.workload, "container:abc");
    EXPECT_EQ(p.anomaly, "exec");
    EXPECT_EQ(p.new_item, "/usr/bin/curl");
    EXPECT_EQ(p.baseline_size, 7u);

    a.anomaly = "exec_rate";
    a.new_item.clear();
    a.rate = 52.5;
    a.expected_rate = 2.25;
    p = round_trip(a);
    EXPECT_EQ(p.rate, 52.5);
    EXPECT_EQ(p.expected_rate, 2.25);
    EXPECT_EQ(render(Event(a)).find("new_item"), std::string::npos);

    AlertEvent f;
    f.common.ts_ns = 1700000000123456789ULL;
    f.rule = "Packet flood";
    f.priority = "Critical";
    f.source = "flood";
    f.saddr = "10.0.0.2";
    f.protocol = "udp";
    f.interface = "veth0";
    f.rate = 120000;
    f.expected_rate = 1000;
    f.mitigated = true;
    f.cooldown_s = 60;
    AlertEvent q = round_trip(f);
    EXPECT_EQ(q.saddr, "10.0.0.2");
    EXPECT_EQ(q.protocol, "udp");
    EXPECT_EQ(q.interface, "veth0");
    EXPECT_EQ(q.rate, 120000);
    EXPECT_EQ(q.expected_rate, 1000);
    EXPECT_TRUE(q.mitigated);
    EXPECT_EQ(q.cooldown_s, 60u);
    EXPECT_NE(render(Event(f)).find(R"("rate_pps":120000,"threshold_pps":1000)"), std::string::npos) << render(Event(f));
}

TEST(EventFromJson, AlertWithoutTriggerAndNested) {
    AlertEvent bare = full_alert(Event(ExitEvent{}));
    bare.trigger.reset();
    AlertEvent p = round_trip(bare);
    EXPECT_FALSE(p.trigger);
    // An alert about an alert about a TCP reset.
    TcpEvent t;
    t.common = full_common();
    t.event = "reset_received";
    t.family = "ipv4";
    t.state = "SYN_SENT";
    AlertEvent outer = full_alert(Event(full_alert(Event(t))));
    p = round_trip(outer);
    ASSERT_TRUE(p.trigger);
    const auto* inner = std::get_if<AlertEvent>(&p.trigger->event);
    ASSERT_TRUE(inner && inner->trigger);
    const auto* tcp = std::get_if<TcpEvent>(&inner->trigger->event);
    ASSERT_TRUE(tcp);
    EXPECT_STREQ(tcp->event, "reset_received");
    EXPECT_EQ(tcp->state, "SYN_SENT");
}

TEST(EventFromJson, EveryTypeNameParsesWithDefaults) {
    for (std::string_view name : event_type_names()) {
        SCOPED_TRACE(name);
        auto r = event_from_json("{\"type\":\"" + std::string(name) + "\"}");
        ASSERT_TRUE(r.ok()) << r.error().message;
        EXPECT_EQ(type_name(*r), name);
        std::string line = render(*r);
        auto again = event_from_json(line);
        ASSERT_TRUE(again.ok()) << again.error().message << "\n" << line;
        EXPECT_EQ(render(*again), line);
    }
    auto exec = event_from_json(R"({"type":"exec"})");
    ASSERT_TRUE(exec.ok());
    EXPECT_EQ(std::get<ExecEvent>(*exec).loginuid, UINT32_MAX);  // the struct's default
    auto alert = event_from_json(R"({"type":"alert"})");
    ASSERT_TRUE(alert.ok());
    EXPECT_EQ(std::get<AlertEvent>(*alert).source, "rule");
    EXPECT_EQ(std::get<AlertEvent>(*alert).action, "alert");
}

TEST(EventFromJson, IgnoresDerivedAndUnknownKeysAndTrailingNewline) {
    auto r = event_from_json(R"({"type":"exit","pid":7,"signal":9,"signal_name":"SIGTERM","error":"x","new":[1]})"
                             "\n");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(std::get<ExitEvent>(*r).common.pid, 7u);
    EXPECT_EQ(std::get<ExitEvent>(*r).signal, 9);  // signal_name is the writer's, from signal
}

TEST(EventFromJson, WordsPointAtStaticTextNotTheLine) {
    auto line = std::make_unique<std::string>(
        R"({"type":"open","syscall":"openat","resolution":"cwd","flags":"O_RDONLY"})");
    auto r = event_from_json(*line);
    ASSERT_TRUE(r.ok()) << r.error().message;
    const auto& e = std::get<OpenEvent>(*r);
    const char* begin = line->data();
    const char* end = begin + line->size();
    EXPECT_FALSE(e.syscall >= begin && e.syscall < end);
    line->assign(line->size(), 'X');
    line.reset();
    EXPECT_STREQ(e.syscall, "openat");
    EXPECT_STREQ(e.resolution, "cwd");
}

TEST(EventFromJson, InvalidUtf8ComesBackAsReplacementCharacters) {
    // The writer turns bad bytes into \ufffd; parsed, that is U+FFFD itself, which the writer
    // then prints as UTF-8. Same JSON value, different bytes; stable from then on.
    ExitEvent e;
    e.common.comm = "bad\xff";
    std::string first = render(Event(e));
    auto p = event_from_json(first);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(std::get<ExitEvent>(*p).common.comm, "bad\xef\xbf\xbd");
    std::string second = render(*p);
    EXPECT_EQ(nlohmann::json::parse(second), nlohmann::json::parse(first));
    auto p2 = event_from_json(second);
    ASSERT_TRUE(p2.ok());
    EXPECT_EQ(render(*p2), second);
}

TEST(EventFromJson, Errors) {
    EXPECT_TRUE(error_of("{\"type\":").starts_with("malformed JSON: ")) << error_of("{\"type\":");
    EXPECT_NE(error_of("{not json}").find("parse error"), std::string::npos) << error_of("{not json}");
    EXPECT_TRUE(error_of("").starts_with("malformed JSON: "));
    EXPECT_EQ(error_of("[1,2]"), "expected a JSON object, got array");
    EXPECT_EQ(error_of(R"({"pid":1})"), "missing field 'type'");
    EXPECT_EQ(error_of(R"({"type":7})"), "field 'type': expected a string");
    EXPECT_EQ(error_of(R"({"type":"bogus"})"), "unknown event type 'bogus'");
    EXPECT_EQ(error_of(R"({"type":"tcp_bogus"})"), "unknown event type 'tcp_bogus'");
    // Words outside a field's fixed set.
    EXPECT_EQ(error_of(R"({"type":"open","syscall":"foo"})"), "field 'syscall': unknown value 'foo'");
    EXPECT_EQ(error_of(R"({"type":"exec","syscall":"execvex"})"), "field 'syscall': unknown value 'execvex'");
    EXPECT_EQ(error_of(R"({"type":"exec","stdin_type":"tty"})"), "field 'stdin_type': unknown value 'tty'");
    EXPECT_EQ(error_of(R"({"type":"tcp_close","closed_by":"maybe"})"), "field 'closed_by': unknown value 'maybe'");
    EXPECT_EQ(error_of(R"({"type":"dns_query","transport":"quic"})"), "field 'transport': unknown value 'quic'");
    EXPECT_EQ(error_of(R"({"type":"oom_kill","constraint":"cpuset"})"), "field 'constraint': unknown value 'cpuset'");
    EXPECT_EQ(error_of(R"({"type":"mount","syscall":"umount2"})"), "field 'syscall': unknown value 'umount2'");
    // Wrong JSON types and ranges.
    EXPECT_EQ(error_of(R"({"type":"exec","pid":"12"})"), "field 'pid': expected an integer, got \"12\"");
    EXPECT_EQ(error_of(R"({"type":"exec","pid":1.5})"), "field 'pid': expected an integer, got 1.5");
    EXPECT_EQ(error_of(R"({"type":"exec","pid":-1})"), "field 'pid': -1 is out of range");
    EXPECT_EQ(error_of(R"({"type":"exec","loginuid":-2})"), "field 'loginuid': -2 is out of range");
    EXPECT_EQ(error_of(R"({"type":"tcp_connect","sport":70000})"), "field 'sport': 70000 is out of range");
    EXPECT_EQ(error_of(R"({"type":"exec","comm":null})"), "field 'comm': expected a string, got null");
    EXPECT_EQ(error_of(R"({"type":"exec","argv":["a",1]})"), "field 'argv': expected an array of strings, got 1");
    EXPECT_EQ(error_of(R"({"type":"exit","core_dumped":1})"), "field 'core_dumped': expected true or false, got 1");
    // Text-printed numbers.
    EXPECT_EQ(error_of(R"({"type":"open","flags":"O_RDONLY|O_BOGUS"})"),
              "field 'flags': unknown flag 'O_BOGUS' in 'O_RDONLY|O_BOGUS'");
    EXPECT_EQ(error_of(R"({"type":"open","resolve_flags":"RESOLVE_NOPE"})"),
              "field 'resolve_flags': unknown flag 'RESOLVE_NOPE' in 'RESOLVE_NOPE'");
    EXPECT_EQ(error_of(R"({"type":"open","mode":"0789"})"), "field 'mode': '0789' is not an octal mode");
    EXPECT_EQ(error_of(R"({"type":"drop","location":"1234"})"), "field 'location': '1234' is not a hex number (0x...)");
    EXPECT_EQ(error_of(R"({"type":"privilege","new_cap_effective":"0x1ffffffffffffffff"})"),
              "field 'new_cap_effective': '0x1ffffffffffffffff' is not a hex number (0x...)");
    // The first problem is the one reported.
    EXPECT_EQ(error_of(R"({"type":"exec","pid":-1,"uid":-1})"), "field 'pid': -1 is out of range");
    // Inside an alert, with where it was.
    EXPECT_EQ(error_of(R"({"type":"alert","event":{"type":"nope"}})"), "field 'event': unknown event type 'nope'");
    EXPECT_EQ(error_of(R"({"type":"alert","event":{"type":"socket","syscall":"connect"}})"),
              "field 'event': field 'syscall': unknown value 'connect'");
    EXPECT_EQ(error_of(R"({"type":"alert","event":[]})"), "field 'event': expected an object");
    std::string deep = R"({"type":"exit"})";
    for (int i = 0; i < 9; i++)
        deep = R"({"type":"alert","event":)" + deep + "}";
    EXPECT_NE(error_of(deep).find("nested more than 8 deep"), std::string::npos) << error_of(deep);
}

TEST(OpenFlags, TextParsesBackToTheSameFlags) {
    const uint64_t values[] = {
        O_RDONLY,
        O_WRONLY | O_CREAT | O_TRUNC,
        O_RDWR | O_APPEND | O_CLOEXEC,
        O_ACCMODE,
        O_RDONLY | O_SYNC,
        O_DSYNC,
        O_RDWR | O_TMPFILE,
        O_TMPFILE & ~uint64_t(O_DIRECTORY),  // __O_TMPFILE alone: printed as hex
        O_PATH | O_NOFOLLOW | O_DIRECTORY | O_NOATIME | O_NOCTTY | O_EXCL | O_NONBLOCK | O_ASYNC | O_DIRECT,
        0x8000,  // the kernel's O_LARGEFILE (0 in x86-64 user space headers)
        1ULL << 40,
        ~0ULL,
    };
    for (uint64_t v : values) {
        std::string text = open_flags_text(v);
        auto parsed = parse_open_flags(text);
        ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.error().message;
        EXPECT_EQ(*parsed, v) << text;
    }
    for (uint64_t v : {uint64_t(0), uint64_t(RESOLVE_BENEATH | RESOLVE_CACHED), uint64_t(RESOLVE_NO_XDEV | 0x100),
                       ~uint64_t(0)}) {
        std::string text = resolve_flags_text(v);
        auto parsed = parse_resolve_flags(text);
        ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.error().message;
        EXPECT_EQ(*parsed, v) << text;
    }
    EXPECT_EQ(parse_open_flags("O_RDONLY|O_BOGUS").error().message, "unknown flag 'O_BOGUS'");
    EXPECT_FALSE(parse_open_flags("O_RDONLY|").ok());
    EXPECT_FALSE(parse_open_flags("0x").ok());
    EXPECT_FALSE(parse_open_flags("0xfg").ok());
    EXPECT_FALSE(parse_resolve_flags("O_CREAT").ok());
}

}  // namespace
}  // namespace kscope
