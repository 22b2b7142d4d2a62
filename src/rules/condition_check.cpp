#include "rules/condition_check.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <set>

#include "rules/condition_lexer.h"
#include "rules/falco_fields.h"
#include "rules/field_catalog.h"
#include "rules/ip_net.h"

namespace kscope::rules {

namespace {

// Falco pastes a list's items into the condition's text, so an item written '"10.0.0.0/8"'
// in YAML is a quoted string there: its value is 10.0.0.0/8, and it names no list.
std::optional<std::string> quoted_item(const std::string& item) {
    if (item.size() < 2 || (item.front() != '"' && item.front() != '\'') || item.back() != item.front())
        return std::nullopt;
    auto tokens = tokenize(item);
    if (!tokens || tokens->size() != 2 || (*tokens)[0].kind != Token::Kind::String) return std::nullopt;
    return (*tokens)[0].text;
}

bool is_hex_bytes(std::string_view s) {
    return !s.empty() && s.size() % 2 == 0 &&
           std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

}  // namespace

std::string Diagnostic::text() const {
    std::string out = to_string(pos) + ": " + message;
    return macro.empty() ? out : "in macro '" + macro + "': " + out;
}

namespace {

bool is_number(std::string_view s) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

class Checker {
public:
    explicit Checker(const Definitions& defs) : defs_(defs) {}

    Expr resolve(const Expr& e) {
        switch (e.kind) {
            case Expr::Kind::And:
            case Expr::Kind::Or:
            case Expr::Kind::Not: {
                Expr out = e;
                out.children.clear();
                for (const auto& c : e.children) out.children.push_back(resolve(c));
                return out;
            }
            case Expr::Kind::Macro: return resolve_macro(e);
            case Expr::Kind::Compare: return resolve_compare(e);
        }
        return e;
    }

    std::vector<Diagnostic> errors;

private:
    void report(Pos pos, std::string message, bool unavailable = false, std::string field = "") {
        errors.push_back({pos, stack_.empty() ? "" : stack_.back(), std::move(message), unavailable, std::move(field)});
    }

    Expr resolve_macro(const Expr& e) {
        auto it = defs_.macros.find(e.macro);
        if (it == defs_.macros.end()) {
            report(e.pos, "undefined macro '" + e.macro + "'");
            return e;
        }
        if (std::find(stack_.begin(), stack_.end(), e.macro) != stack_.end()) {
            std::string chain;
            auto from = std::find(stack_.begin(), stack_.end(), e.macro);
            for (auto s = from; s != stack_.end(); ++s) chain += *s + " -> ";
            report(e.pos, "macro cycle: " + chain + e.macro);
            return e;
        }
        if (auto done = resolved_.find(e.macro); done != resolved_.end()) return done->second;
        stack_.push_back(e.macro);
        size_t before = errors.size();
        Expr body = resolve(it->second);
        stack_.pop_back();
        // Problems inside a macro are reported once, however often it is used.
        if (errors.size() == before) resolved_[e.macro] = body;
        else resolved_[e.macro] = e;
        return body;
    }

    // Named lists may name other lists; unquoted items only, as in Falco.
    void expand_item(const std::string& text, Pos pos, bool quoted, std::vector<Value>& out,
                     std::vector<std::string>& seen) {
        auto it = quoted ? defs_.lists.end() : defs_.lists.find(text);
        if (it == defs_.lists.end()) {
            auto unquoted = quoted ? std::nullopt : quoted_item(text);
            out.push_back({unquoted.value_or(text), quoted || unquoted, pos});
            return;
        }
        if (std::find(seen.begin(), seen.end(), text) != seen.end()) {
            report(pos, "list '" + text + "' includes itself");
            return;
        }
        seen.push_back(text);
        for (const auto& item : it->second) expand_item(item, pos, false, out, seen);
        seen.pop_back();
    }

