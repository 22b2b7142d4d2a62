#include "rules/ruleset.h"

#include "rules/default_rules.h"

#include <algorithm>
#include <functional>
#include <charconv>
#include <fstream>
#include <map>
#include <sstream>

#include "rules/condition_check.h"
#include "rules/condition_parser.h"
#include "rules/rules_yaml.h"

namespace kscope::rules {

std::string_view action_name(Action a) {
    switch (a) {
        case Action::Alert: return "alert";
        case Action::Kill: return "kill";
        case Action::Deny: return "deny";
    }
    return "alert";
}

std::string_view priority_name(Priority p) {
    switch (p) {
        case Priority::Emergency: return "Emergency";
        case Priority::Alert: return "Alert";
        case Priority::Critical: return "Critical";
        case Priority::Error: return "Error";
        case Priority::Warning: return "Warning";
        case Priority::Notice: return "Notice";
        case Priority::Informational: return "Informational";
        case Priority::Debug: return "Debug";
    }
    return "Warning";
}

std::optional<Priority> parse_priority(std::string_view text) {
    std::string t;
    for (char c : text) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    static const std::pair<const char*, Priority> names[] = {
        {"emergency", Priority::Emergency}, {"alert", Priority::Alert},     {"critical", Priority::Critical},
        {"error", Priority::Error},         {"warning", Priority::Warning}, {"warn", Priority::Warning},
        {"notice", Priority::Notice},       {"informational", Priority::Informational},
        {"info", Priority::Informational},  {"debug", Priority::Debug}};
    for (const auto& [n, p] : names)
        if (t == n) return p;
    return std::nullopt;
}

namespace {

// A position from a parser message ("3:17: expected ..."); 1:1 when it has none.
Pos message_pos(const std::string& msg, std::string* rest) {
    Pos p;
    int line = 0, col = 0;
    auto colon = msg.find(':');
    auto second = colon == std::string::npos ? colon : msg.find(':', colon + 1);
    if (second != std::string::npos &&
        std::from_chars(msg.data(), msg.data() + colon, line).ec == std::errc() &&
        std::from_chars(msg.data() + colon + 1, msg.data() + second, col).ec == std::errc()) {
        p = {line, col};
        *rest = msg.substr(second + 2 <= msg.size() ? second + 2 : msg.size());
    } else {
        *rest = msg;
    }
    return p;
}

struct MacroDef {
    TextOrigin origin;
    SourceLoc loc;
};

struct RuleDef {
    RuleEntry entry;              // merged
    TextOrigin condition;
    std::vector<ExceptionEntry> exceptions;
    size_t order = 0;
};

std::string quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// Whether a checked condition compares any field `pred` accepts.
bool reads_field(const Expr& e, const std::function<bool(const std::string&)>& pred) {
    if (e.kind == Expr::Kind::Compare) return pred(e.field.name);
    return std::any_of(e.children.begin(), e.children.end(), [&](const Expr& c) { return reads_field(c, pred); });
}

// Every field a rule lacks, once, with the macro it is in: "field 'evt.num' (in macro
// 'never_true') is Falco's but kscope does not have it".
std::string unavailable_reason(const std::vector<Diagnostic>& errors) {
    std::vector<std::string> fields;
    for (const auto& d : errors) {
        std::string f = "'" + d.field + "'" + (d.macro.empty() ? "" : " (in macro '" + d.macro + "')");
        if (std::find(fields.begin(), fields.end(), f) == fields.end()) fields.push_back(std::move(f));
    }
    std::string list;
    for (const auto& f : fields) list += (list.empty() ? "" : ", ") + f;
    return fields.size() == 1 ? "field " + list + " is Falco's but kscope does not have it"
                              : "fields " + list + " are Falco's but kscope does not have them";
}

class Loader {
public:
    std::vector<std::string> errors;
    std::vector<std::string> warnings;

    void add(const ParsedRulesFile& file) {
        for (const auto& w : file.warnings) warnings.push_back(w);
        for (const auto& item : file.items) {
            switch (item.kind) {
                case RulesFileItem::Kind::List: list(item.list); break;
                case RulesFileItem::Kind::Macro: macro(item.macro); break;
                case RulesFileItem::Kind::Rule: rule(item.rule); break;
            }
        }
    }

