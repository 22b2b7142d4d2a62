// The inverse of sinks/event_json.cpp for exec, exit, open, tcp_*, drop, dns_*, oom_kill and
// alert; the security probes' types are in security_event_from_json.cpp.
#include "events/event_from_json.h"

#include <cstdint>
#include <memory>

#include "events/event_json_reader.h"
#include "events/open_flags.h"

namespace kscope {
namespace {

using event_json::Reader;
using nlohmann::json;

// What the decoders put in the `const char*` fields (and "" for unset, which Reader::known
// always takes).
constexpr const char* kExecSyscalls[] = {"execve", "execveat"};
// Kinds of fds 0-2 at exec; "other" is an anonymous inode (eventfd, epoll...).
constexpr const char* kFdTypes[] = {"file", "directory", "pipe",    "char",   "block", "ipv4",
                                    "ipv6", "unix",      "netlink", "packet", "socket", "other"};
constexpr const char* kOpenSyscalls[] = {"open", "openat", "openat2", "creat", "unknown"};
constexpr const char* kResolutions[] = {"as_passed", "cwd", "dirfd", "bad_dirfd", "too_deep", "unreadable"};
constexpr const char* kFamilies[] = {"ipv4", "ipv6"};
constexpr const char* kClosers[] = {"local", "remote", "unknown"};
constexpr const char* kTransports[] = {"udp", "tcp"};
constexpr const char* kConstraints[] = {"memcg", "global"};

// "tcp_connect" -> TcpEvent::event "connect", ...
constexpr std::pair<const char*, const char*> kTcpTypes[] = {
    {"tcp_connect", "connect"},       {"tcp_accept", "accept"},         {"tcp_close", "close"},
    {"tcp_retransmit", "retransmit"}, {"tcp_reset_sent", "reset_sent"}, {"tcp_reset_received", "reset_received"},
};

// An alert's "event" may itself be an alert; this deep and no deeper.
constexpr int kMaxAlertNesting = 8;

Result<Event> from_object(const json& object, int depth);

Result<Event> parse_exec(Reader& r) {
    ExecEvent e;
    r.common(e.common);
    r.text("filename", e.filename);
    r.strings("argv", e.argv);
    r.flag("args_truncated", e.args_truncated);
    r.flag("args_unreadable", e.args_unreadable);
    const char* syscall = "";
    if (r.known("syscall", syscall, kExecSyscalls))
        e.execveat = std::string_view(syscall) == "execveat";
    r.number("ret", e.ret);
    r.flag("privileged_exec", e.privileged_exec);
    r.number("old_uid", e.old_uid);
    r.number("old_euid", e.old_euid);
    r.number("new_uid", e.new_uid);
    r.number("new_euid", e.new_euid);
    r.known("stdin_type", e.stdin_type, kFdTypes);
    r.known("stdout_type", e.stdout_type, kFdTypes);
    r.known("stderr_type", e.stderr_type, kFdTypes);
    r.flag("exe_memfd", e.exe_memfd);
    r.flag("exe_deleted", e.exe_deleted);
    r.number("exe_inode", e.exe_inode);
    r.number("tty", e.tty);
    // The writer prints the unset login uid (UINT32_MAX) as -1.
    int64_t loginuid = 0;
    if (r.number("loginuid", loginuid)) {
        if (loginuid == -1)
            e.loginuid = UINT32_MAX;
        else if (std::in_range<uint32_t>(loginuid))
            e.loginuid = static_cast<uint32_t>(loginuid);
        else
            r.fail("loginuid", std::to_string(loginuid) + " is out of range");
    }
    r.text("cwd", e.cwd);
    return r.finish(std::move(e));
}

Result<Event> parse_exit(Reader& r) {
    ExitEvent e;
    r.common(e.common);
    r.number("exit_code", e.exit_code);
    r.number("signal", e.signal);
    r.flag("core_dumped", e.core_dumped);
    r.number("duration_ns", e.duration_ns);
    return r.finish(std::move(e));
}

// A flags field printed as text by open_flags.h, through its parse function.
void flags_text(Reader& r, const char* key, uint64_t& out, Result<uint64_t> (*parse)(std::string_view)) {
    std::string text;
    if (!r.text(key, text))
        return;
    auto flags = parse(text);
    if (flags)
        out = *flags;
    else
        r.fail(key, flags.error().message + " in '" + text + "'");
}

Result<Event> parse_open(Reader& r) {
    OpenEvent e;
    r.common(e.common);
    r.known("syscall", e.syscall, kOpenSyscalls);
    r.text("path", e.path);
    r.text("resolved_path", e.resolved_path);
    r.known("resolution", e.resolution, kResolutions);
    r.number("dirfd", e.dirfd);
    flags_text(r, "flags", e.open_flags, parse_open_flags);
    r.octal("mode", e.mode);  // "" unless the flags create a file
    flags_text(r, "resolve_flags", e.resolve_flags, parse_resolve_flags);
    r.number("ret", e.ret);
    return r.finish(std::move(e));
}

// The fields a kind does not print (latency for retransmits, the close's counters...) keep
// their defaults.
Result<Event> parse_tcp(Reader& r, const char* kind) {
    TcpEvent e;
    e.event = kind;
    r.common(e.common);
    r.known("family", e.family, kFamilies);
    r.text("saddr", e.saddr);
    r.number("sport", e.sport);
    r.text("daddr", e.daddr);
    r.number("dport", e.dport);
    r.number("latency_ns", e.latency_ns);
    r.number("duration_ns", e.duration_ns);
    r.number("bytes_sent", e.bytes_sent);
    r.number("bytes_received", e.bytes_received);
    r.known("closed_by", e.closed_by, kClosers);
    r.number("ret", e.ret);
    r.text("state", e.state);
    return r.finish(std::move(e));
}

Result<Event> parse_drop(Reader& r) {
    DropEvent e;
    r.common(e.common);
    r.text("reason", e.reason);
    r.number("reason_code", e.reason_code);
    r.text("protocol", e.protocol);
    r.text("l4_protocol", e.l4_protocol);
    r.text("saddr", e.saddr);
    r.number("sport", e.sport);
    r.text("daddr", e.daddr);
    r.number("dport", e.dport);
    r.hex("location", e.location);
    return r.finish(std::move(e));
}

Result<Event> parse_dns(Reader& r, const char* kind) {
    DnsEvent e;
    e.event = kind;
    r.common(e.common);
    r.known("family", e.family, kFamilies);
    r.known("transport", e.transport, kTransports);
    r.text("saddr", e.saddr);
    r.number("sport", e.sport);
    r.text("daddr", e.daddr);
    r.number("dport", e.dport);
    r.number("id", e.id);
    r.text("name", e.name);
    r.text("query_type", e.query_type);
    r.text("rcode", e.rcode);
    r.number("answers", e.answers);
    r.strings("addresses", e.addresses);
    r.number("latency_ns", e.latency_ns);
    r.flag("truncated", e.truncated);
    return r.finish(std::move(e));
}

Result<Event> parse_oom(Reader& r) {
    OomEvent e;
    r.common(e.common);
    r.number("trigger_pid", e.trigger_pid);
    r.text("trigger_comm", e.trigger_comm);
    r.known("constraint", e.constraint, kConstraints);
    r.text("memcg", e.memcg);
    r.number("memcg_limit_bytes", e.memcg_limit_bytes);
    r.number("rss_bytes", e.rss_bytes);
    r.number("oom_score_adj", e.oom_score_adj);
    return r.finish(std::move(e));
}

Result<Event> parse_alert(Reader& r, int depth) {
    AlertEvent e;
    r.common(e.common);
    r.text("rule", e.rule);
    r.text("priority", e.priority);
    r.text("output", e.output);
    r.strings("tags", e.tags);
    r.text("source", e.source);
    r.text("action", e.action);
    r.flag("in_kernel", e.in_kernel);
    r.text("hook", e.hook);
    r.text("stage", e.stage);
    r.text("container_name", e.container_name);
    r.text("container_image", e.container_image);
    r.text("workload", e.workload);
    r.text("anomaly", e.anomaly);
    r.text("new_item", e.new_item);
    r.number("baseline_size", e.baseline_size);
    r.real(e.source == "flood" ? "rate_pps" : "rate_per_second", e.rate);
    r.real(e.source == "flood" ? "threshold_pps" : "expected_per_second", e.expected_rate);
    r.text("saddr", e.saddr);
    r.text("protocol", e.protocol);
    r.text("interface", e.interface);
    r.flag("mitigated", e.mitigated);
    r.number("cooldown_seconds", e.cooldown_s);
    if (r.failed())
        return r.error();
    if (const json* ancestry = r.find("ancestry")) {
        if (!ancestry->is_array())
            return Error{"field 'ancestry': expected an array"};
        for (const json& p : *ancestry) {
            if (!p.is_object())
                return Error{"field 'ancestry': expected objects"};
            Reader a(p);
            AncestorProcess ap;
            a.number("pid", ap.pid);
            a.text("comm", ap.comm);
            a.text("exe", ap.exe);
            a.text("cmdline", ap.cmdline);
            if (a.failed())
                return a.error().context("field 'ancestry'");
            e.ancestry.push_back(std::move(ap));
        }
    }
    if (const json* trigger = r.find("event")) {
        if (!trigger->is_object())
            return Error{"field 'event': expected an object"};
        if (depth >= kMaxAlertNesting)
            return Error{"field 'event': alerts nested more than " + std::to_string(kMaxAlertNesting) + " deep"};
        auto inner = from_object(*trigger, depth + 1);
        if (!inner)
            return inner.error().context("field 'event'");
        e.trigger = std::make_shared<const TriggerEvent>(TriggerEvent{std::move(*inner)});
    }
    return r.finish(std::move(e));
}

Result<Event> from_object(const json& object, int depth) {
    if (!object.is_object())
        return Error{"expected a JSON object, got " + std::string(object.type_name())};
    auto it = object.find("type");
    if (it == object.end())
        return Error{"missing field 'type'"};
    if (!it->is_string())
        return Error{"field 'type': expected a string"};
    const std::string& type = it->get_ref<const std::string&>();
    Reader r(object);
    if (type == "exec")
        return parse_exec(r);
    if (type == "exit")
        return parse_exit(r);
    if (type == "open")
        return parse_open(r);
    for (auto [name, kind] : kTcpTypes)
        if (type == name)
            return parse_tcp(r, kind);
    if (type == "drop")
        return parse_drop(r);
    if (type == "dns_query")
        return parse_dns(r, "query");
    if (type == "dns_response")
        return parse_dns(r, "response");
    if (type == "oom_kill")
        return parse_oom(r);
    if (type == "alert")
        return parse_alert(r, depth);
    if (auto security = event_json::security_event(type, r))
        return std::move(*security);
    return Error{"unknown event type '" + type + "'"};
}

}  // namespace

Result<Event> event_from_json(std::string_view json_line) {
    json object;
    try {
        object = json::parse(json_line);
    } catch (const json::exception& e) {  // parse_error, or out_of_range for 1e999
        return Error{std::string("malformed JSON: ") + e.what()};
    }
    return from_object(object, 0);
}

}  // namespace kscope
