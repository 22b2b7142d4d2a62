#include "rules/condition_parser.h"

#include <optional>

#include "rules/condition_lexer.h"

namespace kscope::rules {

namespace {

std::optional<CmpOp> op_from(const Token& t) {
    if (t.kind == Token::Kind::Op) {
        if (t.text == "=") return CmpOp::Eq;
        if (t.text == "!=") return CmpOp::Ne;
        if (t.text == "<") return CmpOp::Lt;
        if (t.text == "<=") return CmpOp::Le;
        if (t.text == ">") return CmpOp::Gt;
        if (t.text == ">=") return CmpOp::Ge;
        return std::nullopt;  // "==" is not Falco
    }
    if (t.kind != Token::Kind::Word) return std::nullopt;
    static constexpr std::pair<std::string_view, CmpOp> kWords[] = {
        {"in", CmpOp::In},           {"intersects", CmpOp::Intersects}, {"pmatch", CmpOp::PMatch},
        {"contains", CmpOp::Contains}, {"icontains", CmpOp::IContains}, {"startswith", CmpOp::StartsWith},
        {"endswith", CmpOp::EndsWith}, {"glob", CmpOp::Glob},           {"regex", CmpOp::Regex},
        {"exists", CmpOp::Exists},     {"bcontains", CmpOp::BContains}, {"bstartswith", CmpOp::BStartsWith},
        {"iglob", CmpOp::IGlob},
    };
    for (const auto& [w, op] : kWords)
        if (t.text == w) return op;
    return std::nullopt;
}

bool is_bool_word(const Token& t) {
    return t.kind == Token::Kind::Word && (t.text == "and" || t.text == "or");
}

std::string describe(const Token& t) {
    switch (t.kind) {
        case Token::Kind::End: return "the end";
        case Token::Kind::String: return "a string";
        default: return "'" + t.text + "'";
    }
}

// proc.aname[2] -> ("proc.aname", "2"); dotted arguments (evt.arg.flags) are split by
// the checker, which knows the field names.
Result<FieldRef> field_from(const Token& t) {
    FieldRef f{t.text, "", false, t.pos};
    auto open = t.text.find('[');
    if (open == std::string::npos) {
        if (t.text.find(']') != std::string::npos)
            return Error{to_string(t.pos) + ": unbalanced ']' in field '" + t.text + "'"};
        return f;
    }
    if (t.text.back() != ']' || t.text.find(']') != t.text.size() - 1 || open == 0)
        return Error{to_string(t.pos) + ": malformed field '" + t.text + "'"};
    f.name = t.text.substr(0, open);
    f.arg = t.text.substr(open + 1, t.text.size() - open - 2);
    f.has_arg = true;
    return f;
}

class Parser {
public:
    explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

    Result<Expr> parse() {
        auto e = parse_or();
        if (!e) return e;
        if (peek().kind != Token::Kind::End)
            return fail(peek(), "expected 'and', 'or' or the end, found " + describe(peek()));
        return e;
    }

private:
    const Token& peek(size_t ahead = 0) const { return t_[std::min(i_ + ahead, t_.size() - 1)]; }
    const Token& next() {
        const Token& t = peek();
        if (i_ < t_.size() - 1) ++i_;
        return t;
    }
    static Error fail(const Token& at, const std::string& message) {
        return Error{to_string(at.pos) + ": " + message};
    }
    bool at_word(std::string_view w) const { return peek().kind == Token::Kind::Word && peek().text == w; }

    // Chains flatten: a or b or c is one Or with three children.
    Result<Expr> parse_chain(Expr::Kind kind, std::string_view word, Result<Expr> (Parser::*sub)()) {
        auto first = (this->*sub)();
        if (!first || !at_word(word)) return first;
        Expr chain;
        chain.kind = kind;
        chain.pos = first->pos;
        chain.children.push_back(std::move(first).value());
        while (at_word(word)) {
            next();
            auto rhs = (this->*sub)();
            if (!rhs) return rhs;
            chain.children.push_back(std::move(rhs).value());
        }
        return chain;
    }

