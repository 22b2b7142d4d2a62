#include "rules/condition_ast.h"

namespace kscope::rules {

std::string to_string(Pos pos) { return std::to_string(pos.line) + ":" + std::to_string(pos.column); }

std::string_view op_name(CmpOp op) {
    switch (op) {
        case CmpOp::Eq: return "=";
        case CmpOp::Ne: return "!=";
        case CmpOp::Lt: return "<";
        case CmpOp::Le: return "<=";
        case CmpOp::Gt: return ">";
        case CmpOp::Ge: return ">=";
        case CmpOp::In: return "in";
        case CmpOp::Intersects: return "intersects";
        case CmpOp::PMatch: return "pmatch";
        case CmpOp::Contains: return "contains";
        case CmpOp::IContains: return "icontains";
        case CmpOp::StartsWith: return "startswith";
        case CmpOp::EndsWith: return "endswith";
        case CmpOp::Glob: return "glob";
        case CmpOp::Regex: return "regex";
        case CmpOp::BContains: return "bcontains";
        case CmpOp::BStartsWith: return "bstartswith";
        case CmpOp::IGlob: return "iglob";
        case CmpOp::Exists: return "exists";
    }
    return "?";
}

bool op_takes_list(CmpOp op) { return op == CmpOp::In || op == CmpOp::Intersects || op == CmpOp::PMatch; }

namespace {

// Quoted only when needed, so simple trees read like the condition.
std::string value_text(const Value& v) {
    bool plain = !v.text.empty();
    for (char c : v.text)
        if (c == ' ' || c == '"' || c == '(' || c == ')' || c == '[' || c == ']' || c == '\\') plain = false;
    if (plain) return v.text;
    std::string out = "\"";
    for (char c : v.text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string field_text(const FieldRef& f) {
    if (!f.has_arg) return f.name;
    return f.name + "[" + f.arg + "]";
}

}  // namespace

std::string to_string(const Expr& e) {
    switch (e.kind) {
        case Expr::Kind::And:
        case Expr::Kind::Or: {
            std::string out = e.kind == Expr::Kind::And ? "(and" : "(or";
            for (const auto& c : e.children) out += " " + to_string(c);
            return out + ")";
        }
        case Expr::Kind::Not: return "(not " + to_string(e.children.at(0)) + ")";
        case Expr::Kind::Macro: return "@" + e.macro;
        case Expr::Kind::Compare: {
            std::string out = "(" + std::string(op_name(e.op)) + " " + field_text(e.field);
            if (!e.list_ref.empty()) return out + " @" + e.list_ref + ")";
            if (op_takes_list(e.op)) {
                out += " [";
                for (size_t i = 0; i < e.values.size(); ++i) out += (i ? " " : "") + value_text(e.values[i]);
                return out + "])";
            }
            for (const auto& v : e.values) out += " " + value_text(v);
            return out + ")";
        }
    }
    return "?";
}

}  // namespace kscope::rules
