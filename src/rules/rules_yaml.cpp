#include "rules/rules_yaml.h"

#include <yaml-cpp/yaml.h>

#include <set>

namespace kscope::rules {

namespace {

class Reader {
public:
    explicit Reader(std::shared_ptr<const FileText> file) : file_(std::move(file)) {}

    SourceLoc loc(const YAML::Node& n) const {
        const YAML::Mark m = n.Mark();
        if (m.line < 0) return {file_->name, 0, 0};
        return {file_->name, m.line + 1, m.column + 1};
    }
    void error(const YAML::Node& n, const std::string& msg) { errors.push_back(loc(n).text() + ": " + msg); }
    void warn(const YAML::Node& n, const std::string& msg) { warnings.push_back(loc(n).text() + ": " + msg); }

    std::optional<std::string> string(const YAML::Node& n, const std::string& what) {
        if (!n.IsScalar()) {
            error(n, what + " must be a string");
            return std::nullopt;
        }
        return n.Scalar();
    }

    std::optional<bool> boolean(const YAML::Node& n, const std::string& what) {
        bool b = false;
        if (!n.IsScalar() || !YAML::convert<bool>::decode(n, b)) {
            error(n, what + " must be true or false");
            return std::nullopt;
        }
        return b;
    }

    std::optional<std::vector<std::string>> strings(const YAML::Node& n, const std::string& what) {
        if (n.IsNull()) return std::vector<std::string>{};
        if (!n.IsSequence()) {
            error(n, what + " must be a list");
            return std::nullopt;
        }
        std::vector<std::string> out;
        for (const auto& item : n) {
            auto s = string(item, what + " entry");
            if (!s) return std::nullopt;
            out.push_back(*s);
        }
        return out;
    }

    LocatedText located(const YAML::Node& n) {
        return {n.Scalar(), loc(n), file_, n.Mark().pos >= 0 ? size_t(n.Mark().pos) : 0};
    }

    void item(const YAML::Node& n) {
        if (!n.IsMap()) {
            error(n, "each entry must be a mapping (list, macro, rule or required_engine_version)");
            return;
        }
        if (n["rule"]) return rule(n);
        if (n["macro"]) return macro(n);
        if (n["list"]) return list(n);
        static const std::set<std::string> top = {"required_engine_version", "required_plugin_versions"};
        for (const auto& kv : n) {
            std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
            if (!top.count(key)) error(kv.first, "unknown entry '" + key + "' (expected list, macro, rule or required_engine_version)");
        }
    }

    // Keys the entry does not know are ignored with a warning, as Falco does.
    void check_keys(const YAML::Node& n, const std::set<std::string>& known, const std::string& what) {
        for (const auto& kv : n) {
            std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
            if (!known.count(key)) warn(kv.first, "unknown key '" + key + "' in " + what + " (ignored)");
        }
    }

    void list(const YAML::Node& n) {
        RulesFileItem it{RulesFileItem::Kind::List, {}, {}, {}};
        auto name = string(n["list"], "list name");
        if (!name) return;
        it.list.name = *name;
        it.list.loc = loc(n["list"]);
        check_keys(n, {"list", "items", "append", "override"}, "list '" + *name + "'");
        if (!n["items"]) return error(n["list"], "list '" + *name + "' has no items");
        auto items = strings(n["items"], "items of list '" + *name + "'");
        if (!items) return;
        it.list.items = *items;
        if (n["append"]) {
            auto b = boolean(n["append"], "append");
            if (!b) return;
            it.list.append = *b;
        }
        if (const auto& o = n["override"]) {
            if (!o.IsMap() || !o["items"] || !o["items"].IsScalar())
                return error(o, "override of list '" + *name + "' must be {items: append|replace}");
            it.list.append = o["items"].Scalar() == "append";
        }
        items_.push_back(std::move(it));
    }

