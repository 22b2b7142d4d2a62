#include "rules/output_template.h"

#include "rules/falco_fields.h"
#include "rules/field_catalog.h"

namespace kscope::rules {

namespace {

bool field_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
}

}  // namespace

std::string field_text(const FieldValue& value) {
    if (auto* s = std::get_if<std::string>(&value)) return *s;
    if (auto* v = std::get_if<std::string_view>(&value)) return std::string(*v);
    if (auto* n = std::get_if<int64_t>(&value)) return std::to_string(*n);
    if (auto* ip = std::get_if<IpAddr>(&value)) return ip_text(*ip);
    std::string out;
    for (const auto& item : std::get<std::vector<std::string>>(value)) out += (out.empty() ? "" : ",") + item;
    return out;
}

Result<OutputTemplate> OutputTemplate::compile(std::string_view text) {
    OutputTemplate t;
    std::string literal;
    for (size_t i = 0; i < text.size(); i++) {
        if (text[i] != '%' || i + 1 >= text.size() || !field_char(text[i + 1])) {
            literal += text[i];
            continue;
        }
        size_t end = i + 1;
        while (end < text.size() && field_char(text[end])) end++;
        while (end > i + 1 && text[end - 1] == '.') end--;  // "%proc.name." ends a sentence
        Part part{std::move(literal), {}, true};
        literal.clear();
        part.field.name = std::string(text.substr(i + 1, end - i - 1));
        if (end < text.size() && text[end] == '[') {
            size_t close = text.find(']', end);
            if (close == std::string_view::npos)
                return Error{"output: '[' after %" + part.field.name + " is not closed"};
            part.field.arg = std::string(text.substr(end + 1, close - end - 1));
            part.field.has_arg = true;
            end = close + 1;
        }
        const FieldInfo* info = find_field(part.field.name);
        if (!info && !part.field.has_arg) {
            // evt.arg.flags
            for (const auto& cand : field_catalog()) {
                std::string prefix = std::string(cand.name) + ".";
                if (cand.arg == FieldArg::Name && part.field.name.starts_with(prefix)) {
                    part.field.arg = part.field.name.substr(prefix.size());
                    part.field.name = std::string(cand.name);
                    part.field.has_arg = true;
                    info = &cand;
                    break;
                }
            }
        }
        if (info) {
            part.field.id = static_cast<int>(info - field_catalog().data());
        } else if (!is_falco_field(part.field.name) && part.field.name != "container.info" &&
                   part.field.name != "user.loginname") {
            return Error{"output: unknown field '%" + part.field.name + "'"};
        }
        t.parts_.push_back(std::move(part));
        i = end - 1;
    }
    if (!literal.empty()) t.parts_.push_back({std::move(literal), {}, false});
    return t;
}

std::string OutputTemplate::render(const FieldSource& source) const {
    std::string out;
    for (const auto& p : parts_) {
        out += p.literal;
        if (!p.has_field) continue;
        if (p.field.id < 0) {
            out += "<NA>";
            continue;
        }
        auto v = source.get(p.field);
        out += v ? field_text(*v) : "<NA>";
    }
    return out;
}

std::vector<std::string> OutputTemplate::field_names() const {
    std::vector<std::string> out;
    for (const auto& p : parts_)
        if (p.has_field) out.push_back(p.field.name + (p.field.has_arg ? "[" + p.field.arg + "]" : ""));
    return out;
}

}  // namespace kscope::rules
