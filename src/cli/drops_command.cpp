// kscope drops: packet drops with the kernel's reason (like dropwatch), or with
// --summary, drops counted by reason every interval.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/interval_tool.h"
#include "cli/trace_tool.h"
#include "probes/drops_probe.h"
#include "sinks/clock_time.h"
#include "sinks/json_writer.h"

namespace kscope {
namespace {

// One interval of drops by reason: JSON lines or a small table.
void append_summary(std::string& out, uint64_t ts_ns, const std::map<std::string, uint64_t>& now,
                    const std::map<std::string, uint64_t>& before, bool json, size_t top) {
    std::vector<std::pair<std::string, uint64_t>> rows;
    for (const auto& [reason, n] : now) {
        auto it = before.find(reason);
        uint64_t d = n - (it == before.end() ? 0 : it->second);
        if (d)
            rows.emplace_back(reason, d);
    }
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    if (top && rows.size() > top)
        rows.resize(top);
    if (!json)
        out += fmt::format("[{}]\n{:<32} {:>12}\n", clock_time(ts_ns), "REASON", "DROPS");
    for (const auto& [reason, n] : rows) {
        if (json) {
            JsonWriter w(out);
            w.begin_object().field("type", "drop_summary").field("ts", ts_ns).field("reason", reason).field("count", n)
                .end_object();
            out += '\n';
        } else {
            out += fmt::format("{:<32} {:>12}\n", reason, n);
        }
    }
    if (!json)
        out += '\n';
}

}  // namespace

void register_drops_command(CLI::App& app, int& exit_code) {
    auto summary = std::make_shared<bool>(false);
    auto self = std::make_shared<CLI::App*>(nullptr);
    CLI::App* cmd = add_interval_command(
        app, "drops", "packet drops with the kernel's drop reason (skb:kfree_skb)", "", exit_code, 0,
        [summary, self](const IntervalFlags& f, const SessionOptions& options) {
            if (!*summary) {
                // Intervals and rankings belong to the summary; listing ignores them.
                for (const char* flag : {"--interval", "--top"})
                    if ((*self)->count(flag))
                        throw CLI::ValidationError(flag, "needs --summary (drops lists every drop without it)");
                return run_trace_tool("drops", f.common, options);
            }
            DropsProbe probe(/*summary_only=*/true);
            std::map<std::string, uint64_t> previous;
            return run_interval_tool(probe, f.common, options, f.interval_s,
                                     [&](std::string& out, uint64_t ts_ns) -> Result<void> {
                                         auto now = probe.counts();
                                         if (!now)
                                             return now.error();
                                         append_summary(out, ts_ns, *now, previous, f.common.json, f.top);
                                         previous = std::move(*now);
                                         return {};
                                     });
        });
    *self = cmd;
    cmd->add_flag("--summary", *summary, "count drops by reason every interval (-i) instead of listing them");
}

}  // namespace kscope
