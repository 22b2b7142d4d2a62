#include "probes/syscalls_probe.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <signal.h>

#include <cerrno>
#include <algorithm>
#include <chrono>
#include <thread>
#include <cstring>
#include <map>

#include "bpf/map_iter.h"
#include "events/names.h"
#include "events/syscall_names.h"
#include "syscalls.skel.h"

namespace kscope {

std::span<const uint8_t> SyscallsProbe::elf() const { return skeleton_elf(syscalls_bpf__elf_bytes); }

Result<void> SyscallsProbe::configure(BpfObject& obj) { return obj.set_const<bool>("by_process", by_process_); }

Result<SyscallSnapshot> SyscallsProbe::snapshot() {
    if (!obj_)
        return Error{"probe syscalls is not loaded"};
    auto stats = obj_->map_fd("stats");
    auto errnos = obj_->map_fd("errnos");
    auto epoch_fd = obj_->map_fd("epoch");
    if (!stats || !errnos || !epoch_fd)
        return Error{"probe syscalls: maps missing"};

    const int ncpus = libbpf_num_possible_cpus();
    if (ncpus <= 0)
        return Error{"cannot count the possible CPUs"};
    // Start the next interval, then give programs already running a moment to finish
    // writing the one that just ended.
    const uint32_t zero = 0;
    const uint64_t ended = epoch_;
    epoch_++;
    if (bpf_map_update_elem(*epoch_fd, &zero, &epoch_, BPF_ANY))
        return errno_error("probe syscalls: advancing the interval", errno);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));

    // Errnos are read before the counters, so every error in this read also has its call
    // counted: a row's errors (the sum of its errnos) never exceed its calls.
    std::map<SyscallKey, std::map<uint32_t, uint64_t>> errno_counts;
    for_each_percpu_entry<kscope_syscall_errno_key, uint64_t>(
        *errnos, ncpus, [&](const kscope_syscall_errno_key& k, const std::vector<uint64_t>& per_cpu) {
            auto& n = errno_counts[SyscallKey{k.pid, k.nr}][k.err];
            for (uint64_t v : per_cpu)
                n += v;
        });
    SyscallSnapshot snap;
    for_each_percpu_entry<kscope_syscall_key, kscope_syscall_stats>(
        *stats, ncpus, [&](const kscope_syscall_key& k, const std::vector<kscope_syscall_stats>& per_cpu) {
            SyscallCounters& c = snap[SyscallKey{k.pid, k.nr}];
            for (const auto& v : per_cpu) {
                if (c.comm.empty() && v.comm[0])
                    c.comm.assign(v.comm, strnlen(v.comm, sizeof(v.comm)));
                c.calls += v.calls;
                c.total_ns += v.total_ns;
                // Calls that ended after the epoch moved are in this read's counts too,
                // with their maximum under the new epoch.
                if (v.max_epoch == ended || v.max_epoch == epoch_)
                    c.max_ns = std::max<uint64_t>(c.max_ns, v.max_ns);
                for (size_t i = 0; i < c.hist.size(); i++)
                    c.hist[i] += v.hist[i];
            }
            if (auto it = errno_counts.find(SyscallKey{k.pid, k.nr}); it != errno_counts.end())
                c.errnos = std::move(it->second);
            for (const auto& [err, n] : c.errnos)
                c.errors += n;
        });
    // The name each process has now (exec and renames update it in the kernel).
    if (by_process_)
        if (auto comms = obj_->map_fd("comms"))
            for (auto& [key, c] : snap) {
                char name[KSCOPE_COMM_LEN] = {};
                if (bpf_map_lookup_elem(*comms, &key.pid, name) == 0 && name[0])
                    c.comm.assign(name, strnlen(name, sizeof(name)));
            }
    return snap;
}

void SyscallsProbe::forget_exited(SyscallSnapshot& snap) {
    if (!obj_ || !by_process_)
        return;
    auto stats = obj_->map_fd("stats");
    auto errnos = obj_->map_fd("errnos");
    if (!stats || !errnos)
        return;
    for (auto it = snap.begin(); it != snap.end();) {
        const SyscallKey key = it->first;
        if (!process_exited(key.pid)) {
            ++it;
            continue;
        }
        kscope_syscall_key k{key.pid, key.nr};
        bpf_map_delete_elem(*stats, &k);
        if (auto comms = obj_->map_fd("comms"))
            bpf_map_delete_elem(*comms, &key.pid);
        for (const auto& [err, n] : it->second.errnos) {
            kscope_syscall_errno_key ek{key.pid, key.nr, err, 0};
            bpf_map_delete_elem(*errnos, &ek);
        }
        it = snap.erase(it);
    }
}

}  // namespace kscope

namespace kscope {

void SyscallsProbe::append_metrics(PrometheusText& m) {
    auto snap = snapshot();
    if (!snap)
        return;
    std::map<uint32_t, SyscallCounters> by_nr;  // summed over processes
    for (const auto& [key, c] : *snap) {
        SyscallCounters& s = by_nr[key.nr];
        s.calls += c.calls;
        s.errors += c.errors;
        s.total_ns += c.total_ns;
        for (const auto& [err, n] : c.errnos)
            s.errnos[err] += n;
    }
    m.family("kscope_syscalls_total", "counter", "system calls completed, by syscall");
    for (const auto& [nr, c] : by_nr)
        m.sample("kscope_syscalls_total", {{"syscall", syscall_name(nr)}}, double(c.calls));
    m.family("kscope_syscall_errors_total", "counter", "system calls that failed, by syscall and errno");
    for (const auto& [nr, c] : by_nr)
        for (const auto& [err, n] : c.errnos)
            m.sample("kscope_syscall_errors_total", {{"syscall", syscall_name(nr)}, {"errno", errno_name(-int(err))}},
                     double(n));
    m.family("kscope_syscall_time_seconds_total", "counter", "time spent in system calls, by syscall");
    for (const auto& [nr, c] : by_nr)
        m.sample("kscope_syscall_time_seconds_total", {{"syscall", syscall_name(nr)}}, c.total_ns / 1e9);
}

}  // namespace kscope
