// kscope's built-in rules (rules/default_rules.yaml, embedded at build time).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rules/ruleset.h"

namespace kscope::rules {

inline constexpr std::string_view kDefaultRulesName = "kscope-default-rules.yaml";
std::string_view default_rules_text();

// The built-in rules first (when wanted: files may append to them or override them by
// name), then the files in order, read from disk (errors name the file).
Result<std::vector<RulesSource>> rules_sources(bool built_in, const std::vector<std::string>& files);

}  // namespace kscope::rules
