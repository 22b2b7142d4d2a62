// The fields kscope's rules can test, their types, and which operators fit each type.
// One table, so the checker, the evaluator and (later) the docs agree.
#pragma once

#include <span>
#include <string_view>

#include "rules/condition_ast.h"

namespace kscope::rules {

enum class FieldType { String, Number, Ip, List };

// What may follow the base name.
enum class FieldArg {
    None,           // proc.name
    Index,          // proc.aname[2]: a non-negative number; optional (no index: any ancestor)
    Name,           // evt.arg.flags, evt.arg[flags] or evt.arg[0]: required
};

struct FieldInfo {
    std::string_view name;
    FieldType type;
    FieldArg arg;
    std::string_view description;
};

std::span<const FieldInfo> field_catalog();
const FieldInfo* find_field(std::string_view name);  // by base name; nullptr if unknown

std::string_view type_name(FieldType type);  // "string", "number", "ip", "list"
bool op_fits(FieldType type, CmpOp op);

}  // namespace kscope::rules
