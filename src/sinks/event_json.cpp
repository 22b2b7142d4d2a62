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
        .field("error", errno_name(e.ret));
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

}  // namespace

void append_event_json(std::string& out, const Event& event) {
    JsonWriter w(out);
    w.begin_object();
    std::visit([&](const auto& e) { body(w, e); }, event);
    w.end_object();
}

}  // namespace kscope
