// Resolves a parsed condition against the field catalog and the rule file's macros
// and lists: inlines macros, expands named lists, and reports every problem it finds
// with its position (unknown fields, unfit operators, bad values, undefined names,
// macro cycles).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "rules/condition_ast.h"

namespace kscope::rules {

struct Definitions {
    std::map<std::string, Expr, std::less<>> macros;                     // name -> parsed condition
    std::map<std::string, std::vector<std::string>, std::less<>> lists;  // name -> items (may name lists)
};

struct Diagnostic {
    Pos pos;             // inside the condition, or inside `macro`'s condition when set
    std::string macro;   // the macro the problem is in; empty: the condition itself
    std::string message;
    // A field Falco has and kscope does not: the rule is skipped, not refused.
    bool unavailable_field = false;
    std::string field;  // the unavailable field, as written
    // "1:17: unknown field 'proc.nam'" or "in macro 'spawned': 1:5: ..."
    std::string text() const;
};

struct CheckResult {
    Expr expr;  // macros inlined, lists expanded, fields canonical (evt.arg.flags -> evt.arg[flags])
    std::vector<Diagnostic> errors;
    bool ok() const { return errors.empty(); }
};

CheckResult check_condition(const Expr& parsed, const Definitions& defs);

}  // namespace kscope::rules
