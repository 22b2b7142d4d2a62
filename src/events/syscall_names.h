// Syscall names of the architecture kscope was built for (table generated at build time).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kscope {

// "openat" for 257 on x86-64; "syscall_<nr>" for a number the table lacks.
std::string syscall_name(uint32_t nr);
std::optional<uint32_t> syscall_number(std::string_view name);

}  // namespace kscope
