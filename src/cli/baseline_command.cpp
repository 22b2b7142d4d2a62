// kscope baseline show|reset|lock [WORKLOAD]: the anomaly detector's learned baselines in
// the agent's store. reset and lock write the store; a running agent picks the change up
// within about a second (it watches the database for other writers).
#include <fmt/format.h>

#include <chrono>
#include <filesystem>

#include "cli/commands.h"
#include "sinks/clock_time.h"
#include "sinks/json_writer.h"
#include "store/baseline_store.h"
#include "util/clock.h"

namespace kscope {
namespace {

struct BaselineFlags {
    std::string data_dir = "/var/lib/kscope";
    std::string workload;
    bool json = false;
    bool items = false;
};

// "container:<id>" or an executable path; a bare container id is taken as one.
std::optional<std::string> workload_arg(const std::string& w) {
    if (w.empty())
        return std::nullopt;
    if (w.front() == '/' || w.starts_with("container:"))
        return w;
    return "container:" + w;
}

Result<std::unique_ptr<BaselineStore>> open_store(const BaselineFlags& f, bool write) {
    if (!std::filesystem::exists(f.data_dir + "/baselines.db"))
        return Error{"no baselines at " + f.data_dir + "/baselines.db (is anomaly detection on, and the agent's --data-dir elsewhere?)"};
    return BaselineStore::open(f.data_dir, /*read_only=*/!write);
}

void print_json(const std::map<std::string, anomaly::WorkloadBaseline>& all, uint64_t now) {
    for (const auto& [name, w] : all) {
        std::string out;
        JsonWriter j(out);
        j.begin_object()
            .field("workload", name)
            .field("state", w.locked(now) ? "locked" : "learning")
            .field("first_seen", w.first_seen_ns)
            .field("learn_until", w.learn_until_ns)
            .field("baseline_size", uint64_t(w.learned()));
        for (size_t k = 0; k < anomaly::kItemKinds; k++) {
            j.begin_array(std::string(anomaly::kind_name(anomaly::ItemKind(k))));
            for (const auto& [item, v] : w.items[k]) {
                j.begin_object().field("item", item).field("first_seen", v.first_seen_ns).field("learned", v.learned);
                j.end_object();
            }
            j.end_array();
        }
        j.end_object();
        fmt::print("{}\n", out);
    }
}

void print_table(const std::map<std::string, anomaly::WorkloadBaseline>& all, uint64_t now, bool items) {
    fmt::print("{:<9} {:<23} {:>5} {:>5} {:>6} {:>9} {:>4}  {}\n", "STATE", "LEARNS UNTIL", "EXEC", "PEER", "LISTEN",
               "WRITE_DIR", "NEW", "WORKLOAD");
    for (const auto& [name, w] : all) {
        std::array<size_t, anomaly::kItemKinds> learned{};
        size_t fresh = 0;
        for (size_t k = 0; k < anomaly::kItemKinds; k++)
            for (const auto& [_, v] : w.items[k])
                (v.learned ? learned[k] : fresh)++;
        fmt::print("{:<9} {:<23} {:>5} {:>5} {:>6} {:>9} {:>4}  {}\n", w.locked(now) ? "locked" : "learning",
                   date_time(w.learn_until_ns), learned[0], learned[1], learned[2], learned[3], fresh, name);
        if (!items)
            continue;
        for (size_t k = 0; k < anomaly::kItemKinds; k++)
            for (const auto& [item, v] : w.items[k])
                fmt::print("    {:<9} {}{}\n", anomaly::kind_name(anomaly::ItemKind(k)), item,
                           v.learned ? "" : "  (new after the lock)");
    }
}

int run_show(const BaselineFlags& f) {
    auto store = open_store(f, /*write=*/false);
    if (!store) {
        fmt::print(stderr, "kscope baseline show: {}\n", store.error().message);
        return 1;
    }
    const auto workload = workload_arg(f.workload);
    auto all = (*store)->load(workload);
    if (!all) {
        fmt::print(stderr, "kscope baseline show: {}\n", all.error().message);
        return 1;
    }
    if (workload && all->empty()) {
        fmt::print(stderr, "kscope baseline show: no baseline for workload '{}'\n", *workload);
        return 1;
    }
    if (f.json)
        print_json(*all, epoch_now_ns());
    else
        print_table(*all, epoch_now_ns(), f.items || workload.has_value());
    return 0;
}

int run_change(const BaselineFlags& f, bool lock) {
    const char* name = lock ? "lock" : "reset";
    auto store = open_store(f, /*write=*/true);
    if (!store) {
        fmt::print(stderr, "kscope baseline {}: {}\n", name, store.error().message);
        return 1;
    }
    const auto workload = workload_arg(f.workload);
    if (workload) {
        auto found = (*store)->load(workload);
        if (found && found->empty()) {
            fmt::print(stderr, "kscope baseline {}: no baseline for workload '{}'\n", name, *workload);
            return 1;
        }
    }
    auto n = lock ? (*store)->lock(workload, epoch_now_ns()) : (*store)->reset(workload);
    if (!n) {
        fmt::print(stderr, "kscope baseline {}: {}\n", name, n.error().message);
        return 1;
    }
    if (lock)
        fmt::print("{} workload baselines locked (the rest were locked already)\n", *n);
    else
        fmt::print("{} workload baselines forgotten; they learn again from their next event\n", *n);
    return 0;
}

}  // namespace

void register_baseline_command(CLI::App& app, int& exit_code) {
    CLI::App* cmd = app.add_subcommand("baseline", "the anomaly detector's learned baselines: show, reset, lock");
    cmd->require_subcommand(1);
    auto add_common = [](CLI::App* sub, BaselineFlags& f) {
        sub->add_option("--data-dir", f.data_dir, "the agent's data directory")->capture_default_str();
        sub->add_option("workload", f.workload, "container:<id> (or the bare id), or an executable's path; default: all");
    };
    auto show = std::make_shared<BaselineFlags>();
    CLI::App* s = cmd->add_subcommand("show", "each workload's baseline: state, items per kind, items new after the lock");
    add_common(s, *show);
    s->add_flag("--items", show->items, "list every item (the default when a workload is named)");
    s->add_flag("--json", show->json, "one JSON object per workload, with its items");
    s->final_callback([show, &exit_code] { exit_code = run_show(*show); });

    auto reset = std::make_shared<BaselineFlags>();
    CLI::App* r = cmd->add_subcommand("reset", "forget baselines: the workload learns again from its next event");
    add_common(r, *reset);
    r->final_callback([reset, &exit_code] { exit_code = run_change(*reset, /*lock=*/false); });

    auto lock = std::make_shared<BaselineFlags>();
    CLI::App* l = cmd->add_subcommand("lock", "end learning now: from here on new items are anomalies");
    add_common(l, *lock);
    l->final_callback([lock, &exit_code] { exit_code = run_change(*lock, /*lock=*/true); });
}

}  // namespace kscope
