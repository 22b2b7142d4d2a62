#include "events/ip_address.h"

#include <arpa/inet.h>
#include <sys/socket.h>

namespace kscope {

std::string ip_address_text(int family, const uint8_t* bytes) {
    char text[INET6_ADDRSTRLEN] = {};
    if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, bytes, text, sizeof text))
        return "";
    return text;
}

std::optional<std::string> canonical_ip_address(const std::string& text) {
    uint8_t bytes[16] = {};
    for (int family : {AF_INET, AF_INET6})
        if (inet_pton(family, text.c_str(), bytes) == 1)
            return ip_address_text(family, bytes);
    return std::nullopt;
}

}  // namespace kscope
