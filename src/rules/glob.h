// fnmatch-like patterns for the `glob` operator: * (any run, '/' included, as Falco's
// fnmatch without FNM_PATHNAME), ? (one character), [abc], [a-z], [!x] / [^x], \x.
// Compiled once per rule, matched per event without allocating.
#pragma once

#include <bitset>
#include <string>
#include <string_view>
#include <vector>

namespace kscope::rules {

class Glob {
public:
    explicit Glob(std::string_view pattern = "");
    bool match(std::string_view s) const;

private:
    struct Part {
        enum Kind { Literal, AnyOne, Star, Class } kind;
        char c = 0;
        std::bitset<256> set;  // Class: the characters it accepts
    };
    bool part_matches(const Part& p, char c) const;
    std::vector<Part> parts_;
};

}  // namespace kscope::rules
