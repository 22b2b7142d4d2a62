// Evaluates a checked condition against one event's fields. Everything that can be
// prepared is prepared by compile(): values parsed, lists sorted, regexes and globs
// compiled, so evaluating does no string parsing.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "rules/condition_ast.h"
#include "rules/condition_check.h"
#include "rules/ip_net.h"
#include "util/result.h"

namespace kscope::rules {

// What a field holds for one event: string and list fields give std::string and
// std::vector<std::string>, number fields int64_t, ip fields IpAddr. A string field
// with several values (proc.aname without index: every ancestor) may give a vector:
// it matches if any value does. A std::string_view points into the event or the
// process table, which outlive the evaluation: the hot fields need no copy.
using FieldValue = std::variant<std::string, int64_t, IpAddr, std::vector<std::string>, std::string_view>;

// The event side. Missing fields (no fd on this event, no container...) give nullopt:
// every comparison on them is false and `exists` is false.
struct FieldSource {
    virtual ~FieldSource() = default;
    virtual std::optional<FieldValue> get(const FieldRef& field) const = 0;  // field.id: catalog index
};

class CompiledCondition {
public:
    // `checked` must come from a CheckResult without errors.
    static Result<CompiledCondition> compile(const Expr& checked);
    bool eval(const FieldSource& source) const;

    struct Node;  // defined in condition_eval.cpp

private:
    std::shared_ptr<const Node> root_;  // immutable: copies share it, evaluation is thread-safe
};

// parse + check + compile; every problem in one error, one per line.
Result<CompiledCondition> compile_condition(std::string_view text, const Definitions& defs = {});

}  // namespace kscope::rules
