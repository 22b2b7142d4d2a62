// kscope alerts: the rules' alerts from the agent's store; --follow keeps printing new
// ones as the agent stores them (read-only: the agent keeps writing).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <set>
#include <thread>

#include "cli/commands.h"
#include "cli/signals.h"
#include "server/http_server.h"
#include "sinks/clock_time.h"
#include "store/event_store.h"

namespace kscope {

void register_alerts_command(CLI::App& app, int& exit_code) {
    struct Flags {
        std::string data_dir = "/var/lib/kscope", since, rule, priority;
        size_t limit = 100;
        bool json = false, follow = false;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = app.add_subcommand("alerts", "alerts the agent's rules raised, from its store");
    cmd->add_option("--data-dir", f->data_dir, "the agent's data directory")->capture_default_str();
    cmd->add_option("--since", f->since, "from this time: ns since the epoch, or a duration ago (15m, 2h)");
    cmd->add_option("--rule", f->rule, "only this rule");
    cmd->add_option("--priority", f->priority, "only this priority (warning, critical...)");
    cmd->add_option("--limit", f->limit, "the newest N (1-10000)")->check(CLI::Range(1, 10000))->capture_default_str();
    cmd->add_flag("--json", f->json, "one JSON alert per line");
    cmd->add_flag("-f,--follow", f->follow, "keep printing new alerts until Ctrl-C");
    cmd->final_callback([f, &exit_code] {
        auto q = event_query_from_params([&](const std::string& k, std::string& out) {
            const std::map<std::string, std::string> given = {
                {"since", f->since}, {"rule", f->rule}, {"priority", f->priority}, {"limit", std::to_string(f->limit)}};
            auto it = given.find(k);
            if (it == given.end() || it->second.empty()) return false;
            out = it->second;
            return true;
        });
        if (!q) {
            fmt::print(stderr, "kscope alerts: {}\n", q.error().message);
            exit_code = 2;
            return;
        }
        q->type = "alert";
        auto store = EventStore::open(f->data_dir, /*read_only=*/true);
        if (!store) {
            fmt::print(stderr, "kscope alerts: {}\n", store.error().message);
            exit_code = 1;
            return;
        }
        if (!f->json)
            fmt::print("{:<23} {:<13} {:<40} {:>7} {:<16} {}\n", "TIME", "PRIORITY", "RULE", "PID", "COMM", "OUTPUT");
        if (f->follow)
            fmt::print(stderr, "kscope alerts: following {}/events.db, Ctrl-C to stop\n", f->data_dir);
        // Each round asks again from the newest time shown; alerts at exactly that time were
        // seen (by body) last round and are not printed twice.
        uint64_t last_ts = 0;
        std::set<std::string> seen_at_last;
        const std::atomic<bool>& stop = install_stop_signals();
        while (true) {
            auto rows = (*store)->query(*q);
            if (!rows) {
                fmt::print(stderr, "kscope alerts: {}\n", rows.error().message);
                exit_code = 1;
                return;
            }
            const uint64_t round_from = last_ts;
            for (const auto& body : *rows) {
                auto e = nlohmann::json::parse(body, nullptr, false);
                if (e.is_discarded()) continue;
                uint64_t ts = e.value("ts", uint64_t(0));
                if (ts == round_from && seen_at_last.count(body)) continue;  // printed in the last round
                if (ts != last_ts) {
                    last_ts = ts;
                    seen_at_last.clear();
                }
                seen_at_last.insert(body);
                if (f->json)
                    fmt::print("{}\n", body);
                else
                    fmt::print("{:<23} {:<13} {:<40} {:>7} {:<16} {}\n", date_time(ts), e.value("priority", ""),
                               e.value("rule", ""), e.value("pid", 0), e.value("comm", ""), e.value("output", ""));
            }
            std::fflush(stdout);
            if (!f->follow || stop.load()) break;
            q->since_ns = last_ts;  // the next round starts at the newest shown
            for (int i = 0; i < 10 && !stop.load(); i++) std::this_thread::sleep_for(std::chrono::milliseconds(100));
            if (stop.load()) break;
        }
        exit_code = 0;
    });
}

}  // namespace kscope
