// Rules files merged in order (lists, macros and rules; append and override across
// files, as Falco does), every rule's condition checked and compiled. A rule that needs a
// field kscope lacks is skipped with that reason; anything else wrong is an error at
// file:line:column and nothing is loaded.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "rules/condition_eval.h"
#include "rules/output_template.h"
#include "rules/source_text.h"
#include "util/result.h"

namespace kscope::rules {

enum class Priority { Emergency, Alert, Critical, Error, Warning, Notice, Informational, Debug };

// What a match does (kscope's `action:`): alert only, kill the process, or deny the call.
enum class Action { Alert, Kill, Deny };
std::string_view action_name(Action a);  // "alert", "kill", "deny"

std::string_view priority_name(Priority p);  // Falco's: "Warning", "Critical"
// Case-insensitive; accepts Falco's spellings (INFO, informational, warn...).
std::optional<Priority> parse_priority(std::string_view text);

struct Rule {
    std::string name;
    std::string desc;
    std::string output_text;
    Priority priority = Priority::Warning;
    std::vector<std::string> tags;
    SourceLoc loc;
    std::string condition_text;  // as merged (appends, exceptions), before macros are inlined
    CompiledCondition condition;
    std::shared_ptr<const Expr> checked;  // macros inlined, lists expanded (the kernel compiler reads it)
    Action action = Action::Alert;
    // The condition reads what the container runtime says (container.name, .image...),
    // which is unknown until it has answered: no action is taken on a guess.
    bool reads_container_meta = false;
    OutputTemplate output;
    // The evt.type values the condition can match; empty: any event (no prefilter).
    std::set<std::string> event_types;
};

// One line of `kscope rules check`: every rule, in the order first defined.
struct RuleStatus {
    std::string name;
    SourceLoc loc;
    bool loaded = false;
    std::string reason;  // why skipped
};

struct RuleSet {
    std::vector<Rule> rules;          // loaded (enabled and supported)
    std::vector<RuleStatus> status;   // every rule
    std::vector<std::string> warnings;
    size_t lists = 0, macros = 0;
};

struct RulesSource {
    std::string name;  // the file's path, or a name for built-in text
    std::string text;
};

// Errors list every problem, one per line, each starting with file:line:column.
Result<RuleSet> load_rules(const std::vector<RulesSource>& sources);

// Reads files from disk (errors name the file).
Result<std::vector<RulesSource>> read_rules_files(const std::vector<std::string>& paths);

// The evt.type values a checked condition can match; nullopt: any.
std::optional<std::set<std::string>> condition_event_types(const Expr& checked);

}  // namespace kscope::rules
