#include "sinks/flow_summary_sink.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <string_view>
#include <vector>

#include "sinks/json_writer.h"

namespace kscope {

void FlowSummarySink::write(const Event& event) {
    const auto* t = std::get_if<TcpEvent>(&event);
    if (!t)
        return;
    Counts& c = flows_[Flow{t->family, t->saddr, t->daddr, t->sport, t->dport}];
    if (t->common.pid && !c.pid) {
        c.pid = t->common.pid;
        c.comm = t->common.comm;
    }
    std::string_view kind = t->event;
    if (kind == "retransmit")
        c.retransmits++;
    else if (kind == "reset_sent")
        c.resets_sent++;
    else if (kind == "reset_received")
        c.resets_received++;
}

void FlowSummarySink::finish() {
    std::vector<std::pair<const Flow*, const Counts*>> rows;
    for (const auto& [flow, counts] : flows_)
        rows.emplace_back(&flow, &counts);
    auto total = [](const Counts* c) { return c->retransmits + c->resets_sent + c->resets_received; };
    std::stable_sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) { return total(a.second) > total(b.second); });
    auto& out = out_.buffer();
    if (!json_)
        fmt::format_to(std::back_inserter(out), "{:>7} {:<16} {:<28} {:<28} {:>8} {:>8} {:>8}\n", "PID", "COMM", "LOCAL",
                       "REMOTE", "RETRANS", "RST_OUT", "RST_IN");
    for (const auto& [flow, c] : rows) {
        if (json_) {
            JsonWriter w(out);
            w.begin_object()
                .field("type", "tcp_flow_summary")
                .field("pid", c->pid)
                .field("comm", c->comm)
                .field("family", flow->family)
                .field("saddr", flow->saddr)
                .field("sport", uint32_t(flow->sport))
                .field("daddr", flow->daddr)
                .field("dport", uint32_t(flow->dport))
                .field("retransmits", c->retransmits)
                .field("resets_sent", c->resets_sent)
                .field("resets_received", c->resets_received)
                .end_object();
            out += '\n';
        } else {
            fmt::format_to(std::back_inserter(out), "{:>7} {:<16} {:<28} {:<28} {:>8} {:>8} {:>8}\n", c->pid, c->comm,
                           fmt::format("{}:{}", flow->saddr, flow->sport), fmt::format("{}:{}", flow->daddr, flow->dport),
                           c->retransmits, c->resets_sent, c->resets_received);
        }
    }
}

}  // namespace kscope
