// Addresses as carried by the probes (16 bytes, IPv4 in the first 4) -> text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace kscope {

// family is AF_INET or AF_INET6; "" if the bytes are not an address of that family.
std::string ip_address_text(int family, const uint8_t* bytes);

// An IPv4 or IPv6 address typed by a user, in the form ip_address_text gives it
// ("::0:1" -> "::1"); nullopt if it is not an address.
std::optional<std::string> canonical_ip_address(const std::string& text);

}  // namespace kscope
