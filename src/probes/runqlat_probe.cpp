#include "probes/runqlat_probe.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "bpf/map_iter.h"
#include "kscope/abi/runqlat.h"
#include "runqlat.skel.h"

namespace kscope {

std::span<const uint8_t> RunqlatProbe::elf() const { return skeleton_elf(runqlat_bpf__elf_bytes); }

Result<void> RunqlatProbe::configure(BpfObject& obj) {
    uint32_t by = KSCOPE_RUNQ_ALL;
    if (group_ == RunqGroup::pid)
        by = KSCOPE_RUNQ_PID;
    else if (group_ == RunqGroup::cgroup)
        by = KSCOPE_RUNQ_CGROUP;
    return obj.set_const<uint32_t>("group_by", by);
}

namespace {

// The name a process has now; "" when it is gone.
std::string current_comm(uint64_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
    std::string name;
    std::getline(in, name);
    return name;
}

}  // namespace

Result<RunqSnapshot> RunqlatProbe::snapshot() {
    if (!obj_)
        return Error{"probe runqlat is not loaded"};
    if (auto r = epoch_.advance(*obj_, name()); !r)
        return r.error();
    const int ncpus = libbpf_num_possible_cpus();
    if (ncpus <= 0)
        return Error{"cannot count the possible CPUs"};
    RunqSnapshot snap;
    if (group_ == RunqGroup::all) {
        auto fd = obj_->map_fd("total");
        if (!fd)
            return fd.error();
        std::vector<kscope_latency_hist> per_cpu(ncpus);
        const uint32_t zero = 0;
        if (bpf_map_lookup_elem(*fd, &zero, per_cpu.data()))
            return errno_error("probe runqlat: reading the histogram", errno);
        RunqCounters& c = snap[0];
        for (const auto& h : per_cpu)
            c.hist.add_cpu(h, epoch_.ended(), epoch_.current());
        return snap;
    }
    auto fd = obj_->map_fd("groups");
    if (!fd)
        return fd.error();
    for_each_percpu_entry<kscope_runq_key, kscope_runq_stats>(
        *fd, ncpus, [&](const kscope_runq_key& k, const std::vector<kscope_runq_stats>& per_cpu) {
            RunqCounters& c = snap[k.id];
            for (const auto& v : per_cpu) {
                if (c.name.empty() && v.comm[0])
                    c.name.assign(v.comm, strnlen(v.comm, sizeof(v.comm)));
                c.hist.add_cpu(v.hist, epoch_.ended(), epoch_.current());
            }
        });
    if (group_ == RunqGroup::pid) {
        for (auto& [pid, c] : snap)
            if (auto now = current_comm(pid); !now.empty())
                c.name = now;
    } else {
        if (!cgroups_)
            if (auto mount = cgroup2_mount_point())
                cgroups_.emplace(*mount);
        for (auto& [id, c] : snap)
            if (cgroups_)
                if (auto path = cgroups_->path_of(id))
                    c.name = *path;
    }
    return snap;
}

void RunqlatProbe::forget_exited(RunqSnapshot& snap) {
    if (!obj_ || group_ != RunqGroup::pid)
        return;
    auto fd = obj_->map_fd("groups");
    if (!fd)
        return;
    for (auto it = snap.begin(); it != snap.end();) {
        const uint64_t pid = it->first;
        if (!process_exited(pid)) {
            ++it;
            continue;
        }
        kscope_runq_key k{pid};
        bpf_map_delete_elem(*fd, &k);
        it = snap.erase(it);
    }
}

void RunqlatProbe::append_metrics(PrometheusText& m) {
    auto snap = snapshot();
    if (!snap)
        return;
    LatencyHistogram all;
    for (const auto& [_, c] : *snap) {
        all.count += c.hist.count;
        all.sum_ns += c.hist.sum_ns;
        for (size_t i = 0; i < all.slots.size(); i++)
            all.slots[i] += c.hist.slots[i];
    }
    m.family("kscope_runqueue_latency_seconds", "histogram",
             "time runnable tasks waited for a CPU (wakeup or preemption to running)");
    m.log2_histogram("kscope_runqueue_latency_seconds", {}, all.slots, all.sum_ns);
}

}  // namespace kscope
