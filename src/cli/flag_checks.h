// Validators for numeric flags that say in words what is wrong ("must be a positive
// number of seconds") instead of CLI11's range message with a 300-digit bound.
#pragma once

#include <CLI/CLI.hpp>

namespace kscope {

// A finite number of seconds above 0 (--duration, -i).
CLI::Validator positive_seconds();
// A whole number above 0 (--count).
CLI::Validator positive_whole_number();
// A whole number, 0 or more (--top).
CLI::Validator whole_number();

}  // namespace kscope
