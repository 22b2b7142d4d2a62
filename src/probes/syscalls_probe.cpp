#include "probes/syscalls_probe.h"

#include <bpf/bpf.h>

#include <signal.h>

#include <cerrno>
#include <cstring>

#include "bpf/map_iter.h"
#include "syscalls.skel.h"

namespace kscope {

std::span<const uint8_t> SyscallsProbe::elf() const {
    size_t size = 0;
    const void* data = syscalls_bpf__elf_bytes(&size);
    return {static_cast<const uint8_t*>(data), size};
}

Result<void> SyscallsProbe::configure(BpfObject& obj) { return obj.set_const<bool>("by_process", by_process_); }

Result<SyscallSnapshot> SyscallsProbe::snapshot() {
    if (!obj_)
        return Error{"probe syscalls is not loaded"};
    auto stats = obj_->map_fd("stats");
    auto errnos = obj_->map_fd("errnos");
    auto maxes = obj_->map_fd("max_ns");
    if (!stats || !errnos || !maxes)
        return Error{"probe syscalls: maps missing"};

    SyscallSnapshot snap;
    for_each_entry<kscope_syscall_key, kscope_syscall_stats>(
        *stats, [&](const kscope_syscall_key& k, const kscope_syscall_stats& v) {
            SyscallCounters& c = snap[SyscallKey{k.pid, k.nr}];
            c.comm.assign(v.comm, strnlen(v.comm, sizeof(v.comm)));
            c.calls = v.calls;
            c.errors = v.errors;
            c.total_ns = v.total_ns;
            std::copy(std::begin(v.hist), std::end(v.hist), c.hist.begin());
        });
    for_each_entry<kscope_syscall_errno_key, uint64_t>(
        *errnos, [&](const kscope_syscall_errno_key& k, const uint64_t& n) {
            if (auto it = snap.find(SyscallKey{k.pid, k.nr}); it != snap.end())
                it->second.errnos[k.err] = n;
        });
    // Take each interval maximum and remove it, so the next interval starts from zero.
    for (auto& [key, c] : snap) {
        kscope_syscall_key k{key.pid, key.nr};
        uint64_t m = 0;
        if (bpf_map_lookup_and_delete_elem(*maxes, &k, &m) == 0) {
            c.max_ns = m;
        } else if (errno != ENOENT) {  // no lookup-and-delete on hash maps before 5.14
            if (bpf_map_lookup_elem(*maxes, &k, &m) == 0) {
                c.max_ns = m;
                bpf_map_delete_elem(*maxes, &k);
            }
        }
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
        if (key.pid == 0 || ::kill(static_cast<pid_t>(key.pid), 0) == 0 || errno != ESRCH) {
            ++it;
            continue;
        }
        kscope_syscall_key k{key.pid, key.nr};
        bpf_map_delete_elem(*stats, &k);
        for (const auto& [err, n] : it->second.errnos) {
            kscope_syscall_errno_key ek{key.pid, key.nr, err, 0};
            bpf_map_delete_elem(*errnos, &ek);
        }
        it = snap.erase(it);
    }
}

}  // namespace kscope
