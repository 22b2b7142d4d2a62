#include "rules/condition_lexer.h"

namespace kscope::rules {

namespace {

// Bare words stop where Falco's do: blanks, parentheses, commas, comparison signs, quotes.
bool word_char(char c) {
    switch (c) {
        case ' ': case '\t': case '\n': case '\r': case '\f': case '\v':
        case '(': case ')': case ',': case '=': case '<': case '>': case '!': case '"': case '\'':
            return false;
        default:
            return true;
    }
}

// Values may hold '<', '>' and '!' (Falco's `evt.dir = <`, `fd.name = <NA>`), so after
// an operator a bare word only stops at blanks, parentheses, commas, '=' and quotes.
bool value_char(char c) { return word_char(c) || c == '<' || c == '>' || c == '!'; }

Error error_at(Pos pos, const std::string& message) { return Error{to_string(pos) + ": " + message}; }

}  // namespace

Result<std::vector<Token>> tokenize(std::string_view text) {
    std::vector<Token> out;
    Pos pos;
    size_t i = 0;
    auto advance = [&](size_t n) {
        for (size_t k = 0; k < n && i < text.size(); ++k, ++i) {
            if (text[i] == '\n') {
                ++pos.line;
                pos.column = 1;
            } else {
                ++pos.column;
            }
        }
    };
    bool in_value_list = false;  // inside `in (...)`: every word is a value
    while (i < text.size()) {
        char c = text[i];
        Pos start = pos;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            advance(1);
        } else if (c == '(' || c == ')' || c == ',') {
            if (c == '(' && !out.empty() && out.back().kind == Token::Kind::Word)
                in_value_list = out.back().text == "in" || out.back().text == "intersects" ||
                                out.back().text == "pmatch";
            if (c == ')') in_value_list = false;
            out.push_back({c == '(' ? Token::Kind::LParen : c == ')' ? Token::Kind::RParen : Token::Kind::Comma,
                           std::string(1, c), start});
            advance(1);
        } else if (c == '=' || ((c == '<' || c == '>' || c == '!') && !in_value_list && !out.empty() &&
                                out.back().kind == Token::Kind::Word)) {
            bool two = i + 1 < text.size() && text[i + 1] == '=';
            if (c == '!' && !two) return error_at(start, "'!' must be followed by '=' (use 'not' to negate)");
            out.push_back({Token::Kind::Op, std::string(text.substr(i, two ? 2 : 1)), start});
            advance(two ? 2 : 1);
        } else if (c == '"' || c == '\'') {
            std::string value;
            advance(1);
            bool closed = false;
            while (i < text.size()) {
                char d = text[i];
                if (d == c) {
                    advance(1);
                    closed = true;
                    break;
                }
                if (d == '\\') {
                    if (i + 1 >= text.size()) break;
                    Pos esc = pos;
                    char e = text[i + 1];
                    switch (e) {
                        case 'n': value += '\n'; break;
                        case 't': value += '\t'; break;
                        case 'r': value += '\r'; break;
                        case 'b': value += '\b'; break;
                        case 'f': value += '\f'; break;
                        case '\\': case '"': case '\'': case '/': value += e; break;
                        // libsinsp reads "\ " as a backslash (Falco's sudo rule relies on it).
                        case ' ': value += '\\'; break;
                        default:
                            return error_at(esc, std::string("unknown escape '\\") + e + "' in string");
                    }
                    advance(2);
                    continue;
                }
                value += d;
                advance(1);
            }
            if (!closed) return error_at(start, "unterminated string");
            out.push_back({Token::Kind::String, std::move(value), start});
        } else {
            size_t begin = i;
            // Brackets belong to the word: proc.aname[2], evt.arg[0].
            bool value = in_value_list || !word_char(c) || (!out.empty() && out.back().kind == Token::Kind::Op);
            while (i < text.size() && (value ? value_char(text[i]) : word_char(text[i]))) advance(1);
            out.push_back({Token::Kind::Word, std::string(text.substr(begin, i - begin)), start});
        }
    }
    out.push_back({Token::Kind::End, "", pos});
    return out;
}

}  // namespace kscope::rules
