// O_* and RESOLVE_* flags as text ("O_WRONLY|O_CREAT|O_TRUNC").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace kscope {

std::string open_flags_text(uint64_t flags);
std::string resolve_flags_text(uint64_t flags);
// The inverses: "O_WRONLY|O_CREAT|0x400000" -> the flags (names and 0x remainders ORed;
// "" is 0). An unknown name is an error naming it.
Result<uint64_t> parse_open_flags(std::string_view text);
Result<uint64_t> parse_resolve_flags(std::string_view text);
// True when the mode argument matters (O_CREAT or O_TMPFILE).
bool open_creates(uint64_t flags);

}  // namespace kscope
