#include "probes/probe.h"

#include <bpf/bpf.h>
#include <signal.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "bpf/map_iter.h"
#include "kscope/abi/common.h"

namespace kscope {

Result<FilterSpec> make_filter(std::vector<uint32_t> pids, std::vector<std::string> comms, const std::string& cgroup,
                               bool failures_only) {
    for (const auto& c : comms)
        if (c.empty() || c.size() >= KSCOPE_COMM_LEN)
            return Error{"command name '" + c + "' must have 1 to 15 characters"};
    FilterSpec f;
    f.pids = std::move(pids);
    f.comms = std::move(comms);
    f.failures_only = failures_only;
    if (!cgroup.empty()) {
        auto ref = resolve_cgroup(cgroup);
        if (!ref)
            return ref.error();
        f.cgroup = ref.value();
    }
    return f;
}

Result<void> Probe::load(const ProbeOptions& options) {
    const std::string probe(name());
    auto obj = BpfObject::open(probe, elf());
    if (!obj)
        return obj.error();
    BpfObject& o = obj.value();
    const FilterSpec& f = options.filter;
    options_ = options;

    // Probes on packets (flood) have neither the event ring nor the process filters.
    if (o.has_map("events")) {
        Result<void> steps[] = {
            o.set_max_entries("events", options.ring_bytes),
            o.set_const<uint64_t>("wakeup_threshold_bytes", options.ring_bytes / 4),
            o.set_const<uint32_t>("sample_every", std::max<uint32_t>(options.sample_every, 1)),
        };
        for (auto& step : steps)
            if (!step)
                return step.error().context("configuring probe " + probe);
    }
    if (o.has_map("filter_pids")) {
        Result<void> steps[] = {
            o.set_const<bool>("filter_by_pid", !f.pids.empty()),
            o.set_const<bool>("filter_by_comm", !f.comms.empty()),
            o.set_const<bool>("filter_by_cgroup", f.cgroup.has_value()),
            o.set_const<bool>("filter_failures_only", f.failures_only),
            o.set_const<uint32_t>("filter_exclude_tgid", f.exclude_pid),
            o.set_const<uint64_t>("filter_cgroup_id", f.cgroup ? f.cgroup->id : 0),
            o.set_const<uint32_t>("filter_cgroup_level", f.cgroup ? f.cgroup->level : 0),
        };
        for (auto& step : steps)
            if (!step)
                return step.error().context("configuring probe " + probe);
    }
    if (auto r = configure(o); !r)
        return r.error().context("configuring probe " + probe);
    if (auto r = o.load(); !r)
        return r;
    obj_.emplace(std::move(o));
    if (obj_->has_map("filter_pids"))
        if (auto r = apply_filter_maps(f); !r)
            return r.error().context("probe " + probe);
    return {};
}

Result<void> Probe::apply_filter_maps(const FilterSpec& filter) {
    auto pids = obj_->map_fd("filter_pids");
    auto comms = obj_->map_fd("filter_comms");
    if (!pids || !comms)
        return Error{"filter maps missing"};
    const uint8_t one = 1;
    for (uint32_t pid : filter.pids)
        if (bpf_map_update_elem(*pids, &pid, &one, BPF_ANY))
            return errno_error("adding pid " + std::to_string(pid) + " to the filter", errno);
    for (const auto& comm : filter.comms) {
        char key[KSCOPE_COMM_LEN] = {};
        std::strncpy(key, comm.c_str(), sizeof(key) - 1);
        if (bpf_map_update_elem(*comms, key, &one, BPF_ANY))
            return errno_error("adding comm " + comm + " to the filter", errno);
    }
    return {};
}

std::vector<HookStatus> Probe::attach() {
    if (!obj_)
        return {};
    return obj_->attach_all();
}

void Probe::detach() {
    if (obj_)
        obj_->detach_all();
}

Result<int> Probe::ring_fd() const {
    if (!obj_)
        return Error{"probe " + std::string(name()) + " is not loaded"};
    return obj_->map_fd("events");
}

bool process_exited(uint32_t pid) { return pid != 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH; }

Result<Probe::PerCpuMap> Probe::percpu_map(std::string_view map) const {
    if (!obj_)
        return Error{"probe " + std::string(name()) + " is not loaded"};
    auto fd = obj_->map_fd(map);
    if (!fd)
        return fd.error();
    const int ncpus = libbpf_num_possible_cpus();
    if (ncpus <= 0)
        return Error{"cannot count the possible CPUs"};
    return PerCpuMap{*fd, ncpus};
}

uint64_t Probe::kernel_drops(uint32_t slot) const {
    if (!obj_)
        return 0;
    auto fd = obj_->map_fd("drops");
    return fd ? percpu_sum(*fd, slot) : 0;
}

Result<void> Probe::set_sample_every(uint32_t n) {
    if (!obj_)
        return Error{"probe " + std::string(name()) + " is not loaded"};
    n = std::max<uint32_t>(n, 1);
    if (auto r = obj_->set_const<uint32_t>("sample_every", n); !r)
        return r;
    options_.sample_every = n;
    return {};
}

}  // namespace kscope
