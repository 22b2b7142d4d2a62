#include "rules/glob.h"

namespace kscope::rules {

Glob::Glob(std::string_view pat) {
    for (size_t i = 0; i < pat.size(); ++i) {
        char c = pat[i];
        if (c == '*') {
            if (parts_.empty() || parts_.back().kind != Part::Star) parts_.push_back({Part::Star});
        } else if (c == '?') {
            parts_.push_back({Part::AnyOne});
        } else if (c == '\\' && i + 1 < pat.size()) {
            parts_.push_back({Part::Literal, pat[++i]});
        } else if (c == '[') {
            // Find the closing ']' (a ']' right after '[' or '[!' is a member); none: literal '['.
            size_t j = i + 1;
            bool negate = j < pat.size() && (pat[j] == '!' || pat[j] == '^');
            if (negate) ++j;
            size_t first = j;
            if (j < pat.size() && pat[j] == ']') ++j;
            while (j < pat.size() && pat[j] != ']') ++j;
            if (j >= pat.size()) {
                parts_.push_back({Part::Literal, c});
                continue;
            }
            Part p{Part::Class};
            for (size_t k = first; k < j; ++k) {
                auto lo = static_cast<unsigned char>(pat[k]);
                if (k + 2 < j && pat[k + 1] == '-') {
                    auto hi = static_cast<unsigned char>(pat[k + 2]);
                    for (unsigned x = lo; x <= hi; ++x) p.set.set(x);
                    k += 2;
                } else {
                    p.set.set(lo);
                }
            }
            if (negate) p.set.flip();
            parts_.push_back(p);
            i = j;
        } else {
            parts_.push_back({Part::Literal, c});
        }
    }
}

bool Glob::part_matches(const Part& p, char c) const {
    switch (p.kind) {
        case Part::Literal: return p.c == c;
        case Part::AnyOne: return true;
        case Part::Class: return p.set.test(static_cast<unsigned char>(c));
        case Part::Star: return false;
    }
    return false;
}

// Greedy with one backtrack point: the last star. Linear-ish, no recursion.
bool Glob::match(std::string_view s) const {
    size_t p = 0, i = 0;
    size_t star_p = std::string::npos, star_i = 0;
    while (i < s.size()) {
        if (p < parts_.size() && parts_[p].kind == Part::Star) {
            star_p = p++;
            star_i = i;
        } else if (p < parts_.size() && part_matches(parts_[p], s[i])) {
            ++p;
            ++i;
        } else if (star_p != std::string::npos) {
            p = star_p + 1;
            i = ++star_i;
        } else {
            return false;
        }
    }
    while (p < parts_.size() && parts_[p].kind == Part::Star) ++p;
    return p == parts_.size();
}

}  // namespace kscope::rules
