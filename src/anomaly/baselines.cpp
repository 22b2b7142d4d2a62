#include "anomaly/baselines.h"

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

size_t WorkloadBaseline::learned() const {
    size_t n = 0;
    for (const auto& kind : items)
        for (const auto& [_, v] : kind)
            n += v.learned;
    return n;
}

size_t WorkloadBaseline::total() const {
    size_t n = 0;
    for (const auto& kind : items)
        n += kind.size();
    return n;
}

Baselines::Baselines(uint64_t learn_ns, size_t max_items_per_workload, size_t max_workloads)
    : learn_ns_(learn_ns), max_items_(max_items_per_workload), max_workloads_(max_workloads) {}

Verdict Baselines::observe(const std::string& workload, ItemKind kind, const std::string& item, uint64_t now_ns) {
    auto it = workloads_.find(workload);
    if (it == workloads_.end()) {
        if (workloads_.size() >= max_workloads_) {
            not_kept_++;
            return Verdict::Full;
        }
        WorkloadBaseline w;
        w.first_seen_ns = now_ns;
        w.learn_until_ns = now_ns + learn_ns_;
        changes_.push_back({workload, true, kind, "", {now_ns, true}, w.learn_until_ns});
        it = workloads_.emplace(workload, std::move(w)).first;
    }
    WorkloadBaseline& w = it->second;
    auto& items = w.items[static_cast<size_t>(kind)];
    if (items.count(item))
        return Verdict::Known;
    if (w.total() >= max_items_) {
        not_kept_++;
        return Verdict::Full;
    }
    const bool learning = !w.locked(now_ns);
    BaselineItem value{now_ns, learning};
    items.emplace(item, value);
    changes_.push_back({workload, false, kind, item, value, 0});
    return learning ? Verdict::Learned : Verdict::New;
}

std::vector<BaselineChange> Baselines::take_changes() {
    std::vector<BaselineChange> out;
    out.swap(changes_);
    return out;
}

void Baselines::replace(std::map<std::string, WorkloadBaseline> workloads) {
    workloads_ = std::move(workloads);
    changes_.clear();
}

const WorkloadBaseline* Baselines::find(const std::string& workload) const {
    auto it = workloads_.find(workload);
    return it == workloads_.end() ? nullptr : &it->second;
}

}  // namespace kscope::anomaly