    RuleSet finish() {
        RuleSet set;
        set.lists = lists_.size();
        set.macros = macros_.size();
        Definitions defs;
        for (const auto& [name, items] : lists_) defs.lists[name] = items;
        for (const auto& [name, m] : macros_) {
            auto parsed = parse_condition(m.origin.text());
            if (!parsed) {
                std::string rest;
                Pos p = message_pos(parsed.error().message, &rest);
                errors.push_back(m.origin.locate(p).text() + ": macro '" + name + "': " + rest);
                continue;
            }
            defs.macros.emplace(name, std::move(parsed.value()));
        }
        std::vector<const RuleDef*> ordered;
        for (const auto& [name, r] : rules_) ordered.push_back(&r);
        std::sort(ordered.begin(), ordered.end(), [](auto* a, auto* b) { return a->order < b->order; });
        for (const RuleDef* r : ordered) compile(*r, defs, set);
        set.warnings = warnings;
        return set;
    }

private:
    void list(const ListEntry& e) {
        auto it = lists_.find(e.name);
        if (e.append) {
            if (it == lists_.end()) {
                errors.push_back(e.loc.text() + ": list '" + e.name + "': append to a list that is not defined");
                return;
            }
            it->second.insert(it->second.end(), e.items.begin(), e.items.end());
            return;
        }
        if (it != lists_.end()) replaced("list", e.name, list_locs_[e.name], e.loc);
        lists_[e.name] = e.items;
        list_locs_[e.name] = e.loc;
    }

    // Falco's rule: the last definition wins. Said when a file replaces another file's
    // (a user's file redefining a built-in macro changes the built-in rules that use it).
    void replaced(const char* kind, const std::string& name, const SourceLoc& before, const SourceLoc& now) {
        if (before.file != now.file)
            warnings.push_back(now.text() + ": " + kind + " '" + name + "' replaces the one at " + before.text());
    }

    void macro(const MacroEntry& e) {
        auto it = macros_.find(e.name);
        const LocatedText& c = e.condition;
        if (e.append) {
            if (it == macros_.end()) {
                errors.push_back(e.loc.text() + ": macro '" + e.name + "': append to a macro that is not defined");
                return;
            }
            it->second.origin.add_glue(" ");
            it->second.origin.add_scalar(c.text, c.file, c.raw_offset);
            return;
        }
        if (it != macros_.end()) replaced("macro", e.name, it->second.loc, e.loc);
        MacroDef def;
        def.loc = e.loc;
        def.origin.add_scalar(c.text, c.file, c.raw_offset);
        macros_[e.name] = std::move(def);
    }

    static void add_exceptions(std::vector<ExceptionEntry>& into, const std::vector<ExceptionEntry>& more) {
        for (const auto& e : more) {
            auto same = std::find_if(into.begin(), into.end(), [&](const auto& x) { return x.name == e.name; });
            if (same == into.end()) {
                into.push_back(e);
                continue;
            }
            // Same name: more values for the exception already defined.
            same->values.insert(same->values.end(), e.values.begin(), e.values.end());
            same->value_is_list.insert(same->value_is_list.end(), e.value_is_list.begin(), e.value_is_list.end());
        }
    }

    void rule(const RuleEntry& e) {
        auto it = rules_.find(e.name);
        const bool only_enabled = e.enabled && !e.condition && !e.output && !e.desc && !e.priority && !e.tags &&
                                  !e.exceptions && !e.append && e.overrides.empty();
        if (e.append || !e.overrides.empty() || (only_enabled && it != rules_.end())) {
            if (it == rules_.end()) {
                errors.push_back(e.loc.text() + ": rule '" + e.name + "': " +
                                 (e.append ? "append" : "override") + " of a rule that is not defined");
                return;
            }
            merge(it->second, e);
            return;
        }
        for (const char* key : {"condition", "output", "desc", "priority"}) {
            bool has = (std::string_view(key) == "condition" && e.condition) ||
                       (std::string_view(key) == "output" && e.output) ||
                       (std::string_view(key) == "desc" && e.desc) ||
                       (std::string_view(key) == "priority" && e.priority);
            if (!has) {
                errors.push_back(e.loc.text() + ": rule '" + e.name + "' has no " + key);
                return;
            }
        }
        if (it != rules_.end()) replaced("rule", e.name, it->second.entry.loc, e.loc);
        RuleDef def;
        def.entry = e;
        def.order = it == rules_.end() ? next_order_++ : it->second.order;  // a redefinition keeps its place
        def.condition.add_scalar(e.condition->text, e.condition->file, e.condition->raw_offset);
        if (e.exceptions) def.exceptions = *e.exceptions;
        rules_[e.name] = std::move(def);
    }

