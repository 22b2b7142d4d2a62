// Text forms shared by the human-readable tables (JSON keeps the exact values).
#pragma once

#include <cstdint>
#include <string>

namespace kscope {

// Byte counts in the unit that keeps small flows visible: "512 B", "1.5 KiB", "20.0 MiB".
std::string human_bytes(uint64_t bytes);

// addr:port, [v6addr]:port, addr alone when the port is 0, "-" when the address is unknown.
std::string endpoint_text(const std::string& addr, uint16_t port);

}  // namespace kscope
