// Flood judgement: rates between readings against each limit, udp and syn before any,
// one finding per source and cooldown, evicted totals, and addresses as text.
#include <gtest/gtest.h>

#include "enforce/flood_detector.h"

namespace kscope::enforce {
namespace {

constexpr uint64_t kMs = 1'000'000;

SourceAddr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    SourceAddr addr{};
    addr[10] = addr[11] = 0xff;
    addr[12] = a, addr[13] = b, addr[14] = c, addr[15] = d;
    return addr;
}

SourceTotals totals(const SourceAddr& addr, uint64_t packets, uint64_t udp, uint64_t syn, uint32_t ifindex = 3) {
    return {ifindex, addr, packets, udp, syn};
}

TEST(FloodDetector, RatesOverALimitBetweenReadingsAreFound) {
    FloodDetector d({.udp_pps = 1000, .syn_pps = 500, .pps = 10000, .cooldown_s = 10});
    const auto udp_src = v4(10, 0, 0, 2), syn_src = v4(10, 0, 0, 3), calm = v4(10, 0, 0, 4);
    EXPECT_TRUE(d.observe({totals(udp_src, 0, 0, 0), totals(syn_src, 0, 0, 0), totals(calm, 0, 0, 0)}, 1000 * kMs).empty());
    // 250 ms later: 600 UDP (2400/s), 200 SYN (800/s), 100 packets (400/s).
    auto found = d.observe({totals(udp_src, 600, 600, 0), totals(syn_src, 200, 0, 200), totals(calm, 100, 50, 10)},
                           1250 * kMs);
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(source_text(found[0].addr), "10.0.0.2");
    EXPECT_EQ(found[0].protocol, "udp");
    EXPECT_DOUBLE_EQ(found[0].rate_pps, 2400);
    EXPECT_EQ(found[0].limit_pps, 1000u);
    EXPECT_EQ(found[0].ifindex, 3u);
    EXPECT_EQ(found[1].protocol, "syn");
    EXPECT_DOUBLE_EQ(found[1].rate_pps, 800);
    // Still flooding: quiet until the cooldown ends, then found again.
    EXPECT_TRUE(d.observe({totals(udp_src, 1200, 1200, 0)}, 1500 * kMs).empty());
    EXPECT_TRUE(d.observe({totals(udp_src, 1800, 1800, 0)}, 11000 * kMs).empty());
    found = d.observe({totals(udp_src, 2400, 2400, 0)}, 11250 * kMs);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].protocol, "udp");
}

TEST(FloodDetector, AnyProtocolAndOffLimitsAndEvictions) {
    FloodDetector d({.udp_pps = 0, .syn_pps = 0, .pps = 1000, .cooldown_s = 60});
    const auto src = v4(192, 168, 1, 9);
    (void)d.observe({totals(src, 0, 0, 0)}, 0);
    auto found = d.observe({totals(src, 2000, 2000, 0)}, 1000 * kMs);  // udp is off: "any" catches it
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].protocol, "any");
    // A source evicted and counted again starts lower: the new total is its count.
    FloodDetector e({.udp_pps = 100, .syn_pps = 100, .pps = 100, .cooldown_s = 60});
    (void)e.observe({totals(src, 5000, 5000, 0)}, 0);
    EXPECT_TRUE(e.observe({totals(src, 50, 50, 0)}, 1000 * kMs).empty());
    // A source first seen has no rate yet.
    EXPECT_TRUE(e.observe({totals(v4(1, 2, 3, 4), 100000, 100000, 0)}, 2000 * kMs).empty());
}

TEST(FloodDetector, SourceText) {
    SourceAddr v6{};
    v6[0] = 0xfd;
    v6[15] = 2;
    EXPECT_EQ(source_text(v6), "fd00::2");
    EXPECT_EQ(source_text(v4(127, 0, 0, 1)), "127.0.0.1");
}

}  // namespace
}  // namespace kscope::enforce