    Result<Expr> parse_or() { return parse_chain(Expr::Kind::Or, "or", &Parser::parse_and); }
    Result<Expr> parse_and() { return parse_chain(Expr::Kind::And, "and", &Parser::parse_not); }

    // Rule files come from users: bound the recursion instead of trusting them.
    static constexpr int kMaxDepth = 256;

    Result<Expr> parse_not() {
        if (!at_word("not")) return parse_primary();
        Token kw = next();
        if (++depth_ > kMaxDepth) return fail(kw, "condition nested deeper than 256 levels");
        auto inner = parse_not();
        --depth_;
        if (!inner) return inner;
        Expr e;
        e.kind = Expr::Kind::Not;
        e.pos = kw.pos;
        e.children.push_back(std::move(inner).value());
        return e;
    }

    Result<Expr> parse_primary() {
        const Token& t = peek();
        if (t.kind == Token::Kind::LParen) {
            Token open = next();
            if (++depth_ > kMaxDepth) return fail(open, "condition nested deeper than 256 levels");
            auto inner = parse_or();
            --depth_;
            if (!inner) return inner;
            if (peek().kind != Token::Kind::RParen)
                return fail(peek(), "expected ')' to close the '(' at " + to_string(open.pos) + ", found " +
                                        describe(peek()));
            next();
            return inner;
        }
        if (t.kind != Token::Kind::Word || is_bool_word(t) || op_from(t))
            return fail(t, "expected a condition, found " + describe(t));
        Token word = next();
        if (auto op = op_from(peek())) return parse_compare(word, *op);
        if (word.text.find('.') == std::string::npos && word.text.find('[') == std::string::npos) {
            Expr e;
            e.kind = Expr::Kind::Macro;
            e.pos = word.pos;
            e.macro = word.text;
            return e;
        }
        return fail(peek(), "expected an operator after '" + word.text + "', found " + describe(peek()));
    }

    Result<Expr> parse_compare(const Token& field_tok, CmpOp op) {
        auto field = field_from(field_tok);
        if (!field) return field.error();
        Token op_tok = next();
        Expr e;
        e.kind = Expr::Kind::Compare;
        e.pos = field_tok.pos;
        e.field = std::move(field).value();
        e.op = op;
        if (op == CmpOp::Exists) return e;
        const Token& v = peek();
        std::string missing = "expected a value after '" + op_tok.text + "'";
        if (!op_takes_list(op)) {
            if ((v.kind != Token::Kind::Word && v.kind != Token::Kind::String) || is_bool_word(v))
                return fail(v, missing + ", found " + describe(v));
            Token val = next();
            e.values.push_back({val.text, val.kind == Token::Kind::String, val.pos});
            return e;
        }
        if (v.kind == Token::Kind::Word && !is_bool_word(v)) {  // `in my_list`
            e.list_pos = v.pos;
            e.list_ref = next().text;
            return e;
        }
        if (v.kind != Token::Kind::LParen) return fail(v, missing + ", found " + describe(v));
        Token open = next();
        if (peek().kind == Token::Kind::RParen) {
            next();
            return e;
        }
        while (true) {
            const Token& item = peek();
            if (item.kind != Token::Kind::Word && item.kind != Token::Kind::String)
                return fail(item, "expected a list item, found " + describe(item));
            Token it = next();
            e.values.push_back({it.text, it.kind == Token::Kind::String, it.pos});
            if (peek().kind == Token::Kind::Comma) {
                next();
                continue;
            }
            if (peek().kind == Token::Kind::RParen) {
                next();
                return e;
            }
            return fail(peek(), "expected ',' or ')' in the list opened at " + to_string(open.pos) + ", found " +
                                    describe(peek()));
        }
    }

    std::vector<Token> t_;
    size_t i_ = 0;
    int depth_ = 0;
};

}  // namespace

Result<Expr> parse_condition(std::string_view text) {
    auto tokens = tokenize(text);
    if (!tokens) return tokens.error();
    return Parser(std::move(tokens).value()).parse();
}

}  // namespace kscope::rules
