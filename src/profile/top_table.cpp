#include "profile/top_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace kscope {
namespace {

double percent(uint64_t part, uint64_t whole) { return whole ? 100.0 * double(part) / double(whole) : 0.0; }

}  // namespace

TopFunctions top_functions(const std::vector<SymbolizedStack>& stacks) {
    TopFunctions out;
    std::map<std::pair<std::string, std::string>, FunctionRow> rows;
    for (const auto& s : stacks) {
        out.total += s.count;
        std::set<std::pair<std::string, std::string>> seen;  // recursion counts once per stack
        for (size_t i = 0; i < s.frames.size(); i++) {
            const Frame& f = s.frames[i];
            auto key = std::make_pair(f.function, f.module);
            auto& row = rows[key];
            if (row.function.empty()) {
                row.function = f.function;
                row.module = f.module;
                row.kernel = f.kernel;
            }
            if (seen.insert(key).second)
                row.total += s.count;
            if (i + 1 == s.frames.size())
                row.self += s.count;
        }
    }
    for (auto& [key, row] : rows)
        out.rows.push_back(std::move(row));
    std::stable_sort(out.rows.begin(), out.rows.end(), [](const FunctionRow& a, const FunctionRow& b) {
        if (a.self != b.self)
            return a.self > b.self;
        return a.total > b.total;
    });
    return out;
}

std::string write_top_table(const TopFunctions& top, size_t limit) {
    std::string out;
    auto o = std::back_inserter(out);
    fmt::format_to(o, "{:>10} {:>7} {:>10} {:>7}  {:<20} {}\n", "SELF", "SELF%", "TOTAL", "TOTAL%", "MODULE", "FUNCTION");
    const size_t n = limit == 0 ? top.rows.size() : std::min(limit, top.rows.size());
    for (size_t i = 0; i < n; i++) {
        const FunctionRow& r = top.rows[i];
        const std::string module = r.kernel ? r.module : path_basename(r.module);
        fmt::format_to(o, "{:>10} {:>6.2f}% {:>10} {:>6.2f}%  {:<20} {}{}\n", r.self, percent(r.self, top.total),
                       r.total, percent(r.total, top.total), module.empty() ? std::string_view("-") : module,
                       r.function, r.kernel ? " [k]" : "");
    }
    return out;
}

}  // namespace kscope
