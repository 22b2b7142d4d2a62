// IP addresses and networks for ip fields: fd.sip = 10.0.0.1, fd.dip in (10.0.0.0/8, ::1).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kscope::rules {

struct IpAddr {
    int family = 4;  // 4 or 6
    std::array<uint8_t, 16> bytes{};  // IPv4 in the first 4
    bool operator==(const IpAddr&) const = default;
};

struct IpNet {
    IpAddr addr;
    int prefix = 32;  // bits that must match; 32 or 128 for a single address
};

std::optional<IpAddr> parse_ip(std::string_view text);
std::optional<IpNet> parse_ip_net(std::string_view text);  // "1.2.3.4", "10.0.0.0/8", "fe80::/10"
bool net_contains(const IpNet& net, const IpAddr& addr);
std::string ip_text(const IpAddr& addr);  // "10.1.2.3", "2001:db8::1"

}  // namespace kscope::rules
