// O_* and RESOLVE_* flags as text ("O_WRONLY|O_CREAT|O_TRUNC").
#pragma once

#include <cstdint>
#include <string>

namespace kscope {

std::string open_flags_text(uint64_t flags);
std::string resolve_flags_text(uint64_t flags);
// True when the mode argument matters (O_CREAT or O_TMPFILE).
bool open_creates(uint64_t flags);

}  // namespace kscope
