#include "anomaly/baselines.h"

#include <algorithm>
#include <iterator>

namespace kscope::anomaly {
namespace {

constexpr std::array<std::string_view, kItemKinds> kNames = {"exec", "peer", "listen", "write_dir"};

}  // namespace

std::string_view kind_name(ItemKind k) { return kNames[static_cast<size_t>(k)]; }

std::optional<ItemKind> kind_from_name(std::string_view name) {
    for (size_t i = 0; i < kNames.size(); i++)
        if (kNames[i] == name)
            return static_cast<ItemKind>(i);
    return std::nullopt;
}

void WorkloadBaseline::recount() {
    learned_n = after_lock_n = 0;
    for (const auto& kind : items)
        for (const auto& [_, v] : kind)
            (v.learned ? learned_n : after_lock_n)++;
}

Baselines::Baselines(uint64_t learn_ns, size_t max_items_per_workload, size_t max_workloads)
    : learn_ns_(learn_ns), max_items_(max_items_per_workload), max_workloads_(max_workloads) {}

Verdict Baselines::observe(const std::string& workload, ItemKind kind, const std::string& item, uint64_t now_ns) {
    auto it = workloads_.find(workload);
    if (it == workloads_.end()) {
        if (workloads_.size() >= max_workloads_ && max_workloads_ > 0) {
            // Full: the workload seen least recently makes room (containers come and go).
            auto oldest = workloads_.begin();
            for (auto w = workloads_.begin(); w != workloads_.end(); ++w)
                if (w->second.last_seen_ns < oldest->second.last_seen_ns)
                    oldest = w;
            for (size_t k = 0; k < kItemKinds; k++)
                for (const auto& [_, v] : oldest->second.items[k])
                    learned_per_kind_[k] -= v.learned;
            changes_.push_back({oldest->first, false, kind, "", {}, 0, /*forget=*/true});
            workloads_.erase(oldest);
            forgotten_++;
        }
        WorkloadBaseline w;
        w.first_seen_ns = now_ns;
        w.learn_until_ns = now_ns + learn_ns_;
        changes_.push_back({workload, true, kind, "", {now_ns, true}, w.learn_until_ns});
        it = workloads_.emplace(workload, std::move(w)).first;
    }
    WorkloadBaseline& w = it->second;
    w.last_seen_ns = std::max(w.last_seen_ns, now_ns);
    auto& items = w.items[static_cast<size_t>(kind)];
    if (items.count(item))
        return Verdict::Known;
    const bool learning = !w.locked(now_ns);
    if ((learning ? w.learned_n : w.after_lock_n) >= max_items_) {
        not_kept_++;
        return learning ? Verdict::Full : Verdict::New;  // after the lock: reported, not remembered
    }
    BaselineItem value{now_ns, learning};
    items.emplace(item, value);
    (learning ? w.learned_n : w.after_lock_n)++;
    if (learning)
        learned_per_kind_[static_cast<size_t>(kind)]++;
    changes_.push_back({workload, false, kind, item, value, 0});
    return learning ? Verdict::Learned : Verdict::New;
}

std::vector<BaselineChange> Baselines::take_changes() {
    std::vector<BaselineChange> out;
    out.swap(changes_);
    return out;
}

void Baselines::return_changes(std::vector<BaselineChange> changes) {
    changes.insert(changes.end(), std::make_move_iterator(changes_.begin()), std::make_move_iterator(changes_.end()));
    changes_ = std::move(changes);
}

void Baselines::replace(std::map<std::string, WorkloadBaseline> workloads) {
    workloads_ = std::move(workloads);
    changes_.clear();
    learned_per_kind_ = {};
    for (auto& [_, w] : workloads_) {
        w.recount();
        w.last_seen_ns = std::max(w.last_seen_ns, w.first_seen_ns);
        for (size_t k = 0; k < kItemKinds; k++)
            for (const auto& [__, v] : w.items[k])
                learned_per_kind_[k] += v.learned;
    }
}

const WorkloadBaseline* Baselines::find(const std::string& workload) const {
    auto it = workloads_.find(workload);
    return it == workloads_.end() ? nullptr : &it->second;
}

}  // namespace kscope::anomaly
