#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "events/ip_address.h"
#include "events/decode.h"
#include "kscope/abi/tcp.h"
#include "sinks/event_json.h"

namespace kscope {
namespace {

std::vector<std::byte> raw_tcp(uint8_t kind, uint16_t family) {
    kscope_tcp_event e{};
    e.hdr.type = KSCOPE_EVENT_TCP;
    e.hdr.size = sizeof e;
    e.hdr.pid = 42;
    e.kind = kind;
    e.family = family;
    e.sport = 40000;
    e.dport = 443;
    if (family == AF_INET) {
        inet_pton(AF_INET, "10.0.0.1", e.saddr);
        inet_pton(AF_INET, "10.0.0.2", e.daddr);
    } else {
        inet_pton(AF_INET6, "fd00::1", e.saddr);
        inet_pton(AF_INET6, "fd00::2", e.daddr);
    }
    e.latency_ns = 1000;
    e.duration_ns = 5000;
    e.bytes_sent = 10;
    e.bytes_received = 20;
    e.closed_by = KSCOPE_TCP_CLOSER_REMOTE;
    std::vector<std::byte> raw(sizeof e);
    std::memcpy(raw.data(), &e, sizeof e);
    return raw;
}

TEST(DecodeTcp, CloseIpv4) {
    auto e = decode_tcp(raw_tcp(KSCOPE_TCP_CLOSE, AF_INET), {});
    ASSERT_TRUE(e.ok()) << e.error().message;
    EXPECT_STREQ(e->event, "close");
    EXPECT_STREQ(e->family, "ipv4");
    EXPECT_EQ(e->saddr, "10.0.0.1");
    EXPECT_EQ(e->daddr, "10.0.0.2");
    EXPECT_STREQ(e->closed_by, "remote");
    std::string out;
    append_event_json(out, Event(*e));
    auto j = nlohmann::json::parse(out);
    EXPECT_EQ(j["type"], "tcp_close");
    EXPECT_EQ(j["sport"], 40000);
    EXPECT_EQ(j["dport"], 443);
    EXPECT_EQ(j["bytes_sent"], 10);
    EXPECT_EQ(j["bytes_received"], 20);
    EXPECT_EQ(j["duration_ns"], 5000);
    EXPECT_EQ(j["closed_by"], "remote");
    EXPECT_FALSE(j.contains("ret"));
}

TEST(DecodeTcp, ConnectIpv6WithError) {
    auto raw = raw_tcp(KSCOPE_TCP_CONNECT, AF_INET6);
    reinterpret_cast<kscope_tcp_event*>(raw.data())->error = -111;
    auto e = decode_tcp(raw, {});
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->saddr, "fd00::1");
    std::string out;
    append_event_json(out, Event(*e));
    auto j = nlohmann::json::parse(out);
    EXPECT_EQ(j["type"], "tcp_connect");
    EXPECT_EQ(j["family"], "ipv6");
    EXPECT_EQ(j["ret"], -111);
    EXPECT_EQ(j["error"], "ECONNREFUSED");
    EXPECT_FALSE(j.contains("bytes_sent"));
}

TEST(DecodeTcp, RejectsUnknownKindOrFamily) {
    EXPECT_FALSE(decode_tcp(raw_tcp(9, AF_INET), {}).ok());
    EXPECT_FALSE(decode_tcp(raw_tcp(KSCOPE_TCP_CLOSE, 99), {}).ok());
}

}  // namespace
}  // namespace kscope

namespace kscope {
namespace {

TEST(IpAddress, UserAddressesInTheFormEventsCarry) {
    EXPECT_EQ(canonical_ip_address("127.0.0.1"), "127.0.0.1");
    EXPECT_EQ(canonical_ip_address("::0:1"), "::1");
    EXPECT_EQ(canonical_ip_address("FD00:0::0001"), "fd00::1");
    EXPECT_FALSE(canonical_ip_address("bogus").has_value());
    EXPECT_FALSE(canonical_ip_address("10.0.0").has_value());
    EXPECT_FALSE(canonical_ip_address("").has_value());
}

}  // namespace
}  // namespace kscope