    void macro(const YAML::Node& n) {
        RulesFileItem it{RulesFileItem::Kind::Macro, {}, {}, {}};
        auto name = string(n["macro"], "macro name");
        if (!name) return;
        it.macro.name = *name;
        it.macro.loc = loc(n["macro"]);
        check_keys(n, {"macro", "condition", "append", "override", "source"}, "macro '" + *name + "'");
        if (!n["condition"] || !n["condition"].IsScalar()) return error(n["macro"], "macro '" + *name + "' has no condition");
        it.macro.condition = located(n["condition"]);
        if (n["append"]) {
            auto b = boolean(n["append"], "append");
            if (!b) return;
            it.macro.append = *b;
        }
        if (const auto& o = n["override"]) {
            if (!o.IsMap() || !o["condition"] || !o["condition"].IsScalar())
                return error(o, "override of macro '" + *name + "' must be {condition: append|replace}");
            it.macro.append = o["condition"].Scalar() == "append";
        }
        items_.push_back(std::move(it));
    }

    std::optional<ExceptionEntry> exception(const YAML::Node& n, const std::string& rule) {
        ExceptionEntry e;
        e.loc = loc(n);
        if (!n.IsMap() || !n["name"]) {
            error(n, "exception of rule '" + rule + "' needs a name");
            return std::nullopt;
        }
        auto name = string(n["name"], "exception name");
        if (!name) return std::nullopt;
        e.name = *name;
        check_keys(n, {"name", "fields", "comps", "values"}, "exception '" + e.name + "'");
        if (const auto& f = n["fields"]) {
            if (f.IsScalar()) {
                e.fields = {f.Scalar()};
                e.fields_is_list = false;
            } else if (auto fs = strings(f, "fields of exception '" + e.name + "'")) {
                e.fields = *fs;
            } else {
                return std::nullopt;
            }
        }
        if (const auto& c = n["comps"]) {
            if (c.IsScalar()) {
                e.comps = {c.Scalar()};
            } else if (auto cs = strings(c, "comps of exception '" + e.name + "'")) {
                e.comps = *cs;
            } else {
                return std::nullopt;
            }
        }
        if (const auto& v = n["values"]) {
            if (!v.IsSequence()) {
                error(v, "values of exception '" + e.name + "' must be a list");
                return std::nullopt;
            }
            if (!e.fields_is_list) {
                // One field named directly: the values are one list for it (`in` by default).
                auto items = strings(v, "values of exception '" + e.name + "'");
                if (!items) return std::nullopt;
                e.values.push_back({*items});
                e.value_is_list.push_back({true});
                return e;
            }
            for (const auto& tuple : v) {
                std::vector<std::vector<std::string>> row;
                std::vector<bool> lists;
                // With one field named directly, each value stands alone.
                std::vector<YAML::Node> cells;
                if (!e.fields_is_list || !tuple.IsSequence()) {
                    cells.push_back(tuple);
                } else {
                    for (const auto& cell : tuple) cells.push_back(cell);
                }
                for (const auto& cell : cells) {
                    if (cell.IsSequence()) {
                        auto items = strings(cell, "exception value");
                        if (!items) return std::nullopt;
                        row.push_back(*items);
                        lists.push_back(true);
                    } else if (cell.IsScalar()) {
                        row.push_back({cell.Scalar()});
                        lists.push_back(false);
                    } else {
                        error(cell, "exception value must be a string or a list");
                        return std::nullopt;
                    }
                }
                if (e.fields_is_list && !e.fields.empty() && row.size() != e.fields.size()) {
                    error(tuple, "exception '" + e.name + "' has " + std::to_string(e.fields.size()) +
                                     " fields but this value has " + std::to_string(row.size()));
                    return std::nullopt;
                }
                e.values.push_back(std::move(row));
                e.value_is_list.push_back(std::move(lists));
            }
        }
        return e;
    }

