#include "rules/condition_eval.h"

#include <arpa/inet.h>
#include <re2/re2.h>

#include <algorithm>
#include <charconv>

#include "rules/condition_parser.h"
#include "rules/field_catalog.h"
#include "rules/glob.h"

namespace kscope::rules {

struct CompiledCondition::Node {
    Expr::Kind kind = Expr::Kind::Compare;
    std::vector<Node> children;
    FieldRef field;
    FieldType type = FieldType::String;
    CmpOp op = CmpOp::Eq;
    std::string str;                 // the single value (lowercased for icontains)
    std::vector<std::string> strs;   // sorted: in, intersects; as written: pmatch
    int64_t num = 0;
    std::vector<int64_t> nums;       // sorted
    std::vector<IpNet> nets;
    std::shared_ptr<const RE2> re;
    Glob glob;
};

namespace {

using Node = CompiledCondition::Node;

std::optional<int64_t> to_number(std::string_view s) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool icontains(std::string_view hay, std::string_view needle_lower) {
    auto it = std::search(hay.begin(), hay.end(), needle_lower.begin(), needle_lower.end(),
                          [](char a, char b) { return lower(a) == b; });
    return it != hay.end();
}

// Path prefix: /etc matches /etc and /etc/passwd, not /etcfoo.
bool path_prefix(std::string_view path, std::string_view prefix) {
    if (path.substr(0, prefix.size()) != prefix) return false;
    return path.size() == prefix.size() || (!prefix.empty() && prefix.back() == '/') || path[prefix.size()] == '/';
}

// "cafebabe" -> the 4 bytes; nullopt when not an even number of hex digits.
std::optional<std::string> hex_bytes(std::string_view hex) {
    if (hex.empty() || hex.size() % 2) return std::nullopt;
    std::string out;
    for (size_t i = 0; i < hex.size(); i += 2) {
        unsigned v = 0;
        auto [end, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, v, 16);
        if (ec != std::errc() || end != hex.data() + i + 2) return std::nullopt;
        out += static_cast<char>(v);
    }
    return out;
}

bool sorted_has(const std::vector<std::string>& v, std::string_view s) {
    return std::binary_search(v.begin(), v.end(), s, std::less<>());
}

bool match_string(const Node& n, std::string_view s) {
    switch (n.op) {
        case CmpOp::Eq: return s == n.str;
        case CmpOp::Ne: return s != n.str;
        case CmpOp::In: return sorted_has(n.strs, s);
        case CmpOp::Contains: return s.find(n.str) != std::string_view::npos;
        case CmpOp::IContains: return icontains(s, n.str);
        case CmpOp::StartsWith: return s.substr(0, n.str.size()) == n.str;
        case CmpOp::EndsWith:
            return s.size() >= n.str.size() && s.substr(s.size() - n.str.size()) == n.str;
        case CmpOp::Glob: return n.glob.match(s);
        case CmpOp::PMatch:
            return std::any_of(n.strs.begin(), n.strs.end(), [&](const auto& p) { return path_prefix(s, p); });
        case CmpOp::Regex: return RE2::FullMatch(s, *n.re);
        case CmpOp::BContains: return s.find(n.str) != std::string_view::npos;
        case CmpOp::BStartsWith: return s.substr(0, n.str.size()) == n.str;
        case CmpOp::IGlob: {
            std::string folded(s);
            std::transform(folded.begin(), folded.end(), folded.begin(), lower);
            return n.glob.match(folded);
        }
        case CmpOp::Intersects: return sorted_has(n.strs, s);  // one value: as `in`
        default: return false;
    }
}

bool match_number(const Node& n, int64_t v) {
    switch (n.op) {
        case CmpOp::Eq: return v == n.num;
        case CmpOp::Ne: return v != n.num;
        case CmpOp::Lt: return v < n.num;
        case CmpOp::Le: return v <= n.num;
        case CmpOp::Gt: return v > n.num;
        case CmpOp::Ge: return v >= n.num;
        case CmpOp::In: return std::binary_search(n.nums.begin(), n.nums.end(), v);
        default: return false;
    }
}

bool in_nets(const Node& n, const IpAddr& a) {
    return std::any_of(n.nets.begin(), n.nets.end(), [&](const IpNet& net) { return net_contains(net, a); });
}

bool match_ip(const Node& n, const IpAddr& a) { return n.op == CmpOp::Ne ? !in_nets(n, a) : in_nets(n, a); }

bool match_list(const Node& n, const std::vector<std::string>& items) {
    switch (n.op) {
        case CmpOp::In:  // every element is among the values
            return std::all_of(items.begin(), items.end(), [&](const auto& s) { return sorted_has(n.strs, s); });
        case CmpOp::Intersects:
            return std::any_of(items.begin(), items.end(), [&](const auto& s) { return sorted_has(n.strs, s); });
        case CmpOp::Contains: return std::find(items.begin(), items.end(), n.str) != items.end();
        default: return false;
    }
}

// A string field with several values (proc.aname without index: every ancestor)
// matches if any value does, as in Falco; != means none is equal.
bool match_any_string(const Node& n, const std::vector<std::string>& items) {
    if (n.op == CmpOp::Ne)
        return std::none_of(items.begin(), items.end(), [&](const auto& s) { return s == n.str; });
    return std::any_of(items.begin(), items.end(), [&](const auto& s) { return match_string(n, s); });
}

bool eval_compare(const Node& n, const FieldSource& src) {
    auto value = src.get(n.field);
    if (!value) return false;
    if (n.op == CmpOp::Exists) return true;
    // Sources should give the catalog's type; other forms are converted rather than refused.
    switch (n.type) {
        case FieldType::Number:
            if (auto* v = std::get_if<int64_t>(&*value)) return match_number(n, *v);
            if (auto* s = std::get_if<std::string>(&*value))
                if (auto v = to_number(*s)) return match_number(n, *v);
            if (auto* s = std::get_if<std::string_view>(&*value))
                if (auto v = to_number(*s)) return match_number(n, *v);
            return false;
        case FieldType::Ip:
            if (auto* a = std::get_if<IpAddr>(&*value)) return match_ip(n, *a);
            if (auto* l = std::get_if<std::vector<std::string>>(&*value)) {
                // fd.ip, fd.net: either end matches; != holds when neither is among the values.
                bool any = std::any_of(l->begin(), l->end(), [&](const std::string& s) {
                    auto a = parse_ip(s);
                    return a && in_nets(n, *a);
                });
                return n.op == CmpOp::Ne ? !any : any;
            }
            if (auto* s = std::get_if<std::string>(&*value))
                if (auto a = parse_ip(*s)) return match_ip(n, *a);
            if (auto* s = std::get_if<std::string_view>(&*value))
                if (auto a = parse_ip(*s)) return match_ip(n, *a);
            return false;
        case FieldType::String:
        case FieldType::List:
            if (auto* l = std::get_if<std::vector<std::string>>(&*value))
                return n.type == FieldType::List ? match_list(n, *l) : match_any_string(n, *l);
            if (n.type == FieldType::List) return false;
            if (auto* sv = std::get_if<std::string_view>(&*value)) return match_string(n, *sv);
            if (auto* s = std::get_if<std::string>(&*value)) return match_string(n, *s);
            if (auto* v = std::get_if<int64_t>(&*value)) return match_string(n, std::to_string(*v));
            if (auto* a = std::get_if<IpAddr>(&*value)) return match_string(n, ip_text(*a));
            return false;
    }
    return false;
}

bool eval_node(const Node& n, const FieldSource& src) {
    switch (n.kind) {
        case Expr::Kind::And:
            return std::all_of(n.children.begin(), n.children.end(), [&](const Node& c) { return eval_node(c, src); });
        case Expr::Kind::Or:
            return std::any_of(n.children.begin(), n.children.end(), [&](const Node& c) { return eval_node(c, src); });
        case Expr::Kind::Not: return !eval_node(n.children[0], src);
        case Expr::Kind::Compare: return eval_compare(n, src);
        case Expr::Kind::Macro: return false;  // never after checking
    }
    return false;
}

// The order an `and` tests its terms in (it has no side effects, so any order gives the
// same answer): first what usually fails, cheaply (a file name, process name or path
// against a set), last evt.type, which the engine's prefilter has mostly settled already.
int and_rank(const Node& n) {
    if (n.kind != Expr::Kind::Compare) return 2;
    if (n.field.name == "evt.type") return 3;
    const bool selective = n.op == CmpOp::Eq || n.op == CmpOp::In || n.op == CmpOp::StartsWith ||
                           n.op == CmpOp::EndsWith || n.op == CmpOp::Intersects;
    return selective && !n.field.name.starts_with("evt.") ? 0 : 1;
}

Result<Node> compile_node(const Expr& e) {
    Node n;
    n.kind = e.kind;
    if (e.kind == Expr::Kind::Macro || !e.list_ref.empty())
        return Error{to_string(e.pos) + ": condition was not checked (macro or list left)"};
    for (const auto& c : e.children) {
        auto cn = compile_node(c);
        if (!cn) return cn.error();
        // a and (b and c) is a and b and c: one flat list to order.
        if (e.kind == Expr::Kind::And && cn->kind == Expr::Kind::And)
            for (auto& g : cn->children) n.children.push_back(std::move(g));
        else
            n.children.push_back(std::move(cn).value());
    }
    if (e.kind == Expr::Kind::And)
        std::stable_sort(n.children.begin(), n.children.end(),
                         [](const Node& a, const Node& b) { return and_rank(a) < and_rank(b); });
    if (e.kind != Expr::Kind::Compare) return n;
    const FieldInfo* info = find_field(e.field.name);
    if (!info) return Error{to_string(e.pos) + ": unknown field '" + e.field.name + "'"};
    n.field = e.field;
    n.op = e.op;
    n.type = info->type;
    if (e.op == CmpOp::Exists) return n;
    if (!op_takes_list(e.op) && e.values.size() != 1)
        return Error{to_string(e.pos) + ": expected one value"};
    for (const auto& v : e.values) {
        if (n.type == FieldType::Number) {
            auto num = to_number(v.text);
            if (!num) return Error{to_string(v.pos) + ": '" + v.text + "' is not a number"};
            n.nums.push_back(*num);
            n.num = *num;
        } else if (n.type == FieldType::Ip) {
            auto net = parse_ip_net(v.text);
            if (!net) return Error{to_string(v.pos) + ": '" + v.text + "' is not an IP address or network"};
            n.nets.push_back(*net);
        } else {
            n.strs.push_back(v.text);
            n.str = v.text;
        }
    }
    std::sort(n.nums.begin(), n.nums.end());
    if (e.op != CmpOp::PMatch) std::sort(n.strs.begin(), n.strs.end());
    if (e.op == CmpOp::IContains) std::transform(n.str.begin(), n.str.end(), n.str.begin(), lower);
    if (e.op == CmpOp::Glob) n.glob = Glob(n.str);
    if (e.op == CmpOp::IGlob) {
        std::transform(n.str.begin(), n.str.end(), n.str.begin(), lower);
        n.glob = Glob(n.str);
    }
    if (e.op == CmpOp::BContains || e.op == CmpOp::BStartsWith) {
        auto bytes = hex_bytes(n.str);
        if (!bytes)
            return Error{to_string(e.values[0].pos) + ": '" + n.str + "' is not hex bytes (" +
                         std::string(op_name(e.op)) + " takes them as hex: cafebabe)"};
        n.str = std::move(*bytes);
    }
    if (e.op == CmpOp::Regex) {
        auto re = std::make_shared<const RE2>(n.str, RE2::Quiet);
        if (!re->ok()) return Error{to_string(e.values[0].pos) + ": invalid regex '" + n.str + "': " + re->error()};
        n.re = std::move(re);
    }
    return n;
}

}  // namespace

Result<CompiledCondition> CompiledCondition::compile(const Expr& checked) {
    auto root = compile_node(checked);
    if (!root) return root.error();
    CompiledCondition c;
    c.root_ = std::make_shared<const Node>(std::move(root).value());
    return c;
}

bool CompiledCondition::eval(const FieldSource& source) const { return root_ && eval_node(*root_, source); }

Result<CompiledCondition> compile_condition(std::string_view text, const Definitions& defs) {
    auto parsed = parse_condition(text);
    if (!parsed) return parsed.error();
    auto checked = check_condition(parsed.value(), defs);
    if (!checked.ok()) {
        std::string all;
        for (const auto& d : checked.errors) all += (all.empty() ? "" : "\n") + d.text();
        return Error{all};
    }
    return CompiledCondition::compile(checked.expr);
}

}  // namespace kscope::rules
