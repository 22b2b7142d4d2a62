#include "rules/engine.h"

#include <algorithm>

namespace kscope::rules {

RuleEngine::RuleEngine(RuleSet set, RateLimit limit) : set_(std::move(set)), limit_(limit) {
    in_kernel_.assign(set_.rules.size(), false);
    for (uint32_t i = 0; i < set_.rules.size(); i++) {
        counters_.push_back(std::make_unique<RuleCounters>());
        by_name_.emplace(set_.rules[i].name, i);
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

void RuleEngine::set_enforcement(bool audit, std::vector<bool> in_kernel, std::function<bool(const Event&)> undecided) {
    audit_ = audit;
    undecided_ = std::move(undecided);
    in_kernel.resize(set_.rules.size(), false);
    in_kernel_ = std::move(in_kernel);
}

namespace {

// The process as an exec the kernel acted on made it: the process table has not seen
// that exec (at its entry it never happens), so its program and name come from the event.
class ExecOverlay final : public ProcessContext {
public:
    ExecOverlay(ProcessContext& base, const ExecEvent& exec) : base_(base) {
        if (const ProcessInfo* p = base.process(exec.common.pid)) info_ = *p;
        info_.pid = exec.common.pid;
        info_.ppid = exec.common.ppid;
        info_.exe = exec.filename;
        info_.comm = exec.filename.substr(exec.filename.rfind('/') + 1).substr(0, 15);
        info_.argv = {info_.comm};
    }
    const ProcessInfo* process(uint32_t pid) override { return pid == info_.pid ? &info_ : base_.process(pid); }
    const UserEntry* user(uint32_t uid) override { return base_.user(uid); }
    const std::string* group(uint32_t gid) override { return base_.group(gid); }
    const std::string& hostname() override { return base_.hostname(); }
    const ContainerMeta* container(const std::string& id) override { return base_.container(id); }

private:
    ProcessContext& base_;
    ProcessInfo info_;
};

}  // namespace

bool RuleEngine::complete_kernel_alert(AlertEvent& alert, ProcessContext& context) {
    auto it = by_name_.find(alert.rule);
    if (it == by_name_.end() || !alert.trigger) return true;  // a rule of the policy before a reload
    const uint32_t i = it->second;
    if (!allow(i, alert.common.pid, std::chrono::steady_clock::now())) {
        counters_[i]->suppressed.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    counters_[i]->fired.fetch_add(1, std::memory_order_relaxed);
    if (const auto* exec = std::get_if<ExecEvent>(&alert.trigger->event)) {
        ExecOverlay overlay(context, *exec);
        alert.output = set_.rules[i].output.render(EventFields(alert.trigger->event, overlay, evaluated() + 1));
    } else {
        alert.output = set_.rules[i].output.render(EventFields(alert.trigger->event, context, evaluated() + 1));
    }
    if (const std::string& id = alert.common.container_id; !id.empty())
        if (const ContainerMeta* m = context.container(id)) {
            alert.container_name = m->name;
            alert.container_image = m->image;
        }
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
    int kernel_undecided = -1;  // asked once, when an in-kernel rule is a candidate
    for (uint32_t i : list) {
        const Rule& rule = set_.rules[i];
        if (in_kernel_[i]) {
            if (kernel_undecided < 0) kernel_undecided = undecided_ && undecided_(event);
            if (!kernel_undecided) continue;
        }
        if (!rule.condition.eval(fields)) continue;
        if (now == std::chrono::steady_clock::time_point{}) now = std::chrono::steady_clock::now();
        if (!allow(i, common_of(event).pid, now)) {
            counters_[i]->suppressed.fetch_add(1, std::memory_order_relaxed);
            continue;
        }
        counters_[i]->fired.fetch_add(1, std::memory_order_relaxed);
        AlertEvent alert = make_alert(rule, event, fields);
        if (rule.action != Action::Alert) {  // acted on from user space (the caller kills)
            alert.action = (audit_ ? "would_" : "") + std::string(action_name(rule.action));
            alert.in_kernel = false;
            const std::string& id = alert.common.container_id;
            if (rule.reads_container_meta && !id.empty() && !context.container(id))
                alert.action = "unknown_container";  // the runtime has not said what it is: no action
        }
        if (const std::string& id = alert.common.container_id; !id.empty())
            if (const ContainerMeta* m = context.container(id)) {
                alert.container_name = m->name;
                alert.container_image = m->image;
            }
        alerts.emplace_back(std::move(alert));
    }
}

}  // namespace kscope::rules
