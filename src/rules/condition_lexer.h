// Splits a Falco condition into tokens. Keywords (and, in, startswith...) stay
// words: whether `in` is an operator or a value depends on where it stands. After an
// operator and inside `in (...)` bare values may hold <, > and ! (`evt.dir = <`).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rules/condition_ast.h"
#include "util/result.h"

namespace kscope::rules {

struct Token {
    enum class Kind { Word, String, LParen, RParen, Comma, Op, End };
    Kind kind = Kind::End;
    std::string text;  // a word, an unescaped string, or the operator ("=", "!=", "<=")
    Pos pos;
};

// Errors read "1:17: unterminated string".
Result<std::vector<Token>> tokenize(std::string_view text);

}  // namespace kscope::rules
