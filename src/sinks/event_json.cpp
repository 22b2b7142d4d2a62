#include "sinks/event_json.h"

#include <fmt/format.h>

#include "events/names.h"
#include "events/open_flags.h"
#include "sinks/json_writer.h"

namespace kscope {
namespace {

void common(JsonWriter& w, const char* type, const CommonFields& c) {
    w.field("type", type)
        .field("ts", c.ts_ns)
        .field("pid", c.pid)
        .field("tid", c.tid)
        .field("ppid", c.ppid)
        .field("uid", c.uid)
        .field("gid", c.gid)
        .field("comm", c.comm)
        .field("cgroup_id", c.cgroup_id)
        .field("container_id", c.container_id);
}

// Local address and port, then the peer's (the network events' shared fields).
void flow(JsonWriter& w, const std::string& saddr, uint16_t sport, const std::string& daddr, uint16_t dport) {
    w.field("saddr", saddr).field("sport", uint32_t(sport)).field("daddr", daddr).field("dport", uint32_t(dport));
}

void body(JsonWriter& w, const ExecEvent& e) {
    common(w, "exec", e.common);
    w.field("filename", e.filename);
    w.begin_array("argv");
    for (const auto& a : e.argv)
        w.element(a);
    w.end_array();
    w.field("args_truncated", e.args_truncated)
        .field("args_unreadable", e.args_unreadable)
        .field("syscall", e.execveat ? "execveat" : "execve")
        .field("ret", e.ret)
        .field("error", errno_name(e.ret))
        .field("privileged_exec", e.privileged_exec)
        .field("old_uid", e.old_uid)
        .field("old_euid", e.old_euid)
        .field("new_uid", e.new_uid)
        .field("new_euid", e.new_euid)
        .field("stdin_type", e.stdin_type)
        .field("stdout_type", e.stdout_type)
        .field("stderr_type", e.stderr_type)
        .field("exe_memfd", e.exe_memfd)
        .field("exe_deleted", e.exe_deleted)
        .field("exe_inode", e.exe_inode)
        .field("tty", e.tty)
        .field("loginuid", e.loginuid == UINT32_MAX ? int64_t(-1) : int64_t(e.loginuid))
        .field("cwd", e.cwd);
}

void body(JsonWriter& w, const ExitEvent& e) {
    common(w, "exit", e.common);
    w.field("exit_code", e.exit_code)
        .field("signal", e.signal)
        .field("signal_name", signal_name(e.signal))
        .field("core_dumped", e.core_dumped)
        .field("duration_ns", e.duration_ns);
}

void body(JsonWriter& w, const OpenEvent& e) {
    common(w, "open", e.common);
    w.field("syscall", e.syscall)
        .field("path", e.path)
        .field("resolved_path", e.resolved_path)
        .field("resolution", e.resolution)
        .field("dirfd", e.dirfd)
        .field("flags", open_flags_text(e.open_flags))
        .field("mode", open_creates(e.open_flags) ? fmt::format("{:04o}", e.mode) : std::string())
        .field("resolve_flags", resolve_flags_text(e.resolve_flags))
        .field("ret", e.ret)
        .field("error", e.ret < 0 ? errno_name(static_cast<int>(e.ret)) : std::string());
}

void body(JsonWriter& w, const TcpEvent& e) {
    common(w, tcp_type_name(e), e.common);
    w.field("family", e.family);
    flow(w, e.saddr, e.sport, e.daddr, e.dport);
    if (e.state.empty())
        w.field("latency_ns", e.latency_ns);
    if (std::string_view(e.event) == "close")
        w.field("duration_ns", e.duration_ns)
            .field("bytes_sent", e.bytes_sent)
            .field("bytes_received", e.bytes_received)
            .field("closed_by", e.closed_by);
    if (std::string_view(e.event) == "connect")
        w.field("ret", e.ret).field("error", errno_name(e.ret));
    if (!e.state.empty())
        w.field("state", e.state);
}

void body(JsonWriter& w, const DropEvent& e) {
    common(w, "drop", e.common);
    w.field("reason", e.reason)
        .field("reason_code", e.reason_code)
        .field("protocol", e.protocol)
        .field("l4_protocol", e.l4_protocol);
    flow(w, e.saddr, e.sport, e.daddr, e.dport);
    w.field("location", fmt::format("0x{:x}", e.location));
}

void body(JsonWriter& w, const DnsEvent& e) {
    common(w, dns_event_type_name(e), e.common);
    w.field("family", e.family).field("transport", e.transport);
    flow(w, e.saddr, e.sport, e.daddr, e.dport);
    w.field("id", uint32_t(e.id))
        .field("name", e.name)
        .field("query_type", e.query_type);
    if (std::string_view(e.event) == "response") {
        w.field("rcode", e.rcode).field("answers", uint32_t(e.answers));
        w.begin_array("addresses");
        for (const auto& a : e.addresses)
            w.element(a);
        w.end_array();
        w.field("latency_ns", e.latency_ns);
    }
    w.field("truncated", e.truncated);
}

void body(JsonWriter& w, const OomEvent& e) {
    common(w, "oom_kill", e.common);
    w.field("trigger_pid", e.trigger_pid)
        .field("trigger_comm", e.trigger_comm)
        .field("constraint", e.constraint)
        .field("memcg", e.memcg)
        .field("memcg_limit_bytes", e.memcg_limit_bytes)
        .field("rss_bytes", e.rss_bytes)
        .field("oom_score_adj", e.oom_score_adj);
}

void result(JsonWriter& w, int64_t ret) {
    w.field("ret", ret).field("error", ret < 0 ? errno_name(static_cast<int>(ret)) : std::string());
}

void strings(JsonWriter& w, std::string_view key, const std::vector<std::string>& values) {
    w.begin_array(key);
    for (const auto& v : values)
        w.element(v);
    w.end_array();
}

void body(JsonWriter& w, const PrivilegeEvent& e) {
    common(w, "privilege", e.common);
    w.field("syscall", e.syscall)
        .field("old_uid", e.old_uid).field("old_euid", e.old_euid).field("old_suid", e.old_suid).field("old_fsuid", e.old_fsuid)
        .field("old_gid", e.old_gid).field("old_egid", e.old_egid).field("old_sgid", e.old_sgid).field("old_fsgid", e.old_fsgid)
        .field("new_uid", e.new_uid).field("new_euid", e.new_euid).field("new_suid", e.new_suid).field("new_fsuid", e.new_fsuid)
        .field("new_gid", e.new_gid).field("new_egid", e.new_egid).field("new_sgid", e.new_sgid).field("new_fsgid", e.new_fsgid)
        .field("old_cap_effective", fmt::format("0x{:x}", e.old_cap_effective))
        .field("new_cap_effective", fmt::format("0x{:x}", e.new_cap_effective))
        .field("old_cap_permitted", fmt::format("0x{:x}", e.old_cap_permitted))
        .field("new_cap_permitted", fmt::format("0x{:x}", e.new_cap_permitted));
    result(w, e.ret);
}

void body(JsonWriter& w, const PtraceEvent& e) {
    common(w, "ptrace", e.common);
    w.field("syscall", e.syscall)
        .field("request", e.request)
        .field("request_code", e.request_code)
        .field("target_pid", e.target_pid)
        .field("target_comm", e.target_comm)
        .field("bytes", e.bytes);
    result(w, e.ret);
}

void body(JsonWriter& w, const ModuleLoadEvent& e) {
    common(w, "module_load", e.common);
    w.field("syscall", e.syscall).field("name", e.name).field("path", e.path).field("params", e.params);
    result(w, e.ret);
}

void body(JsonWriter& w, const BpfEvent& e) {
    common(w, "bpf", e.common);
    w.field("syscall", "bpf")
        .field("command", e.command)
        .field("prog_type", e.prog_type)
        .field("map_type", e.map_type)
        .field("name", e.name);
    result(w, e.ret);
}

void body(JsonWriter& w, const PerfEventOpenEvent& e) {
    common(w, "perf_event_open", e.common);
    w.field("syscall", "perf_event_open")
        .field("perf_type", e.perf_type)
        .field("perf_type_name", e.perf_type_name)
        .field("config", e.config)
        .field("target_pid", e.target_pid)
        .field("cpu", e.cpu);
    result(w, e.ret);
}

void body(JsonWriter& w, const UserfaultfdEvent& e) {
    common(w, "userfaultfd", e.common);
    w.field("syscall", "userfaultfd").field("flags", e.flags);
    result(w, e.ret);
}

void body(JsonWriter& w, const NamespaceEvent& e) {
    common(w, "namespace", e.common);
    w.field("syscall", e.syscall);
    strings(w, "namespaces", e.namespaces);
    w.field("flags", fmt::format("0x{:x}", e.flags)).field("fd", e.fd);
    result(w, e.ret);
}

void body(JsonWriter& w, const MountEvent& e) {
    common(w, "mount", e.common);
    w.field("syscall", e.syscall)
        .field("source", e.source)
        .field("target", e.target)
        .field("fstype", e.fstype)
        .field("flags", fmt::format("0x{:x}", e.flags));
    result(w, e.ret);
}

void body(JsonWriter& w, const FileChangeEvent& e) {
    common(w, "file_change", e.common);
    w.field("syscall", e.syscall)
        .field("path", e.path)
        .field("resolved_path", e.resolved_path)
        .field("new_path", e.new_path)
        .field("resolved_new_path", e.resolved_new_path)
        .field("mode", e.mode ? fmt::format("{:04o}", e.mode) : std::string());
    strings(w, "mode_bits", e.mode_bits);
    w.field("owner_uid", e.owner_uid).field("owner_gid", e.owner_gid).field("fd", e.fd);
    result(w, e.ret);
}

void body(JsonWriter& w, const MemfdCreateEvent& e) {
    common(w, "memfd_create", e.common);
    w.field("syscall", "memfd_create").field("name", e.name).field("flags", e.flags);
    result(w, e.ret);
}

void body(JsonWriter& w, const SocketEvent& e) {
    common(w, "socket", e.common);
    w.field("syscall", e.syscall)
        .field("family", e.family)
        .field("sock_type", e.sock_type)
        .field("protocol", e.protocol)
        .field("addr", e.addr)
        .field("port", uint32_t(e.port))
        .field("backlog", e.backlog)
        .field("fd", e.fd);
    result(w, e.ret);
}

void body(JsonWriter& w, const AlertEvent& e) {
    common(w, "alert", e.common);
    w.field("rule", e.rule).field("priority", e.priority).field("output", e.output);
    strings(w, "tags", e.tags);
    w.field("source", e.source).field("action", e.action);
    if (e.action != "alert")
        w.field("in_kernel", e.in_kernel);
    if (e.in_kernel)
        w.field("hook", e.hook).field("stage", e.stage);
    if (!e.container_name.empty())
        w.field("container_name", e.container_name);
    if (!e.container_image.empty())
        w.field("container_image", e.container_image);
    if (e.source == "anomaly") {
        w.field("workload", e.workload).field("anomaly", e.anomaly);
        if (e.anomaly.ends_with("_rate"))
            w.field("rate_per_second", e.rate).field("expected_per_second", e.expected_rate);
        else
            w.field("new_item", e.new_item);
        w.field("baseline_size", e.baseline_size);
    }
    if (e.source == "flood")
        w.field("saddr", e.saddr).field("protocol", e.protocol).field("interface", e.interface)
            .field("rate_pps", e.rate).field("threshold_pps", e.expected_rate).field("mitigated", e.mitigated)
            .field("cooldown_seconds", e.cooldown_s);
    if (!e.ancestry.empty()) {
        w.begin_array("ancestry");
        for (const auto& p : e.ancestry) {
            w.begin_object();
            w.field("pid", p.pid).field("comm", p.comm).field("exe", p.exe).field("cmdline", p.cmdline);
            w.end_object();
        }
        w.end_array();
    }
    if (e.trigger) {
        w.begin_object("event");
        std::visit([&](const auto& t) { body(w, t); }, e.trigger->event);
        w.end_object();
    }
}

}  // namespace

void append_event_json(std::string& out, const Event& event) {
    JsonWriter w(out);
    w.begin_object();
    std::visit([&](const auto& e) { body(w, e); }, event);
    w.end_object();
}

}  // namespace kscope
