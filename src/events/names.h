// Symbolic names for errno values and signals ("ENOENT", "SIGKILL").
#pragma once

#include <string>

namespace kscope {

// "ENOENT" for 2 or -2; "E<n>" for an unknown number; "" for 0.
std::string errno_name(int err);
// "SIGKILL" for 9; "SIG<n>" for an unknown number; "" for 0.
std::string signal_name(int sig);

}  // namespace kscope
