#include "sinks/table_sink.h"

#include <fmt/format.h>

#include <iterator>

#include "events/names.h"
#include "sinks/clock_time.h"
#include "events/open_flags.h"

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

// addr:port, [v6addr]:port, "-" when the address is unknown.
std::string endpoint(const std::string& addr, uint16_t port) {
    if (addr.empty())
        return "-";
    if (!port)
        return addr;
    return addr.find(':') != std::string::npos ? fmt::format("[{}]:{}", addr, port) : fmt::format("{}:{}", addr, port);
}

}  // namespace

TableSink::TableSink(int fd, std::string_view type, TableOptions options)
    : out_(fd), options_(options) {
    auto& b = out_.buffer();
    if (options_.timestamps)
        b += fmt::format("{:<9}", "TIME");
    if (type == "exec")
        b += fmt::format("{:<16} {:>7} {:>7} {:>6} {:<7} {}\n", "PCOMM", "PID", "PPID", "UID", "RET", "ARGS");
    else if (type == "exit")
        b += fmt::format("{:<16} {:>7} {:>7} {:>6} {:>4} {:<9} {:>12}\n", "PCOMM", "PID", "PPID", "UID",
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
        b += fmt::format("{:<16} {:>7} {:<7} {:<28} {}\n", "PCOMM", "PID", "RET", "FLAGS", "PATH");
    out_.flush();
}

void TableSink::time_cell(uint64_t ts_ns) {
    if (options_.timestamps)
        out_.buffer() += fmt::format("{:<9}", clock_time(ts_ns));
}

void TableSink::row(const ExecEvent& e) {
    time_cell(e.common.ts_ns);
    std::string args;
    if (e.argv.empty())
        args = shell_quote(e.filename);
    for (const auto& a : e.argv) {
        if (!args.empty())
            args += ' ';
        args += shell_quote(a);
    }
    if (e.args_truncated)
        args += " ...";
    std::string ret = e.ret == 0 ? "0" : errno_name(e.ret);
    fmt::format_to(std::back_inserter(out_.buffer()), "{:<16} {:>7} {:>7} {:>6} {:<7} {}\n", e.common.comm,
                   e.common.pid, e.common.ppid, e.common.uid, ret, args);
}

void TableSink::row(const ExitEvent& e) {
    time_cell(e.common.ts_ns);
    std::string sig = signal_name(e.signal);
    if (e.core_dumped)
        sig += "(core)";
    fmt::format_to(std::back_inserter(out_.buffer()), "{:<16} {:>7} {:>7} {:>6} {:>4} {:<9} {:>12.3f}\n",
                   e.common.comm, e.common.pid, e.common.ppid, e.common.uid, e.exit_code,
                   sig.empty() ? "-" : sig, e.duration_ns / 1e9);
}

void TableSink::row(const OpenEvent& e) {
    time_cell(e.common.ts_ns);
    std::string ret = e.ret >= 0 ? std::to_string(e.ret) : errno_name(static_cast<int>(e.ret));
    std::string path = e.resolved_path.empty() ? e.path + " [" + e.resolution + "]" : e.resolved_path;
    fmt::format_to(std::back_inserter(out_.buffer()), "{:<16} {:>7} {:<7} {:<28} {}\n", e.common.comm,
                   e.common.pid, ret, open_flags_text(e.open_flags), path);
}

void TableSink::row(const TcpEvent& e) {
    time_cell(e.common.ts_ns);
    std::string_view kind = e.event;
    if (!e.state.empty()) {  // retransmit or reset
        fmt::format_to(std::back_inserter(out_.buffer()), "{:<16} {:>7} {:<15} {:<28} {:<28} {}\n", e.common.comm,
                       e.common.pid, e.event, endpoint(e.saddr, e.sport), endpoint(e.daddr, e.dport), e.state);
        return;
    }
    std::string note = kind == "close" ? std::string("closed by ") + e.closed_by : errno_name(e.ret);
    std::string age = kind == "close" ? fmt::format("{:.3f}", e.duration_ns / 1e6) : "-";
    std::string tx = kind == "close" ? std::to_string(e.bytes_sent) : "-";
    std::string rx = kind == "close" ? std::to_string(e.bytes_received) : "-";
    fmt::format_to(std::back_inserter(out_.buffer()), "{:<16} {:>7} {:<7} {:<28} {:<28} {:>9.3f} {:>10} {:>10} {:>10} {}\n",
                   e.common.comm, e.common.pid, e.event, endpoint(e.saddr, e.sport), endpoint(e.daddr, e.dport),
                   e.latency_ns / 1e6, age, tx, rx, note);
}

void TableSink::row(const DropEvent& e) {
    time_cell(e.common.ts_ns);
    fmt::format_to(std::back_inserter(out_.buffer()), "{:<24} {:<6} {:<6} {:<30} {:<30} {:<16} {}\n", e.reason,
                   e.protocol, e.l4_protocol.empty() ? "-" : e.l4_protocol, endpoint(e.saddr, e.sport),
                   endpoint(e.daddr, e.dport), e.common.comm, e.common.pid);
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

void TableSink::write(const Event& event) {
    std::visit([this](const auto& e) { row(e); }, event);
    out_.maybe_flush();
}

}  // namespace kscope
