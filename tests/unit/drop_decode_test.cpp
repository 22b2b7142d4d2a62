#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>

#include "events/decode.h"
#include "events/drop_reasons.h"
#include "kscope/abi/drops.h"

namespace kscope {
namespace {

TEST(DropReasons, NamedFromKernelBtfWithoutPrefix) {
    auto reasons = DropReasons::load();
    ASSERT_TRUE(reasons.ok()) << reasons.error().message;
    EXPECT_EQ(reasons->name(2), "NOT_SPECIFIED");
    EXPECT_EQ(reasons->name(3), "NO_SOCKET");
    EXPECT_EQ(reasons->name(100000), "REASON_100000");
    EXPECT_FALSE(DropReasons::load("/nonexistent/btf").ok());
}

TEST(DecodeDrop, Ipv6UdpWithPorts) {
    kscope_drop_event e{};
    e.hdr.type = KSCOPE_EVENT_DROP;
    e.hdr.size = sizeof e;
    e.reason = 3;
    e.protocol = 0x86DD;
    e.l4_protocol = 17;
    e.has_addrs = 1;
    inet_pton(AF_INET6, "fd00::1", e.saddr);
    inet_pton(AF_INET6, "fd00::2", e.daddr);
    e.sport = 1000;
    e.dport = 53;
    std::vector<std::byte> raw(sizeof e);
    std::memcpy(raw.data(), &e, sizeof e);
    auto d = decode_drop(raw, {});
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->reason_code, 3u);
    EXPECT_EQ(d->protocol, "ipv6");
    EXPECT_EQ(d->l4_protocol, "udp");
    EXPECT_EQ(d->saddr, "fd00::1");
    EXPECT_EQ(d->dport, 53);

    e.has_addrs = 0;
    e.protocol = 0x88cc;
    std::memcpy(raw.data(), &e, sizeof e);
    auto lldp = decode_drop(raw, {});
    EXPECT_EQ(lldp->protocol, "0x88cc");
    EXPECT_EQ(lldp->saddr, "");
    EXPECT_EQ(lldp->l4_protocol, "");
}

}  // namespace
}  // namespace kscope
