// A rule's output: Falco's text with %field references (%proc.name, %proc.aname[2],
// %evt.arg.flags), filled from the event that matched. Fields Falco has and kscope does
// not print as <NA>, as Falco prints a field an event lacks.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rules/condition_ast.h"
#include "rules/condition_eval.h"
#include "util/result.h"

namespace kscope::rules {

class OutputTemplate {
public:
    // Fails on a field neither kscope nor Falco knows.
    static Result<OutputTemplate> compile(std::string_view text);
    std::string render(const FieldSource& source) const;
    // The fields referenced, for `rules list`.
    std::vector<std::string> field_names() const;

private:
    struct Part {
        std::string literal;  // text before the field
        FieldRef field;       // id < 0: none (trailing text) or a field kscope lacks
        bool has_field = false;
    };
    std::vector<Part> parts_;
};

// A field value as output text (lists joined with commas, IPs in their usual form).
std::string field_text(const FieldValue& value);

}  // namespace kscope::rules