    void rule(const YAML::Node& n) {
        RulesFileItem it{RulesFileItem::Kind::Rule, {}, {}, {}};
        RuleEntry& r = it.rule;
        auto name = string(n["rule"], "rule name");
        if (!name) return;
        r.name = *name;
        r.loc = loc(n["rule"]);
        const std::string what = "rule '" + r.name + "'";
        check_keys(n, {"rule", "desc", "condition", "output", "priority", "tags", "enabled", "exceptions", "append",
                       "override", "source", "action", "warn_evttypes", "skip-if-unknown-filter", "capture",
                       "capture_duration"},
                   what);
        size_t before = errors.size();
        if (const auto& d = n["desc"]) r.desc = string(d, "desc of " + what);
        if (const auto& c = n["condition"]) {
            if (c.IsScalar()) r.condition = located(c);
            else error(c, "condition of " + what + " must be a string");
        }
        if (const auto& o = n["output"]) r.output = string(o, "output of " + what);
        if (const auto& p = n["priority"]) {
            if (p.IsScalar()) r.priority = located(p);
            else error(p, "priority of " + what + " must be a string");
        }
        if (const auto& t = n["tags"]) r.tags = strings(t, "tags of " + what);
        if (const auto& e = n["enabled"]) r.enabled = boolean(e, "enabled of " + what);
        if (const auto& s = n["source"]) r.source = string(s, "source of " + what);
        if (const auto& a = n["action"]) {  // kscope's extension: alert (the default), kill, deny
            if (a.IsScalar()) r.action = located(a);
            else error(a, "action of " + what + " must be alert, kill or deny");
        }
        if (const auto& a = n["append"]) r.append = boolean(a, "append of " + what).value_or(false);
        if (const auto& ex = n["exceptions"]) {
            if (!ex.IsSequence()) {
                error(ex, "exceptions of " + what + " must be a list");
            } else {
                std::vector<ExceptionEntry> list;
                for (const auto& e : ex)
                    if (auto parsed = exception(e, r.name)) list.push_back(std::move(*parsed));
                r.exceptions = std::move(list);
            }
        }
        if (const auto& o = n["override"]) {
            static const std::set<std::string> keys = {"desc", "condition", "output", "priority", "tags",
                                                       "enabled", "exceptions", "action"};
            if (!o.IsMap()) {
                error(o, "override of " + what + " must be a mapping such as {condition: append}");
            } else {
                for (const auto& kv : o) {
                    std::string key = kv.first.Scalar(), how = kv.second.IsScalar() ? kv.second.Scalar() : "";
                    if (!keys.count(key)) error(kv.first, "override of " + what + ": '" + key + "' cannot be overridden");
                    else if (how != "append" && how != "replace") error(kv.second, "override of " + what + ": '" + key + "' must be append or replace");
                    else if (how == "append" && (key == "output" || key == "desc" || key == "priority" || key == "enabled" ||
                                                 key == "action"))
                        error(kv.second, "override of " + what + ": '" + key + "' can only be replaced");
                    else if (!n[key]) error(kv.first, "override of " + what + " names '" + key + "' but the entry has no " + key);
                    else r.overrides[key] = how;
                }
            }
        }
        if (errors.size() == before) items_.push_back(std::move(it));
    }

    std::vector<RulesFileItem> items_;
    std::vector<std::string> errors;
    std::vector<std::string> warnings;

private:
    std::shared_ptr<const FileText> file_;
};

}  // namespace

Result<ParsedRulesFile> parse_rules_yaml(std::shared_ptr<const FileText> file) {
    YAML::Node root;
    try {
        root = YAML::Load(file->bytes);
    } catch (const YAML::ParserException& e) {
        return Error{file->name + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                     ": " + e.msg};
    }
    Reader reader(file);
    if (root.IsNull()) return ParsedRulesFile{};
    if (!root.IsSequence())
        return Error{reader.loc(root).text() + ": a rules file is a list of list, macro and rule entries"};
    for (const auto& n : root) reader.item(n);
    if (!reader.errors.empty()) {
        std::string all;
        for (const auto& e : reader.errors) all += (all.empty() ? "" : "\n") + e;
        return Error{all};
    }
    return ParsedRulesFile{std::move(reader.items_), std::move(reader.warnings)};
}

}  // namespace kscope::rules
