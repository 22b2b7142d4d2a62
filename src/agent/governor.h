// The overhead governor's judgement (limits.cpu_percent), pure: given kscope's own cost
// over the last interval and its event probes, what to shed or give back. In a fixed order:
// first sample the busiest event probe in the kernel (4 times fewer events a step, 16 when
// the cost is twice the budget or more, down to 1 in 1024), then stop an
// event probe that feeds no rule and keeps no in-kernel metric; the security rules' probes
// and those with metrics of their own are only ever sampled, never stopped (and the
// metrics-only probes have no events to sample). What was shed comes back last
// first, one step each time the cost has stayed under half the budget for three intervals.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kscope {

struct GovernedProbe {
    std::string name;
    double seen_per_s = 0;   // events the probe's programs produced, sent or sampled out
    uint32_t sample_every = 1;
    bool stopped = false;
    bool can_stop = false;   // feeds no rule (nor the baselines) and keeps no in-kernel metric
};

struct GovernorAction {
    enum class Kind { Sample, Stop, Start };
    Kind kind = Kind::Sample;
    std::string probe;
    uint32_t from = 1, to = 1;  // Sample: one in `from` before, one in `to` after
};

class Governor {
public:
    static constexpr uint32_t kMaxSample = 1024;
    // budget: a fraction of one CPU (cpu_percent / 100).
    explicit Governor(double budget) : budget_(budget) {}

    // One interval's judgement: at most one action.
    std::vector<GovernorAction> judge(double cost, const std::vector<GovernedProbe>& probes);
    bool active() const { return !shed_.empty(); }
    double budget() const { return budget_; }

private:
    double budget_;
    std::vector<GovernorAction> shed_;  // in the order taken; undone from the back
    int calm_ = 0;
};

const char* action_name(GovernorAction::Kind k);

}  // namespace kscope
