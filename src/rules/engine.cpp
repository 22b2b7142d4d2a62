#include "rules/engine.h"

#include <algorithm>

namespace kscope::rules {

RuleEngine::RuleEngine(RuleSet set, RateLimit limit) : set_(std::move(set)), limit_(limit) {
    for (uint32_t i = 0; i < set_.rules.size(); i++) {
        counters_.push_back(std::make_unique<RuleCounters>());
        if (set_.rules[i].event_types.empty()) any_type_.push_back(i);
    }
    for (uint32_t i = 0; i < set_.rules.size(); i++)
        for (const auto& t : set_.rules[i].event_types) by_type_[t].push_back(i);
    // Each type's list also holds the any-type rules, in rule order, so one lookup suffices.
    for (auto& [type, list] : by_type_) {
        list.insert(list.end(), any_type_.begin(), any_type_.end());
        std::sort(list.begin(), list.end());
    }
}

const std::vector<uint32_t>& RuleEngine::candidates(const Event& event) const {
    // Heterogeneous lookup is C++20 for unordered_map only with a transparent hash; the
    // key is short, so a small string copy is cheap next to the evaluation.
    auto it = by_type_.find(std::string(falco_event_type(event)));
    return it == by_type_.end() ? any_type_ : it->second;
}

std::vector<const Rule*> RuleEngine::matching(const Event& event, ProcessContext& context) const {
    std::vector<const Rule*> out;
    if (std::holds_alternative<AlertEvent>(event)) return out;
    EventFields fields(event, context, evaluated() + 1);
    for (uint32_t i : candidates(event))
        if (set_.rules[i].condition.eval(fields)) out.push_back(&set_.rules[i]);
    return out;
}

bool RuleEngine::allow(uint32_t rule, uint32_t pid, std::chrono::steady_clock::time_point now) {
    if (buckets_.size() > 65536) buckets_.clear();  // bounded: forgetting only loosens the limit
    auto [it, fresh] = buckets_.try_emplace((uint64_t(rule) << 32) | pid);
    Bucket& b = it->second;
    if (fresh) {
        b.tokens = limit_.burst;
    } else {
        double elapsed = std::chrono::duration<double>(now - b.last).count();
        b.tokens = std::min(limit_.burst, b.tokens + elapsed * limit_.per_second);
    }
    b.last = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
}

AlertEvent RuleEngine::make_alert(const Rule& rule, const Event& event, const FieldSource& fields) {
    AlertEvent a;
    a.common = common_of(event);
    a.rule = rule.name;
    a.priority = std::string(priority_name(rule.priority));
    a.output = rule.output.render(fields);
    a.tags = rule.tags;
    a.trigger = std::make_shared<TriggerEvent>(TriggerEvent{event});
    return a;
}

void RuleEngine::evaluate(const Event& event, ProcessContext& context, std::vector<Event>& alerts) {
    if (std::holds_alternative<AlertEvent>(event)) return;
    const uint64_t number = evaluated_.fetch_add(1, std::memory_order_relaxed) + 1;
    const auto& list = candidates(event);
    if (list.empty()) return;
    EventFields fields(event, context, number);
    std::chrono::steady_clock::time_point now{};
    for (uint32_t i : list) {
        const Rule& rule = set_.rules[i];
        if (!rule.condition.eval(fields)) continue;
        if (now == std::chrono::steady_clock::time_point{}) now = std::chrono::steady_clock::now();
        if (!allow(i, common_of(event).pid, now)) {
            counters_[i]->suppressed.fetch_add(1, std::memory_order_relaxed);
            continue;
        }
        counters_[i]->fired.fetch_add(1, std::memory_order_relaxed);
        AlertEvent alert = make_alert(rule, event, fields);
        if (const std::string& id = alert.common.container_id; !id.empty())
            if (const ContainerMeta* m = context.container(id)) {
                alert.container_name = m->name;
                alert.container_image = m->image;
            }
        alerts.emplace_back(std::move(alert));
    }
}

}  // namespace kscope::rules
