#include <gtest/gtest.h>

#include "events/tcp_traffic.h"

namespace kscope {
namespace {

TEST(FlowRows, DeltasMostBytesFirstIdleLeftOut) {
    FlowKey a{1, "10.0.0.1", "10.0.0.2", 40000, 443};
    FlowKey b{2, "::1", "::1", 50000, 80};
    FlowSnapshot before{{a, {"curl", 100, 1000}}};
    FlowSnapshot after{{a, {"curl", 100, 1000}}, {b, {"nginx", 10, 5}}};
    auto rows = flow_rows(before, after, 0);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].flow, b);
    EXPECT_EQ(rows[0].tx_bytes, 10u);
    after[a].rx_bytes = 5000;
    rows = flow_rows(before, after, 0);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].flow, a);
    EXPECT_EQ(rows[0].rx_bytes, 4000u);
    EXPECT_EQ(rows[0].tx_bytes, 0u);
    EXPECT_EQ(flow_rows(before, after, 1).size(), 1u);
}

}  // namespace
}  // namespace kscope