    bool resolve_field(FieldRef& f, const FieldInfo*& info) {
        info = find_field(f.name);
        if (!info && !f.has_arg) {
            // evt.arg.flags: the catalog's evt.arg with the argument "flags".
            for (const auto& cand : field_catalog()) {
                if (cand.arg != FieldArg::Name) continue;
                std::string prefix = std::string(cand.name) + ".";
                if (f.name.size() > prefix.size() && f.name.compare(0, prefix.size(), prefix) == 0) {
                    f.arg = f.name.substr(prefix.size());
                    f.name = std::string(cand.name);
                    f.has_arg = true;
                    info = &cand;
                    break;
                }
            }
        }
        if (!info) {
            std::string shown = f.name + (f.has_arg ? "[" + f.arg + "]" : "");
            if (is_falco_field(f.name))
                report(f.pos, "field '" + shown + "' is Falco's but kscope does not have it", true, f.name);
            else
                report(f.pos, "unknown field '" + shown + "'");
            return false;
        }
        switch (info->arg) {
            case FieldArg::None:
                if (f.has_arg) {
                    report(f.pos, "field '" + f.name + "' takes no argument");
                    return false;
                }
                break;
            case FieldArg::Index:
                if (f.has_arg && (!is_number(f.arg) || f.arg[0] == '-')) {
                    report(f.pos, "field '" + f.name + "' needs a numeric index, found '" + f.arg + "'");
                    return false;
                }
                break;
            case FieldArg::Name:
                if (!f.has_arg || f.arg.empty()) {
                    report(f.pos, "field '" + f.name + "' needs an argument, e.g. " + f.name + ".flags or " +
                                      f.name + "[0]");
                    return false;
                }
                break;
        }
        return true;
    }

    Expr resolve_compare(const Expr& e) {
        Expr out = e;
        if (!out.list_ref.empty()) {
            if (defs_.lists.find(out.list_ref) == defs_.lists.end()) {
                report(out.list_pos, "undefined list '" + out.list_ref + "'");
            } else {
                std::vector<std::string> seen;
                expand_item(out.list_ref, out.list_pos, false, out.values, seen);
            }
            out.list_ref.clear();
        } else if (op_takes_list(out.op)) {
            out.values.clear();
            std::vector<std::string> seen;
            for (const auto& v : e.values) expand_item(v.text, v.pos, v.quoted, out.values, seen);
        }
        const FieldInfo* info = nullptr;
        if (!resolve_field(out.field, info)) return out;
        out.field.id = static_cast<int>(info - field_catalog().data());
        FieldType type = info->type;
        if (!op_fits(type, out.op)) {
            report(e.pos, "operator '" + std::string(op_name(out.op)) + "' does not fit " +
                              std::string(type_name(type)) + " field '" + out.field.name + "'");
            return out;
        }
        check_values(out, type);
        return out;
    }

    void check_values(const Expr& e, FieldType type) {
        for (const auto& v : e.values) {
            if (type == FieldType::Number && !is_number(v.text))
                report(v.pos, "'" + v.text + "' is not a number (" + e.field.name + " is a number field)");
            if (type == FieldType::Ip && !parse_ip_net(v.text))
                report(v.pos, "'" + v.text + "' is not an IP address or network");
            if ((e.op == CmpOp::BContains || e.op == CmpOp::BStartsWith) && !is_hex_bytes(v.text))
                report(v.pos, "'" + v.text + "' is not hex bytes (" + std::string(op_name(e.op)) +
                                  " takes them as hex: cafebabe)");
            if (e.op == CmpOp::Regex) {
                RE2 re(v.text, RE2::Quiet);
                if (!re.ok()) report(v.pos, "invalid regex '" + v.text + "': " + re.error());
            }
        }
    }

    const Definitions& defs_;
    std::vector<std::string> stack_;  // macros being resolved, outermost first
    std::map<std::string, Expr> resolved_;
};

}  // namespace

CheckResult check_condition(const Expr& parsed, const Definitions& defs) {
    Checker c(defs);
    CheckResult r;
    r.expr = c.resolve(parsed);
    r.errors = std::move(c.errors);
    return r;
}

}  // namespace kscope::rules