    void merge(RuleDef& def, const RuleEntry& e) {
        auto how = [&](const std::string& key) {
            auto o = e.overrides.find(key);
            if (o != e.overrides.end()) return o->second;
            return e.append ? std::string("append") : std::string();
        };
        if (e.condition) {
            if (how("condition") == "replace") def.condition = TextOrigin();
            else def.condition.add_glue(" ");
            def.condition.add_scalar(e.condition->text, e.condition->file, e.condition->raw_offset);
        }
        if (e.exceptions) {
            if (how("exceptions") == "replace") def.exceptions.clear();
            add_exceptions(def.exceptions, *e.exceptions);
        }
        if (e.tags) {
            if (how("tags") == "append" && !def.entry.tags) def.entry.tags.emplace();
            if (how("tags") == "append") def.entry.tags->insert(def.entry.tags->end(), e.tags->begin(), e.tags->end());
            else def.entry.tags = e.tags;
        }
        if (e.output) def.entry.output = e.output;
        if (e.desc) def.entry.desc = e.desc;
        if (e.priority) def.entry.priority = e.priority;
        if (e.enabled) def.entry.enabled = e.enabled;
        if (e.action) def.entry.action = e.action;
    }

    // " and not (exc1) and not (exc2)": each exception is an `or` of its values, each value
    // an `and` of field comparisons.
    std::optional<std::string> exception_text(const ExceptionEntry& x) {
        std::string out;
        for (size_t v = 0; v < x.values.size(); v++) {
            std::string conj;
            for (size_t f = 0; f < x.fields.size() && f < x.values[v].size(); f++) {
                std::string comp = f < x.comps.size() ? x.comps[f] : (x.fields_is_list ? "=" : "in");
                const auto& cell = x.values[v][f];
                std::string value;
                const bool list_op = comp == "in" || comp == "pmatch" || comp == "intersects";
                if (x.value_is_list[v][f] || (list_op && !x.fields_is_list)) {
                    // A list's name stays bare so the checker expands it, as in Falco.
                    for (const auto& item : cell)
                        value += (value.empty() ? "" : ", ") + (lists_.count(item) ? item : quote(item));
                    value = "(" + value + ")";
                } else if (list_op && lists_.count(cell[0])) {
                    value = "(" + cell[0] + ")";  // a list's name
                } else if (list_op) {
                    value = "(" + quote(cell[0]) + ")";
                } else {
                    value = quote(cell[0]);
                }
                conj += std::string(conj.empty() ? "" : " and ") + x.fields[f] + " " + comp + " " + value;
            }
            if (!conj.empty()) out += std::string(out.empty() ? "" : " or ") + "(" + conj + ")";
        }
        if (out.empty()) return std::nullopt;  // an exception with no values excepts nothing
        return out;
    }

    void compile(const RuleDef& def, const Definitions& defs, RuleSet& set) {
        const RuleEntry& e = def.entry;
        RuleStatus status{e.name, e.loc, false, ""};
        auto skip = [&](std::string why) {
            status.reason = std::move(why);
            set.status.push_back(status);
        };
        if (e.source && *e.source != "syscall") return skip("source '" + *e.source + "' is not kscope's (syscall)");
        auto priority = parse_priority(e.priority->text);
        if (!priority) {
            errors.push_back(e.priority->loc.text() + ": rule '" + e.name + "': unknown priority '" + e.priority->text +
                             "' (emergency, alert, critical, error, warning, notice, informational, debug)");
            return;
        }
        // The rule's own condition binds tighter than the exceptions' `and not`.
        TextOrigin full = def.exceptions.empty() ? def.condition : def.condition.parenthesized();
        for (const auto& x : def.exceptions) {
            if (x.fields.empty()) {
                errors.push_back(x.loc.text() + ": rule '" + e.name + "': exception '" + x.name + "' has no fields");
                return;
            }
            if (auto text = exception_text(x)) full.add_generated(" and not (" + *text + ")", x.loc);
        }
        const std::string& text = full.text();
        auto parsed = parse_condition(text);
        if (!parsed) {
            std::string rest;
            Pos p = message_pos(parsed.error().message, &rest);
            errors.push_back(full.locate(p).text() + ": rule '" + e.name + "': " + rest);
            return;
        }
        auto checked = check_condition(parsed.value(), defs);
        if (!checked.ok()) {
            bool all_unavailable = std::all_of(checked.errors.begin(), checked.errors.end(),
                                               [](const Diagnostic& d) { return d.unavailable_field; });
            if (all_unavailable) {
                if (e.enabled && !*e.enabled) return skip("disabled (enabled: false)");
                return skip(unavailable_reason(checked.errors));
            }
            for (const auto& d : checked.errors) {
                if (d.unavailable_field) continue;
                SourceLoc at = d.macro.empty() ? full.locate(d.pos) : macros_.at(d.macro).origin.locate(d.pos);
                errors.push_back(at.text() + ": rule '" + e.name + "': " +
                                 (d.macro.empty() ? "" : "in macro '" + d.macro + "': ") + d.message);
            }
            return;
        }
        auto compiled = CompiledCondition::compile(checked.expr);
        if (!compiled) {
            errors.push_back(e.condition->loc.text() + ": rule '" + e.name + "': " + compiled.error().message);
            return;
        }
        auto output = OutputTemplate::compile(*e.output);
        if (!output) {
            errors.push_back(e.loc.text() + ": rule '" + e.name + "': " + output.error().message);
            return;
        }
        Action action = Action::Alert;
        if (e.action) {
            const std::string& a = e.action->text;
            if (a == "kill") action = Action::Kill;
            else if (a == "deny") action = Action::Deny;
            else if (a != "alert") {
                errors.push_back(e.action->loc.text() + ": rule '" + e.name + "': unknown action '" + a +
                                 "' (alert, kill or deny)");
                return;
            }
        }
        if (e.enabled && !*e.enabled) return skip("disabled (enabled: false)");
        Rule r;
        r.action = action;
        r.checked = std::make_shared<const Expr>(checked.expr);
        r.reads_container_meta = reads_field(checked.expr, [](const std::string& f) {
            return f == "container.name" || f.starts_with("container.image");
        });
        r.name = e.name;
        r.desc = *e.desc;
        r.output_text = *e.output;
        r.priority = *priority;
        r.tags = e.tags.value_or(std::vector<std::string>{});
        r.loc = e.loc;
        r.condition_text = text;
        r.condition = std::move(compiled.value());
        r.output = std::move(output.value());
        if (auto types = condition_event_types(checked.expr)) r.event_types = *types;
        set.rules.push_back(std::move(r));
        status.loaded = true;
        set.status.push_back(status);
    }

