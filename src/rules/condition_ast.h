// The syntax tree of a Falco condition, as the parser builds it and the checker
// resolves it (macros inlined, named lists expanded, fields looked up).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kscope::rules {

// Inside the condition's own text; the YAML loader adds the file and offset later.
struct Pos {
    int line = 1;
    int column = 1;
    bool operator==(const Pos&) const = default;
};

std::string to_string(Pos pos);  // "1:17"

enum class CmpOp {
    Eq, Ne, Lt, Le, Gt, Ge,
    In, Intersects, PMatch,  // take a list
    Contains, IContains, StartsWith, EndsWith, Glob, Regex,
    BContains, BStartsWith, IGlob,  // bytes given in hex; glob ignoring case
    Exists,                  // takes nothing
};

std::string_view op_name(CmpOp op);  // as written in a condition: "=", "startswith"
bool op_takes_list(CmpOp op);

// proc.name, proc.aname[2], evt.arg.flags ("evt.arg" + "flags"), evt.arg[0].
struct FieldRef {
    std::string name;
    std::string arg;      // the part in brackets or after the base name; empty if none
    bool has_arg = false;
    Pos pos;
    int id = -1;          // index in field_catalog(), set by the checker: sources can switch on it
};

struct Value {
    std::string text;     // unescaped
    bool quoted = false;  // quoted values never name a list
    Pos pos;
};

struct Expr {
    enum class Kind { And, Or, Not, Compare, Macro };
    Kind kind = Kind::Compare;
    Pos pos;
    std::vector<Expr> children;  // And/Or: two or more; Not: one
    // Compare
    FieldRef field;
    CmpOp op = CmpOp::Eq;
    std::vector<Value> values;   // one for scalar ops, the items for list ops, none for exists
    std::string list_ref;        // `in my_list` without parentheses; the checker expands it
    Pos list_pos;                // where list_ref stands
    // Macro
    std::string macro;
};

// A compact S-expression, for tests and diagnostics:
// (and (= proc.name bash) (not (in evt.type [open openat])) @my_macro)
std::string to_string(const Expr& e);

}  // namespace kscope::rules
