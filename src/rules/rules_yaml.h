// Reads a Falco rules file (YAML: a sequence of list, macro and rule entries) into
// plain items with their places in the file. No merging, no condition checking: that is
// ruleset.h's job, across every file in order.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rules/source_text.h"
#include "util/result.h"

namespace kscope::rules {

// A string with the place its YAML scalar starts.
struct LocatedText {
    std::string text;
    SourceLoc loc;
    std::shared_ptr<const FileText> file;  // for mapping positions inside text
    size_t raw_offset = 0;
};

struct ListEntry {
    std::string name;
    std::vector<std::string> items;
    bool append = false;
    SourceLoc loc;
};

struct MacroEntry {
    std::string name;
    LocatedText condition;
    bool append = false;
    SourceLoc loc;
};

// exceptions: one entry. fields as a list: values are tuples (one value per field);
// fields as one name: values are single values (comps defaults to `in` then).
struct ExceptionEntry {
    std::string name;
    std::vector<std::string> fields;
    bool fields_is_list = true;
    std::vector<std::string> comps;
    // values[i][j]: the j-th field's value in the i-th tuple; a value may itself be a
    // list (for in/pmatch/intersects).
    std::vector<std::vector<std::vector<std::string>>> values;
    std::vector<std::vector<bool>> value_is_list;
    SourceLoc loc;
};

struct RuleEntry {
    std::string name;
    std::optional<std::string> desc;
    std::optional<LocatedText> condition;
    std::optional<std::string> output;
    std::optional<LocatedText> priority;
    std::optional<std::vector<std::string>> tags;
    std::optional<bool> enabled;
    std::optional<std::vector<ExceptionEntry>> exceptions;
    std::optional<std::string> source;
    std::optional<LocatedText> action;  // kscope's: alert, kill, deny
    bool append = false;
    std::map<std::string, std::string> overrides;  // key -> append | replace
    SourceLoc loc;
};

struct RulesFileItem {
    enum class Kind { List, Macro, Rule } kind;
    ListEntry list;
    MacroEntry macro;
    RuleEntry rule;
};

struct ParsedRulesFile {
    std::vector<RulesFileItem> items;
    std::vector<std::string> warnings;  // "file:line:col: unknown key 'foo' in rule 'x' (ignored)"
};

// Errors: every problem found, one per line, each starting with file:line:column.
Result<ParsedRulesFile> parse_rules_yaml(std::shared_ptr<const FileText> file);

}  // namespace kscope::rules
