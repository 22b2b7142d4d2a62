// Learned baselines: per workload (a container, else an executable path), the things it
// was seen to do while learning (executables run, outbound peers, listening ports,
// directories written under). After its learning window a workload's baseline is locked
// and each thing not in it is new: reported once, then remembered as seen-after-lock.
// Bounded: a workload learns at most max_items and remembers as many seen after the lock
// (past that, new items are still reported, each time); when the table is full, the
// workload seen least recently is forgotten for the new one.
// Pure logic: no clock, no store; the caller passes the time and persists the changes.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kscope::anomaly {

enum class ItemKind : uint8_t { Exec, Peer, Listen, WriteDir };
constexpr size_t kItemKinds = 4;
// "exec", "peer", "listen", "write_dir".
std::string_view kind_name(ItemKind k);
std::optional<ItemKind> kind_from_name(std::string_view name);

struct BaselineItem {
    uint64_t first_seen_ns = 0;
    bool learned = true;  // false: first seen after the lock (it was reported)
};

struct WorkloadBaseline {
    uint64_t first_seen_ns = 0;
    uint64_t learn_until_ns = 0;  // locked from then on
    uint64_t last_seen_ns = 0;    // in memory only: which workload to forget first
    std::array<std::map<std::string, BaselineItem>, kItemKinds> items;

    bool locked(uint64_t now_ns) const { return now_ns >= learn_until_ns; }
    // Items learned (the baseline proper) and seen after the lock, over every kind.
    size_t learned() const { return learned_n; }
    size_t after_lock() const { return after_lock_n; }
    size_t total() const { return learned_n + after_lock_n; }
    // Counts the items again (after they were filled in directly).
    void recount();
    size_t learned_n = 0, after_lock_n = 0;
};

enum class Verdict {
    Known,    // in the baseline, or already reported
    Learned,  // new while learning: now part of the baseline
    New,      // new after the lock: report it
    Full,     // not kept: the workload (or the table) is at its bound
};

// A change to persist.
struct BaselineChange {
    std::string workload;
    bool new_workload = false;  // the workload's row (first_seen, learn_until)
    ItemKind kind = ItemKind::Exec;
    std::string item;           // "" when only the workload is new (or forgotten)
    BaselineItem value;         // the item's; for a new workload, its first_seen_ns
    uint64_t learn_until_ns = 0;  // a new workload's
    bool forget = false;        // the workload was forgotten (the table was full)
};

class Baselines {
public:
    Baselines(uint64_t learn_ns, size_t max_items_per_workload = 2048, size_t max_workloads = 8192);

    Verdict observe(const std::string& workload, ItemKind kind, const std::string& item, uint64_t now_ns);
    // Changes since the last call, oldest first.
    std::vector<BaselineChange> take_changes();
    // Changes taken that could not be stored: kept for the next take, before newer ones.
    void return_changes(std::vector<BaselineChange> changes);
    // Replaces everything (loaded from the store).
    void replace(std::map<std::string, WorkloadBaseline> workloads);

    const std::map<std::string, WorkloadBaseline>& workloads() const { return workloads_; }
    const WorkloadBaseline* find(const std::string& workload) const;
    uint64_t learn_ns() const { return learn_ns_; }
    void set_learn_ns(uint64_t ns) { learn_ns_ = ns; }
    uint64_t not_kept() const { return not_kept_; }
    uint64_t forgotten() const { return forgotten_; }
    // Items learned, per kind, over every workload.
    const std::array<size_t, kItemKinds>& learned_per_kind() const { return learned_per_kind_; }

private:
    uint64_t learn_ns_;
    size_t max_items_;
    size_t max_workloads_;
    std::map<std::string, WorkloadBaseline> workloads_;
    std::vector<BaselineChange> changes_;
    std::array<size_t, kItemKinds> learned_per_kind_{};
    uint64_t not_kept_ = 0;
    uint64_t forgotten_ = 0;
};

}  // namespace kscope::anomaly
