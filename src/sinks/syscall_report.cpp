#include "sinks/syscall_report.h"

#include <fmt/format.h>

#include <iterator>

#include "sinks/clock_time.h"
#include "sinks/json_writer.h"

namespace kscope {

void append_syscall_rows_json(std::string& out, uint64_t ts_ns, const std::vector<SyscallRow>& rows,
                              bool by_process) {
    for (const auto& r : rows) {
        JsonWriter w(out);
        w.begin_object().field("type", "syscall_stats").field("ts", ts_ns);
        if (by_process)
            w.field("pid", r.pid).field("comm", r.comm);
        w.field("syscall", r.syscall).field("calls", r.calls).field("errors", r.errors);
        out += ",\"errnos\":{";
        for (size_t i = 0; i < r.errnos.size(); i++) {
            if (i)
                out += ',';
            append_json_string(out, r.errnos[i].first);
            fmt::format_to(std::back_inserter(out), ":{}", r.errnos[i].second);
        }
        out += '}';
        w.field("total_ns", r.total_ns)
            .field("p50_ns", r.p50_ns)
            .field("p99_ns", r.p99_ns)
            .field("max_ns", r.max_ns)
            .end_object();
        out += '\n';
    }
}

void append_syscall_table(std::string& out, uint64_t ts_ns, const std::vector<SyscallRow>& rows,
                          bool by_process) {
    const std::string when = clock_time(ts_ns);
    auto o = std::back_inserter(out);
    fmt::format_to(o, "[{}]\n", when);
    if (by_process)
        fmt::format_to(o, "{:>7} {:<16} ", "PID", "COMM");
    fmt::format_to(o, "{:<20} {:>10} {:>8} {:>12} {:>10} {:>10} {:>10}  {}\n", "SYSCALL", "CALLS", "ERRORS",
                   "TOTAL(ms)", "P50(us)", "P99(us)", "MAX(us)", "TOP ERRNO");
    for (const auto& r : rows) {
        if (by_process)
            fmt::format_to(o, "{:>7} {:<16} ", r.pid, r.comm);
        std::string top = r.errnos.empty() ? "" : fmt::format("{} {}", r.errnos[0].first, r.errnos[0].second);
        fmt::format_to(o, "{:<20} {:>10} {:>8} {:>12.3f} {:>10.1f} {:>10.1f} {:>10.1f}  {}\n", r.syscall, r.calls,
                       r.errors, r.total_ns / 1e6, r.p50_ns / 1e3, r.p99_ns / 1e3, r.max_ns / 1e3, top);
    }
    out += '\n';
}

}  // namespace kscope
