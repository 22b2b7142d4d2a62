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

}  // namespace kscope
