#include "sinks/table_sink.h"

#include <fmt/format.h>

#include <iterator>

#include "events/names.h"
#include "sinks/clock_time.h"
#include "sinks/event_details.h"
#include "sinks/event_json.h"

#include <nlohmann/json.hpp>
#include "events/open_flags.h"
#include "sinks/table_text.h"

namespace kscope {

std::string shell_quote(std::string_view arg) {
    bool plain = !arg.empty();
    for (unsigned char c : arg)
        if (!(std::isalnum(c) || c >= 0x80 || std::string_view("-_./=:,+@%").find(c) != std::string_view::npos))
            plain = false;
    if (plain)
        return std::string(arg);
    std::string out = "'";
    for (char c : arg) {
        if (c == '\'')
            out += "'\\''";
        else if (static_cast<unsigned char>(c) < 0x20)
            out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        else
            out += c;
    }
    return out + "'";
}


namespace {

// Wide enough for common sets such as O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC.
constexpr size_t kOpenFlagsWidth = 36;

}  // namespace

TableSink::TableSink(int fd, std::string_view type, TableOptions options)
    : out_(fd), options_(options) {
    auto& b = out_.buffer();
    if (options_.timestamps)
        b += fmt::format("{:<9}", "TIME");
    if (type == "exec")
        b += fmt::format("{:<16} {:>7} {:>7} {:>6} {:<12} {}\n", "PCOMM", "PID", "PPID", "UID", "RET", "ARGS");
    else if (type == "exit")
        b += fmt::format("{:<16} {:>7} {:>7} {:>6} {:>4} {:<14} {:>12}\n", "PCOMM", "PID", "PPID", "UID",
                         "CODE", "SIGNAL", "AGE(s)");
    else if (type == "tcp")
        b += fmt::format("{:<16} {:>7} {:<7} {:<28} {:<28} {:>9} {:>10} {:>10} {:>10} {}\n", "PCOMM", "PID", "EVENT",
                         "LOCAL", "REMOTE", "LAT(ms)", "AGE(ms)", "TX_B", "RX_B", "NOTE");
    else if (type == "retrans")
        b += fmt::format("{:<16} {:>7} {:<15} {:<28} {:<28} {}\n", "PCOMM", "PID", "EVENT", "LOCAL", "REMOTE",
                         "STATE");
    else if (type == "drops")
        b += fmt::format("{:<24} {:<6} {:<6} {:<30} {:<30} {:<16} {}\n", "REASON", "PROTO", "L4", "SOURCE",
                         "DESTINATION", "COMM", "PID");
    else if (type == "dns")
        b += fmt::format("{:<16} {:>7} {:<8} {:<6} {:<9} {:>9} {:<40} {}\n", "PCOMM", "PID", "EVENT", "TYPE", "RCODE",
                         "LAT(ms)", "NAME", "ANSWERS");
    else if (type == "open")
        b += fmt::format("{:<16} {:>7} {:<12} {:<5} {:<{}} {}\n", "PCOMM", "PID", "RET", "MODE", "FLAGS",
                         kOpenFlagsWidth, "PATH");
    else if (type == "oom")
        b += fmt::format("{:<16} {:>7} {:>10} {:>5} {:<16} {:>7} {:<7} {}\n", "PCOMM", "PID", "RSS(MiB)", "ADJ",
                         "TRIGGER", "TPID", "CONSTR", "MEMCG");
    else  // security tools, alerts
        b += fmt::format("{:<16} {:>7} {:>6} {:<16} {}\n", "PCOMM", "PID", "UID", "TYPE", "DETAILS");
    out_.flush();
}

void TableSink::time_cell(uint64_t ts_ns) {
    if (options_.timestamps)
        out_.buffer() += fmt::format("{:<9}", clock_time(ts_ns));
}

void TableSink::row(const ExecEvent& e) {
    time_cell(e.common.ts_ns);
    std::string args;
    for (const auto& a : e.argv) {
        if (!args.empty())
            args += ' ';
        args += shell_quote(a);
    }
    if (e.args_truncated)
        args += " ...";
    // A failed exec, or one whose file is not argv[0] (a PATH search, a wrapper), shows
    // the file it tried: ten failed PATH lookups are otherwise ten identical lines.
    if (e.ret != 0 || e.argv.empty() || e.argv[0] != e.filename)
        args = "[" + shell_quote(e.filename) + "] " + args;
    std::string ret = e.ret == 0 ? "0" : errno_name(e.ret);
    fmt::format_to(std::back_inserter(out_.buffer()), "{:<16} {:>7} {:>7} {:>6} {:<12} {}\n", e.common.comm,
                   e.common.pid, e.common.ppid, e.common.uid, ret, args);
}

void TableSink::row(const ExitEvent& e) {
    time_cell(e.common.ts_ns);
    std::string sig = signal_name(e.signal);
    if (e.core_dumped)
        sig += "(core)";
    fmt::format_to(std::back_inserter(out_.buffer()), "{:<16} {:>7} {:>7} {:>6} {:>4} {:<14} {:>12.3f}\n",
                   e.common.comm, e.common.pid, e.common.ppid, e.common.uid, e.exit_code,
                   sig.empty() ? "-" : sig, e.duration_ns / 1e9);
}

void TableSink::row(const OpenEvent& e) {
    time_cell(e.common.ts_ns);
    std::string ret = e.ret >= 0 ? std::to_string(e.ret) : errno_name(static_cast<int>(e.ret));
    std::string path = e.resolved_path.empty() ? e.path + " [" + e.resolution + "]" : e.resolved_path;
    // A long flag set drops its O_ prefixes to stay in its column (JSON keeps them).
    std::string flags = open_flags_text(e.open_flags);
    if (flags.size() > kOpenFlagsWidth)
        for (size_t at; (at = flags.find("O_")) != std::string::npos;)
            flags.erase(at, 2);
    fmt::format_to(std::back_inserter(out_.buffer()), "{:<16} {:>7} {:<12} {:<5} {:<{}} {}\n", e.common.comm,
                   e.common.pid, ret, open_creates(e.open_flags) ? fmt::format("{:04o}", e.mode) : "-", flags,
                   kOpenFlagsWidth, path);
}

void TableSink::row(const TcpEvent& e) {
    time_cell(e.common.ts_ns);
    std::string_view kind = e.event;
    if (!e.state.empty()) {  // retransmit or reset
        fmt::format_to(std::back_inserter(out_.buffer()), "{:<16} {:>7} {:<15} {:<28} {:<28} {}\n", e.common.comm,
                       e.common.pid, e.event, endpoint_text(e.saddr, e.sport), endpoint_text(e.daddr, e.dport), e.state);
        return;
    }
    std::string note = kind == "close" ? std::string("closed by ") + e.closed_by : errno_name(e.ret);
    std::string age = kind == "close" ? fmt::format("{:.3f}", e.duration_ns / 1e6) : "-";
    std::string tx = kind == "close" ? std::to_string(e.bytes_sent) : "-";
    std::string rx = kind == "close" ? std::to_string(e.bytes_received) : "-";
    fmt::format_to(std::back_inserter(out_.buffer()), "{:<16} {:>7} {:<7} {:<28} {:<28} {:>9.3f} {:>10} {:>10} {:>10} {}\n",
                   e.common.comm, e.common.pid, e.event, endpoint_text(e.saddr, e.sport), endpoint_text(e.daddr, e.dport),
                   e.latency_ns / 1e6, age, tx, rx, note);
}

void TableSink::row(const DropEvent& e) {
    time_cell(e.common.ts_ns);
    fmt::format_to(std::back_inserter(out_.buffer()), "{:<24} {:<6} {:<6} {:<30} {:<30} {:<16} {}\n", e.reason,
                   e.protocol, e.l4_protocol.empty() ? "-" : e.l4_protocol, endpoint_text(e.saddr, e.sport),
                   endpoint_text(e.daddr, e.dport), e.common.comm, e.common.pid);
}

void TableSink::row(const DnsEvent& e) {
    time_cell(e.common.ts_ns);
    const bool response = std::string_view(e.event) == "response";
    std::string answers;
    for (const auto& a : e.addresses)
        answers += (answers.empty() ? "" : ",") + a;
    if (response && answers.empty())
        answers = std::to_string(e.answers) + " records";
    if (e.truncated)
        answers += " (truncated)";
    fmt::format_to(std::back_inserter(out_.buffer()), "{:<16} {:>7} {:<8} {:<6} {:<9} {:>9} {:<40} {}\n", e.common.comm,
                   e.common.pid, e.event, e.query_type, response ? e.rcode : "-",
                   response ? fmt::format("{:.3f}", e.latency_ns / 1e6) : "-", e.name, answers);
}

void TableSink::row(const OomEvent& e) {
    time_cell(e.common.ts_ns);
    fmt::format_to(std::back_inserter(out_.buffer()), "{:<16} {:>7} {:>10.1f} {:>5} {:<16} {:>7} {:<7} {}\n",
                   e.common.comm, e.common.pid, e.rss_bytes / (1024.0 * 1024), e.oom_score_adj, e.trigger_comm,
                   e.trigger_pid, e.constraint, e.memcg.empty() ? "-" : e.memcg);
}

void TableSink::details_row(const Event& e) {
    const auto& c = common_of(e);
    time_cell(c.ts_ns);
    std::string json;
    append_event_json(json, e);
    fmt::format_to(std::back_inserter(out_.buffer()), "{:<16} {:>7} {:>6} {:<16} {}\n", c.comm, c.pid, c.uid,
                   type_name(e), event_details(nlohmann::json::parse(json)));
}

void TableSink::write(const Event& event) {
    std::visit([this](const auto& e) { row(e); }, event);
    out_.maybe_flush();
}

}  // namespace kscope
