// Folded stacks, the text that flamegraph.pl, speedscope and inferno read: one line per
// unique stack, "comm;root;...;leaf COUNT", kernel frames suffixed "_[k]".
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "profile/symbolizer.h"
#include "util/result.h"

namespace kscope {

inline constexpr std::string_view kKernelSuffix = "_[k]";

// "comm;root;...;leaf" -> count. Ordered, so output is stable.
using FoldedProfile = std::map<std::string, uint64_t>;

// One frame's folded name: ';' and line breaks replaced (they would split the line),
// "_[k]" appended to kernel frames.
std::string folded_frame(const Frame& f);
// The folded key of a stack: comm first ("[unknown]" when empty), then its frames.
std::string folded_key(const SymbolizedStack& s);
// Identical keys merged (different threads, or addresses in the same functions).
FoldedProfile fold(const std::vector<SymbolizedStack>& stacks);

// One line per stack, sorted by stack, newline-terminated.
std::string write_folded(const FoldedProfile& profile);
// Reads folded text back. Blank lines are skipped; a line without a trailing count is an
// error naming the line.
Result<FoldedProfile> parse_folded(std::string_view text);

// Splits a folded key into frames.
std::vector<std::string_view> split_folded(std::string_view key);
// Whether a folded frame is a kernel frame, and the name without the suffix.
bool is_kernel_frame(std::string_view frame);
std::string_view strip_kernel_suffix(std::string_view frame);

uint64_t total_count(const FoldedProfile& profile);

// Frames back from folded text without the comm ("f1;f2;leaf_[k]"), root first: names
// only (no addresses or files), for profiles kept as text.
std::vector<Frame> frames_from_folded(std::string_view stack);

}  // namespace kscope
