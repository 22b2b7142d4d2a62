// Field names Falco's syscall source defines, so that a rule written for Falco that uses
// one kscope lacks is skipped with that reason, while a misspelt name is an error.
#pragma once

#include <string_view>

namespace kscope::rules {

// True for a Falco field name (base name, without [arg] or .arg suffixes of argument fields).
bool is_falco_field(std::string_view name);

}  // namespace kscope::rules
