#include "rules/ip_net.h"

#include <arpa/inet.h>

#include <charconv>
#include <string>

namespace kscope::rules {

std::optional<IpAddr> parse_ip(std::string_view text) {
    std::string s(text);
    IpAddr a;
    if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
        a.family = 4;
        return a;
    }
    if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
        a.family = 6;
        return a;
    }
    return std::nullopt;
}

std::optional<IpNet> parse_ip_net(std::string_view text) {
    auto slash = text.find('/');
    auto addr = parse_ip(text.substr(0, slash));
    if (!addr) return std::nullopt;
    int max = addr->family == 4 ? 32 : 128;
    IpNet net{*addr, max};
    if (slash == std::string_view::npos) return net;
    auto bits = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), net.prefix);
    if (ec != std::errc() || end != bits.data() + bits.size() || bits.empty() || net.prefix < 0 ||
        net.prefix > max)
        return std::nullopt;
    return net;
}

bool net_contains(const IpNet& net, const IpAddr& addr) {
    if (net.addr.family != addr.family) return false;
    int full = net.prefix / 8, rest = net.prefix % 8;
    for (int i = 0; i < full; ++i)
        if (net.addr.bytes[i] != addr.bytes[i]) return false;
    if (rest == 0) return true;
    uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
    return (net.addr.bytes[full] & mask) == (addr.bytes[full] & mask);
}

std::string ip_text(const IpAddr& a) {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(a.family == 4 ? AF_INET : AF_INET6, a.bytes.data(), buf, sizeof buf);
    return buf;
}

}  // namespace kscope::rules
