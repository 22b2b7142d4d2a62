// Runs a rule set over events: a prefilter indexed by Falco's evt.type hands each event
// only the rules that can match it; a match becomes an alert event, limited per rule
// and process by a token bucket (suppressed alerts are counted, not lost silently).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "events/event.h"
#include "rules/event_fields.h"
#include "rules/ruleset.h"

namespace kscope::rules {

struct RateLimit {
    double per_second = 1.0;  // sustained alerts per rule and process
    double burst = 10;        // alerts allowed at once
};

struct RuleCounters {
    std::atomic<uint64_t> fired{0};       // alerts sent
    std::atomic<uint64_t> suppressed{0};  // matches the rate limit held back
};

class RuleEngine {
public:
    RuleEngine(RuleSet set, RateLimit limit);

    // Appends an AlertEvent to `alerts` for each rule that matches (and is not rate-limited).
    // Alerts themselves are not evaluated. Not thread-safe: one caller (the reader thread).
    void evaluate(const Event& event, ProcessContext& context, std::vector<Event>& alerts);
    // Matches without rate limiting or alert building: what `rules test` and benches need.
    std::vector<const Rule*> matching(const Event& event, ProcessContext& context) const;

    const std::vector<Rule>& rules() const { return set_.rules; }
    const RuleSet& ruleset() const { return set_; }
    const RuleCounters& counters(size_t rule) const { return *counters_[rule]; }
    uint64_t evaluated() const { return evaluated_.load(std::memory_order_relaxed); }

    // The alert for `rule` matching `event` (output filled).
    static AlertEvent make_alert(const Rule& rule, const Event& event, const FieldSource& fields);

    // Enforcement (rules with action kill or deny): in audit mode alerts say would_kill /
    // would_deny and nothing is done; rules the kernel acts for (in_kernel[i]) are not
    // evaluated here, their alerts come from the kernel. Before the first evaluate().
    // undecided: events the kernel could not decide for its rules (a path too long for its
    // keys); those rules are evaluated here for them.
    void set_enforcement(bool audit, std::vector<bool> in_kernel,
                         std::function<bool(const Event&)> undecided = nullptr);
    bool audit() const { return audit_; }
    // An alert the kernel raised (EnforceProbe): its output filled from its triggering
    // event, counted, and rate-limited like the rest; false when the limit holds it back.
    bool complete_kernel_alert(AlertEvent& alert, ProcessContext& context);

private:
    const std::vector<uint32_t>& candidates(const Event& event) const;
    bool allow(uint32_t rule, uint32_t pid, std::chrono::steady_clock::time_point now);

    RuleSet set_;
    RateLimit limit_;
    std::unordered_map<std::string, std::vector<uint32_t>> by_type_;  // rules per evt.type, any-type rules merged in
    std::vector<uint32_t> any_type_;
    bool audit_ = false;
    std::vector<bool> in_kernel_;                      // per rule
    std::function<bool(const Event&)> undecided_;
    std::unordered_map<std::string, uint32_t> by_name_;
    std::vector<std::unique_ptr<RuleCounters>> counters_;
    std::atomic<uint64_t> evaluated_{0};
    struct Bucket {
        double tokens = 0;
        std::chrono::steady_clock::time_point last;
    };
    std::unordered_map<uint64_t, Bucket> buckets_;  // (rule << 32 | pid)
};

}  // namespace kscope::rules
