#include "probes/profile_probe.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fmt/format.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "bpf/map_iter.h"
#include "kscope/abi/profile.h"
#include "profile.skel.h"

namespace kscope {

std::span<const uint8_t> ProfileProbe::elf() const { return skeleton_elf(profile_bpf__elf_bytes); }

Result<void> ProfileProbe::configure(BpfObject& obj) {
    Result<void> steps[] = {
        obj.set_const<bool>("want_user", settings_.user),
        obj.set_const<bool>("want_kernel", settings_.kernel),
        obj.set_max_entries("unwind_rows", settings_.user ? settings_.table_rows : 1),
        obj.set_const<uint64_t>("min_block_ns", settings_.min_block_ns),
        obj.set_autoload("ks_profile", !settings_.off_cpu),
        obj.set_autoload("ks_offcpu", settings_.off_cpu),
    };
    for (auto& s : steps)
        if (!s)
            return s;
    return {};
}

std::vector<HookStatus> ProfileProbe::attach() {
    std::vector<HookStatus> report = Probe::attach();
    if (!obj_ || settings_.off_cpu)
        return report;
    perf_event_attr attr{};
    attr.size = sizeof(attr);
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = PERF_COUNT_SW_CPU_CLOCK;
    attr.freq = 1;
    attr.sample_freq = settings_.frequency_hz;
    const int cpus = libbpf_num_possible_cpus();
    for (int cpu = 0; cpu < cpus; cpu++) {
        const std::string hook = fmt::format("perf_event:cpu-clock:{}Hz:cpu{}", settings_.frequency_hz, cpu);
        int fd = static_cast<int>(syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC));
        if (fd < 0) {
            if (errno == ENODEV)  // a possible CPU that is offline
                continue;
            report.push_back({"ks_profile", hook, false, std::strerror(errno)});
            continue;
        }
        report.push_back(obj_->attach_perf_event("ks_profile", fd, hook));
    }
    return report;
}

Result<void> ProfileProbe::start_loader() {
    if (!obj_)
        return Error{"probe profile is not loaded"};
    auto rows = obj_->map_fd("unwind_rows");
    auto mappings = obj_->map_fd("proc_mappings");
    if (!rows || !mappings)
        return Error{"probe profile: maps missing"};
    loader_ = std::make_unique<UnwindLoader>(*rows, settings_.table_rows, *mappings);
    if (!settings_.user)
        return {};
    return loader_->map_rows();
}

void ProfileProbe::on_record(const void* data, size_t size) {
    if (size < sizeof(kscope_profile_need_maps) || !loader_ || !settings_.user)
        return;
    kscope_profile_need_maps ev;
    std::memcpy(&ev, data, sizeof ev);
    if (ev.h.type != KSCOPE_EVENT_PROFILE_NEED_MAPS)
        return;
    (void)loader_->load_process(ev.h.pid);  // a process already gone has nothing to load
}

Result<std::vector<StackSample>> ProfileProbe::collect(bool remove) const {
    if (!obj_)
        return Error{"probe profile is not loaded"};
    auto counts = obj_->map_fd("counts");
    auto ustacks = obj_->map_fd("user_stacks");
    auto kstacks = obj_->map_fd("kernel_stacks");
    if (!counts || !ustacks || !kstacks)
        return Error{"probe profile: maps missing"};
    std::vector<StackSample> out;
    std::vector<kscope_profile_key> keys;
    std::set<uint64_t> user_ids;
    std::set<uint32_t> kernel_ids;
    for_each_entry<kscope_profile_key, uint64_t>(*counts, [&](const kscope_profile_key& k, const uint64_t& n) {
        if (remove) {
            keys.push_back(k);
            if (k.user_stack)
                user_ids.insert(k.user_stack);
            if (k.kernel_stack >= 0)
                kernel_ids.insert(uint32_t(k.kernel_stack));
        }
        StackSample s;
        s.pid = k.pid;
        s.comm.assign(k.comm, strnlen(k.comm, sizeof k.comm));
        s.count = n;
        if (k.user_stack) {
            kscope_user_stack st{};
            if (bpf_map_lookup_elem(*ustacks, &k.user_stack, &st) == 0)
                s.user.assign(st.pc, st.pc + std::min<uint32_t>(st.len, KSCOPE_PROFILE_MAX_FRAMES));
        }
        if (k.kernel_stack >= 0) {
            uint64_t ips[KSCOPE_PROFILE_MAX_FRAMES] = {};
            const uint32_t id = static_cast<uint32_t>(k.kernel_stack);
            if (bpf_map_lookup_elem(*kstacks, &id, ips) == 0)
                for (uint64_t ip : ips) {
                    if (!ip)
                        break;
                    s.kernel.push_back(ip);
                }
        }
        out.push_back(std::move(s));
    });
    // Removed after the walk: deleting while walking a hash map can restart the walk.
    for (const auto& k : keys)
        bpf_map_delete_elem(*counts, &k);
    for (uint64_t id : user_ids)
        bpf_map_delete_elem(*ustacks, &id);
    for (uint32_t id : kernel_ids)
        bpf_map_delete_elem(*kstacks, &id);
    return out;
}

ProfileStats ProfileProbe::stats() const {
    ProfileStats s;
    if (!obj_)
        return s;
    auto fd = obj_->map_fd("profile_stats");
    if (!fd)
        return s;
    s.samples = percpu_sum(*fd, KSCOPE_PROF_SAMPLES);
    s.user_complete = percpu_sum(*fd, KSCOPE_PROF_USER_FULL);
    s.frame_pointer_frames = percpu_sum(*fd, KSCOPE_PROF_USER_FP);
    s.user_stopped = percpu_sum(*fd, KSCOPE_PROF_USER_STOPPED);
    s.no_mapping = percpu_sum(*fd, KSCOPE_PROF_NO_MAPPING);
    s.truncated = percpu_sum(*fd, KSCOPE_PROF_TRUNCATED);
    s.lost = kernel_drops(KSCOPE_DROP_MAP_FULL);
    return s;
}

}  // namespace kscope
