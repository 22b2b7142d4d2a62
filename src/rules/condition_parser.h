// Parses a Falco condition into an Expr. Precedence as in Falco: not > and > or.
// Knows nothing about which fields exist: that is the checker's job.
#pragma once

#include <string_view>

#include "rules/condition_ast.h"
#include "util/result.h"

namespace kscope::rules {

// Errors carry the position inside `text`: "1:17: expected a value after 'in'".
Result<Expr> parse_condition(std::string_view text);

}  // namespace kscope::rules
