// Addresses as carried by the probes (16 bytes, IPv4 in the first 4) -> text.
#pragma once

#include <cstdint>
#include <string>

namespace kscope {

// family is AF_INET or AF_INET6; "" if the bytes are not an address of that family.
std::string ip_address_text(int family, const uint8_t* bytes);

}  // namespace kscope
