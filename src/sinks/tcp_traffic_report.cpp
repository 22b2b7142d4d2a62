#include "sinks/tcp_traffic_report.h"

#include <fmt/format.h>

#include <iterator>

#include "sinks/clock_time.h"
#include "sinks/json_writer.h"
#include "sinks/table_text.h"

namespace kscope {

void append_tcp_traffic_json(std::string& out, uint64_t ts_ns, const std::vector<FlowRow>& rows) {
    for (const auto& r : rows) {
        JsonWriter w(out);
        w.begin_object()
            .field("type", "tcp_traffic")
            .field("ts", ts_ns)
            .field("pid", r.flow.pid)
            .field("comm", r.comm)
            .field("saddr", r.flow.saddr)
            .field("sport", uint32_t(r.flow.sport))
            .field("daddr", r.flow.daddr)
            .field("dport", uint32_t(r.flow.dport))
            .field("tx_bytes", r.tx_bytes)
            .field("rx_bytes", r.rx_bytes)
            .end_object();
        out += '\n';
    }
}

void append_tcp_traffic_table(std::string& out, uint64_t ts_ns, const std::vector<FlowRow>& rows) {
    auto o = std::back_inserter(out);
    fmt::format_to(o, "[{}]\n{:>7} {:<16} {:<30} {:<30} {:>10} {:>10}\n", clock_time(ts_ns), "PID", "COMM", "LOCAL",
                   "REMOTE", "SENT", "RECEIVED");
    for (const auto& r : rows)
        fmt::format_to(o, "{:>7} {:<16} {:<30} {:<30} {:>10} {:>10}\n", r.flow.pid, r.comm,
                       endpoint_text(r.flow.saddr, r.flow.sport), endpoint_text(r.flow.daddr, r.flow.dport),
                       human_bytes(r.tx_bytes), human_bytes(r.rx_bytes));
    out += '\n';
}

}  // namespace kscope
