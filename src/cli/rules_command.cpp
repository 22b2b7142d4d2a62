// kscope rules check|list|test: for rule authors. check loads rules files as the agent
// would (built-in rules first, unless --no-default) and says, per rule, whether it loaded
// or why it was skipped; list shows the rules; test runs recorded events through them.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>
#include <sstream>

#include "cli/commands.h"
#include "enforce/kernel_policy.h"
#include "events/event_from_json.h"
#include "rules/default_rules.h"
#include "rules/engine.h"
#include "rules/ruleset.h"
#include "pipeline/user_db.h"
#include "sinks/event_json.h"

namespace kscope {

namespace {

struct RulesFlags {
    std::vector<std::string> files;
    bool no_default = false;
    bool json = false;
    std::string events;
};

Result<std::vector<rules::RulesSource>> sources(const RulesFlags& f) { return rules::rules_sources(!f.no_default, f.files); }

Result<rules::RuleSet> load(const RulesFlags& f) {
    auto src = sources(f);
    if (!src) return src.error();
    return rules::load_rules(*src);
}

// The rules a `check` reports: those of the named files (all when none were named).
bool reported(const RulesFlags& f, const rules::SourceLoc& loc) {
    if (f.files.empty()) return true;
    return std::find(f.files.begin(), f.files.end(), loc.file) != f.files.end();
}

int run_check(const RulesFlags& f) {
    auto set = load(f);
    if (!set) {
        fmt::print(stderr, "{}\n", set.error().message);
        return 2;
    }
    for (const auto& w : set->warnings) fmt::print(stderr, "warning: {}\n", w);
    size_t loaded = 0, skipped = 0;
    for (const auto& s : set->status) {
        if (!reported(f, s.loc)) continue;
        if (s.loaded) {
            loaded++;
            fmt::print("{}:{}: rule \"{}\": loaded\n", s.loc.file, s.loc.line, s.name);
        } else {
            skipped++;
            fmt::print("{}:{}: rule \"{}\": skipped: {}\n", s.loc.file, s.loc.line, s.name, s.reason);
        }
    }
    fmt::print(stderr, "{} rules loaded, {} skipped\n", loaded, skipped);
    return skipped ? 1 : 0;
}

std::string join_tags(const std::vector<std::string>& tags) {
    std::string out;
    for (const auto& t : tags) out += (out.empty() ? "" : ",") + t;
    return out;
}

int run_list(const RulesFlags& f) {
    auto set = load(f);
    if (!set) {
        fmt::print(stderr, "{}\n", set.error().message);
        return 2;
    }
    if (!f.json) fmt::print("{:<48} {:<13} {:<28} {}\n", "RULE", "PRIORITY", "EVENT TYPES", "TAGS");
    for (const auto& r : set->rules) {
        std::string types;
        for (const auto& t : r.event_types) types += (types.empty() ? "" : ",") + t;
        if (types.empty()) types = "(any)";
        if (f.json) {
            nlohmann::json j = {{"rule", r.name},       {"priority", rules::priority_name(r.priority)},
                                {"tags", r.tags},       {"desc", r.desc},
                                {"event_types", r.event_types}, {"source", r.loc.file + ":" + std::to_string(r.loc.line)}};
            fmt::print("{}\n", j.dump());
        } else {
            fmt::print("{:<48} {:<13} {:<28} {}\n", r.name, rules::priority_name(r.priority), types, join_tags(r.tags));
        }
    }
    return 0;
}

// Recorded events carry no process table: what they say about their process is all there is.
class RecordedContext final : public rules::ProcessContext {
public:
    void observe(const Event& e) {
        if (const auto* x = std::get_if<ExecEvent>(&e); x && x->ret == 0) {
            ProcessInfo p;
            p.pid = x->common.pid;
            p.ppid = x->common.ppid;
            p.uid = x->common.uid;
            p.gid = x->common.gid;
            p.comm = x->common.comm;
            p.exe = x->filename;
            p.argv = x->argv;
            p.cwd = x->cwd;
            p.tty = x->tty;
            p.loginuid = x->loginuid;
            p.exe_inode = x->exe_inode;
            p.exe_memfd = x->exe_memfd;
            p.exe_deleted = x->exe_deleted;
            p.stdin_type = x->stdin_type;
            p.stdout_type = x->stdout_type;
            p.stderr_type = x->stderr_type;
            p.container_id = x->common.container_id;
            procs_.upsert(std::move(p));
        }
    }
    const ProcessInfo* process(uint32_t pid) override { return procs_.find(pid); }
    const UserEntry* user(uint32_t uid) override { return users_.user(uid); }
    const std::string* group(uint32_t gid) override { return users_.group(gid); }
    const std::string& hostname() override { return host_; }

private:
    ProcessCache procs_;
    UserDb users_;
    std::string host_ = "recorded";
};

int run_test(const RulesFlags& f) {
    auto set = load(f);
    if (!set) {
        fmt::print(stderr, "{}\n", set.error().message);
        return 2;
    }
    std::ifstream in(f.events);
    if (!in) {
        fmt::print(stderr, "kscope rules test: cannot read {}\n", f.events);
        return 2;
    }
    // JSON lines (--json output), or one array (what /api/v1/events answers).
    std::vector<std::string> records;
    std::string text((std::istreambuf_iterator<char>(in)), {});
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && text[first] == '[') {
        auto array = nlohmann::json::parse(text, nullptr, false);
        if (!array.is_array()) {
            fmt::print(stderr, "{}: not a JSON array of events\n", f.events);
            return 2;
        }
        for (const auto& e : array) records.push_back(e.dump());
    } else {
        std::istringstream lines(text);
        for (std::string line; std::getline(lines, line);) records.push_back(line);
    }
    rules::RuleEngine engine(std::move(set.value()), {});
    RecordedContext context;
    size_t events = 0, alerts = 0;
    for (size_t i = 0; i < records.size(); i++) {
        const std::string& line = records[i];
        const size_t line_no = i + 1;  // the line, or the array element, counted from 1
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        auto event = event_from_json(line);
        if (!event) {
            fmt::print(stderr, "{}:{}: {}\n", f.events, line_no, event.error().message);
            return 2;
        }
        events++;
        context.observe(*event);
        rules::EventFields fields(*event, context);
        for (const rules::Rule* r : engine.matching(*event, context)) {
            alerts++;
            if (f.json) {
                std::string out;
                append_event_json(out, Event(rules::RuleEngine::make_alert(*r, *event, fields)));
                fmt::print("{}\n", out);
            } else {
                fmt::print("{}:{}: {} [{}] {}\n", f.events, line_no, r->name, rules::priority_name(r->priority),
                           r->output.render(fields));
            }
        }
    }
    fmt::print(stderr, "{} events, {} alerts\n", events, alerts);
    return 0;
}

// Which kill and deny rules the kernel acts for, as which map entries, and why the others
// act from user space.
int run_compile(const RulesFlags& f) {
    auto set = load(f);
    if (!set) {
        fmt::print(stderr, "{}\n", set.error().message);
        return 2;
    }
    const auto policy = enforce::compile_kernel_policy(set->rules);
    size_t in_kernel = 0;
    for (const auto& v : policy.verdicts) {
        const auto& r = set->rules[v.rule];
        if (!reported(f, r.loc)) continue;
        const std::string action(rules::action_name(r.action));
        if (v.in_kernel) {
            in_kernel++;
            fmt::print("{}:{}: rule \"{}\": {} in the kernel\n", r.loc.file, r.loc.line, r.name, action);
            for (size_t s : v.slots)
                fmt::print("    slot {}: {}\n", s, enforce::describe_slot(policy.slots[s]));
        } else {
            fmt::print("{}:{}: rule \"{}\": {} from user space (the process is killed when the event arrives): {}\n",
                       r.loc.file, r.loc.line, r.name, action, v.reason);
        }
    }
    fmt::print("{} of {} rules with an action in the kernel, {} of {} slots used\n", in_kernel, policy.verdicts.size(),
               policy.slots.size(), KSCOPE_ENFORCE_SLOTS);
    return 0;
}

}  // namespace