    std::map<std::string, std::vector<std::string>> lists_;
    std::map<std::string, SourceLoc> list_locs_;
    std::map<std::string, MacroDef> macros_;
    std::map<std::string, RuleDef> rules_;
    size_t next_order_ = 0;
};

}  // namespace

std::optional<std::set<std::string>> condition_event_types(const Expr& e) {
    switch (e.kind) {
        case Expr::Kind::Compare:
            if (e.field.name == "evt.type" && (e.op == CmpOp::Eq || e.op == CmpOp::In)) {
                std::set<std::string> out;
                for (const auto& v : e.values) out.insert(v.text);
                return out;
            }
            return std::nullopt;
        case Expr::Kind::And: {
            // Every branch must hold: the narrowest known set.
            std::optional<std::set<std::string>> out;
            for (const auto& c : e.children) {
                auto t = condition_event_types(c);
                if (!t) continue;
                if (!out) {
                    out = std::move(t);
                    continue;
                }
                std::set<std::string> both;
                std::set_intersection(out->begin(), out->end(), t->begin(), t->end(),
                                      std::inserter(both, both.begin()));
                out = std::move(both);
            }
            return out;
        }
        case Expr::Kind::Or: {
            std::set<std::string> out;
            for (const auto& c : e.children) {
                auto t = condition_event_types(c);
                if (!t) return std::nullopt;  // one branch matches anything
                out.insert(t->begin(), t->end());
            }
            return out;
        }
        case Expr::Kind::Not:
        case Expr::Kind::Macro:
            return std::nullopt;  // `not evt.type = x` may match any other type
    }
    return std::nullopt;
}

Result<RuleSet> load_rules(const std::vector<RulesSource>& sources) {
    Loader loader;
    for (const auto& s : sources) {
        auto file = std::make_shared<FileText>(FileText{s.name, s.text});
        auto parsed = parse_rules_yaml(file);
        if (!parsed) {
            loader.errors.push_back(parsed.error().message);
            continue;
        }
        loader.add(parsed.value());
    }
    RuleSet set = loader.finish();
    if (!loader.errors.empty()) {
        std::string all;
        for (const auto& e : loader.errors) all += (all.empty() ? "" : "\n") + e;
        return Error{all};
    }
    return set;
}

Result<std::vector<RulesSource>> read_rules_files(const std::vector<std::string>& paths) {
    std::vector<RulesSource> out;
    for (const auto& p : paths) {
        std::ifstream in(p, std::ios::binary);
        if (!in) return Error{p + ": cannot read the rules file"};
        std::ostringstream ss;
        ss << in.rdbuf();
        out.push_back({p, ss.str()});
    }
    return out;
}

Result<std::vector<RulesSource>> rules_sources(bool built_in, const std::vector<std::string>& files) {
    auto read = read_rules_files(files);
    if (!read) return read.error();
    std::vector<RulesSource> all;
    if (built_in) all.push_back({std::string(kDefaultRulesName), std::string(default_rules_text())});
    for (auto& s : *read) all.push_back(std::move(s));
    return all;
}

}  // namespace kscope::rules
