#include "agent/governor.h"

#include <algorithm>

namespace kscope {

const char* action_name(GovernorAction::Kind k) {
    switch (k) {
        case GovernorAction::Kind::Sample: return "sample";
        case GovernorAction::Kind::Stop: return "stop";
        case GovernorAction::Kind::Start: return "start";
    }
    return "?";
}

std::vector<GovernorAction> Governor::judge(double cost, const std::vector<GovernedProbe>& probes) {
    if (cost > budget_) {
        calm_ = 0;
        // The probe sending the most events (what user space pays for) that can be sampled more.
        const GovernedProbe* busiest = nullptr;
        for (const auto& p : probes)
            if (!p.stopped && p.sample_every < kMaxSample && p.seen_per_s > 0 &&
                (!busiest || p.seen_per_s / p.sample_every > busiest->seen_per_s / busiest->sample_every))
                busiest = &p;
        // Sampling pays while a probe still sends a fair number; past that, stop one.
        // Four times fewer events a step, sixteen when far over budget (twice or more).
        const uint32_t factor = cost >= 2 * budget_ ? 16 : 4;
        if (busiest && busiest->seen_per_s / busiest->sample_every >= 50) {
            GovernorAction a{GovernorAction::Kind::Sample, busiest->name, busiest->sample_every,
                             std::min(kMaxSample, busiest->sample_every * factor)};
            shed_.push_back(a);
            return {a};
        }
        const GovernedProbe* stop = nullptr;
        for (const auto& p : probes)
            if (!p.stopped && p.can_stop && (!stop || p.seen_per_s > stop->seen_per_s))
                stop = &p;
        if (stop) {
            GovernorAction a{GovernorAction::Kind::Stop, stop->name, stop->sample_every, stop->sample_every};
            shed_.push_back(a);
            return {a};
        }
        if (busiest) {  // nothing left to stop: sample further, even a quiet probe
            GovernorAction a{GovernorAction::Kind::Sample, busiest->name, busiest->sample_every,
                             std::min(kMaxSample, busiest->sample_every * factor)};
            shed_.push_back(a);
            return {a};
        }
        return {};
    }
    if (shed_.empty() || cost >= budget_ / 2) {
        calm_ = 0;
        return {};
    }
    if (++calm_ < 3)
        return {};
    calm_ = 0;
    GovernorAction last = shed_.back();
    shed_.pop_back();
    if (last.kind == GovernorAction::Kind::Stop)
        return {{GovernorAction::Kind::Start, last.probe, last.from, last.from}};
    return {{GovernorAction::Kind::Sample, last.probe, last.to, last.from}};
}

}  // namespace kscope
