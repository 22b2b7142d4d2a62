// The overhead governor's judgement: sampling the busiest probe first, then stopping one
// that feeds no rule, never a rules' probe; giving back last first once calm.
#include <gtest/gtest.h>

#include "agent/governor.h"

namespace kscope {
namespace {

using K = GovernorAction::Kind;

TEST(Governor, SamplesTheBusiestProbeThenStopsOneThatFeedsNoRule) {
    Governor g(0.05);
    std::vector<GovernedProbe> probes = {
        {"open", 50000, 1, false, false},  // feeds rules: only ever sampled
        {"exec", 20, 1, false, false},
        {"socket", 3000, 1, false, true},
    };
    EXPECT_TRUE(g.judge(0.04, probes).empty());  // under budget: nothing
    EXPECT_FALSE(g.active());
    auto a = g.judge(0.08, probes);
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].kind, K::Sample);
    EXPECT_EQ(a[0].probe, "open");
    EXPECT_EQ(a[0].to, 4u);
    EXPECT_TRUE(g.active());
    probes[0].sample_every = 4;
    a = g.judge(0.20, probes);  // four times the budget: sixteen times fewer
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].to, 64u);
    // Open sampled to the limit: the next busiest sender is socket, sampled too.
    probes[0].sample_every = Governor::kMaxSample;
    a = g.judge(0.20, probes);
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].probe, "socket");
    EXPECT_EQ(a[0].kind, K::Sample);
    // When what is left sends little, the probe feeding no rule is stopped, never exec.
    probes[2].sample_every = 256;
    a = g.judge(0.20, probes);
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].kind, K::Stop);
    EXPECT_EQ(a[0].probe, "socket");
    probes[2].stopped = true;
    a = g.judge(0.20, probes);  // nothing to stop: sample further, even exec
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].kind, K::Sample);
    EXPECT_EQ(a[0].probe, "exec");
}

TEST(Governor, GivesBackLastFirstAfterThreeCalmIntervals) {
    Governor g(0.05);
    std::vector<GovernedProbe> probes = {{"open", 50000, 1, false, false}, {"socket", 10, 1, false, true}};
    ASSERT_EQ(g.judge(0.08, probes).at(0).to, 4u);
    probes[0].sample_every = 4;
    ASSERT_EQ(g.judge(0.08, probes).at(0).to, 16u);
    probes[0].sample_every = 16;
    // Under budget but not under half of it: held.
    for (int i = 0; i < 5; i++)
        EXPECT_TRUE(g.judge(0.03, probes).empty());
    // Calm: two intervals wait, the third undoes the last step.
    EXPECT_TRUE(g.judge(0.01, probes).empty());
    EXPECT_TRUE(g.judge(0.01, probes).empty());
    auto a = g.judge(0.01, probes);
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].kind, K::Sample);
    EXPECT_EQ(a[0].from, 16u);
    EXPECT_EQ(a[0].to, 4u);
    // A costly interval resets the calm count.
    EXPECT_TRUE(g.judge(0.01, probes).empty());
    EXPECT_TRUE(g.judge(0.01, probes).empty());
    EXPECT_EQ(g.judge(0.04, probes).size(), 0u);
    EXPECT_TRUE(g.judge(0.01, probes).empty());
    EXPECT_TRUE(g.judge(0.01, probes).empty());
    a = g.judge(0.01, probes);
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].to, 1u);
    EXPECT_FALSE(g.active());
}

TEST(Governor, AStoppedProbeStartsAgain) {
    Governor g(0.05);
    std::vector<GovernedProbe> probes = {{"socket", 20, 1, false, true}};
    auto a = g.judge(0.5, probes);
    ASSERT_EQ(a.at(0).kind, K::Stop);
    probes[0].stopped = true;
    for (int i = 0; i < 2; i++)
        EXPECT_TRUE(g.judge(0.0, probes).empty());
    a = g.judge(0.0, probes);
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].kind, K::Start);
    EXPECT_EQ(a[0].probe, "socket");
}

}  // namespace
}  // namespace kscope
