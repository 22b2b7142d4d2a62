// kscope's built-in rules (rules/default_rules.yaml, embedded at build time).
#pragma once

#include <string_view>

namespace kscope::rules {

inline constexpr std::string_view kDefaultRulesName = "kscope-default-rules.yaml";
std::string_view default_rules_text();

}  // namespace kscope::rules
