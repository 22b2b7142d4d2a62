// The agent's system-performance metrics from the real kernel: block I/O on a loop
// device, run-queue latency, page faults, OOM kills.
#include <gtest/gtest.h>
#include <unistd.h>

#include "agent_harness.h"
#include "loop_device.h"

namespace kscope::test {
namespace {

TEST(SchedAgentMetrics, BlockRunqueueFaultAndOomMetrics) {
    REQUIRE_ROOT();
    LoopDevice loop;
    ASSERT_TRUE(loop.ok()) << "losetup failed";
    Agent agent(R"(probes:
  exec: {enabled: false}
  exit: {enabled: false}
  syscalls: {enabled: false}
  tcp: {enabled: false}
  drops: {enabled: false}
  dns: {enabled: false}
  filetop: {enabled: false}
  runqlat: {enabled: true}
  biolat: {enabled: true}
  oom: {enabled: true}
  faults: {enabled: true}
)");
    ASSERT_TRUE(agent.ready()) << agent.process().stderr_text();
    constexpr int kReads = 32;
    ASSERT_EQ(wait_child(direct_reader(loop.dev(), kReads)), 0);

    const std::string labels = "{disk=\"" + loop.name() + "\",op=\"read\"}";
    EXPECT_TRUE(agent.wait_metric("kscope_block_io_bytes_total" + labels, kReads * 4096.0, 5))
        << agent.metric("kscope_block_io_bytes_total" + labels);
    EXPECT_EQ(agent.metric("kscope_block_io_latency_seconds_count" + labels), double(kReads));
    EXPECT_EQ(agent.metric("kscope_block_io_latency_seconds_bucket{disk=\"" + loop.name() +
                           "\",op=\"read\",le=\"+Inf\"}"),
              double(kReads));
    EXPECT_GT(agent.metric("kscope_block_io_latency_seconds_sum" + labels), 0);
    EXPECT_GT(agent.metric("kscope_runqueue_latency_seconds_count"), 0);
    EXPECT_GT(agent.metric("kscope_page_faults_total{type=\"minor\"}"), 0);
    EXPECT_GE(agent.metric("kscope_page_faults_total{type=\"major\"}"), 0);
    EXPECT_GE(agent.metric("kscope_oom_kills_total"), 0);  // present; counted by the oom tests
    for (const char* probe : {"runqlat", "biolat", "oom", "faults"})
        EXPECT_EQ(agent.metric(std::string("kscope_probe_up{probe=\"") + probe + "\"}"), 1) << probe;
}

}  // namespace
}  // namespace kscope::test