void register_rules_command(CLI::App& app, int& exit_code) {
    CLI::App* cmd = app.add_subcommand("rules", "check, list, test and compile detection rules (Falco's format)");
    cmd->require_subcommand(1);
    auto add_common = [](CLI::App* sub, RulesFlags& f) {
        sub->add_option("files", f.files, "rules files (YAML), loaded after the built-in rules");
        sub->add_flag("--no-default", f.no_default, "leave kscope's built-in rules out");
    };
    auto check = std::make_shared<RulesFlags>();
    CLI::App* c = cmd->add_subcommand(
        "check", "load rules files; one line per rule: loaded, or skipped and why (exit 0: all loaded, 1: some skipped, 2: an error)");
    add_common(c, *check);
    c->final_callback([check, &exit_code] { exit_code = run_check(*check); });

    auto list = std::make_shared<RulesFlags>();
    CLI::App* l = cmd->add_subcommand("list", "the rules that load: priority, the event types they see, tags");
    add_common(l, *list);
    l->add_flag("--json", list->json, "one JSON object per rule");
    l->final_callback([list, &exit_code] { exit_code = run_list(*list); });

    auto test = std::make_shared<RulesFlags>();
    CLI::App* t = cmd->add_subcommand(
        "test", "run recorded events (JSON lines as --json writes them, or /api/v1/events' array) through the rules");
    add_common(t, *test);
    t->add_option("--events", test->events, "a JSON-lines file of events")->required();
    t->add_flag("--json", test->json, "alerts as JSON events");
    t->final_callback([test, &exit_code] { exit_code = run_test(*test); });

    auto compile = std::make_shared<RulesFlags>();
    CLI::App* k = cmd->add_subcommand(
        "compile", "which kill and deny rules go into the kernel, as which map entries, and why others do not");
    add_common(k, *compile);
    k->final_callback([compile, &exit_code] { exit_code = run_compile(*compile); });
}

}  // namespace kscope
