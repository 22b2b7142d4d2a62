// kscope query: events from the agent's store, filtered; a table or JSON lines.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <set>

#include "agent/config.h"
#include "cli/commands.h"
#include "sinks/event_details.h"
#include "server/http_server.h"
#include "sinks/clock_time.h"
#include "store/event_store.h"

namespace kscope {

void register_query_command(CLI::App& app, int& exit_code) {
    struct Flags {
        std::string data_dir = "/var/lib/kscope", type, since, until, comm, container, text;
        uint32_t pid = 0;
        size_t limit = 100;
        bool json = false;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = app.add_subcommand("query", "events from the agent's event store");
    cmd->add_option("--data-dir", f->data_dir, "the agent's data directory")->capture_default_str();
    cmd->add_option("--type", f->type, "event type (exec, exit, tcp_connect, dns_response, ...)");
    cmd->add_option("--since", f->since, "from this time: ns since the epoch, or a duration ago (15m, 2h)");
    cmd->add_option("--until", f->until, "up to this time, as --since");
    cmd->add_option("-p,--pid", f->pid, "only this process");
    cmd->add_option("-c,--comm", f->comm, "only this command name");
    cmd->add_option("--container", f->container, "only this container id");
    cmd->add_option("--grep", f->text, "only events whose JSON contains this text");
    cmd->add_option("--limit", f->limit, "the newest N matches (1-10000)")->check(CLI::Range(1, 10000))->capture_default_str();
    cmd->add_flag("--json", f->json, "one JSON object per line");
    cmd->final_callback([f, &exit_code] {
        // One parser for the CLI and the HTTP API.
        auto q = event_query_from_params([&](const std::string& k, std::string& out) {
            const std::map<std::string, std::string> given = {
                {"type", f->type}, {"since", f->since}, {"until", f->until}, {"comm", f->comm},
                {"container", f->container}, {"q", f->text}, {"pid", f->pid ? std::to_string(f->pid) : ""},
                {"limit", std::to_string(f->limit)}};
            auto it = given.find(k);
            if (it == given.end() || it->second.empty())
                return false;
            out = it->second;
            return true;
        });
        if (!q) {
            fmt::print(stderr, "kscope query: {}\n", q.error().message);
            exit_code = 2;
            return;
        }
        auto store = EventStore::open(f->data_dir, /*read_only=*/true);
        if (!store) {
            fmt::print(stderr, "kscope query: {}\n", store.error().message);
            exit_code = 1;
            return;
        }
        auto rows = (*store)->query(*q);
        if (!rows) {
            fmt::print(stderr, "kscope query: {}\n", rows.error().message);
            exit_code = 1;
            return;
        }
        if (!f->json)
            fmt::print("{:<23} {:<18} {:>7} {:<16} {}\n", "TIME", "TYPE", "PID", "COMM", "DETAILS");
        for (const auto& body : *rows) {
            if (f->json) {
                fmt::print("{}\n", body);
                continue;
            }
            auto e = nlohmann::json::parse(body, nullptr, false);
            if (e.is_discarded())
                continue;
            std::string details = event_details(e);
            fmt::print("{:<23} {:<18} {:>7} {:<16} {}\n", date_time(e.value("ts", uint64_t(0))),
                       e.value("type", ""), e.value("pid", 0), e.value("comm", ""), details);
        }
        exit_code = 0;
    });
}

}  // namespace kscope
