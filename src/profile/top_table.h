// The human summary of a profile: the functions that used the most, with self (the frame
// was the leaf) and total (anywhere on the stack) counts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "profile/symbolizer.h"

namespace kscope {

struct FunctionRow {
    std::string function;
    std::string module;
    bool kernel = false;
    uint64_t self = 0;   // samples with this function as the leaf
    uint64_t total = 0;  // samples with it anywhere (recursion counted once)
    bool operator==(const FunctionRow&) const = default;
};

struct TopFunctions {
    std::vector<FunctionRow> rows;  // by self, then total, descending; then by name
    uint64_t total = 0;             // all samples
};

// One row per (function, module).
TopFunctions top_functions(const std::vector<SymbolizedStack>& stacks);

// An aligned table of the first `limit` rows (0 = all):
//   SELF  SELF%  TOTAL  TOTAL%  MODULE  FUNCTION
// MODULE is the file's basename; kernel functions carry "[k]".
std::string write_top_table(const TopFunctions& top, size_t limit = 0);

}  // namespace kscope
