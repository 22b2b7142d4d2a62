#include "probes/faults_probe.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "bpf/map_iter.h"
#include "faults.skel.h"
#include "kscope/abi/faults.h"

namespace kscope {

std::span<const uint8_t> FaultsProbe::elf() const { return skeleton_elf(faults_bpf__elf_bytes); }

Result<void> FaultsProbe::configure(BpfObject& obj) { return obj.set_const<bool>("per_process", per_process_); }

namespace {

int perf_event_open(perf_event_attr* attr, int cpu) {
    return static_cast<int>(syscall(SYS_perf_event_open, attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC));
}

}  // namespace

std::vector<HookStatus> FaultsProbe::attach() {
    std::vector<HookStatus> report;
    if (!obj_)
        return report;
    const int ncpus = libbpf_num_possible_cpus();
    const std::pair<const char*, uint64_t> programs[] = {
        {"ks_fault_minor", PERF_COUNT_SW_PAGE_FAULTS_MIN},
        {"ks_fault_major", PERF_COUNT_SW_PAGE_FAULTS_MAJ},
    };
    for (auto [program, config] : programs) {
        HookStatus s{program, config == PERF_COUNT_SW_PAGE_FAULTS_MIN ? "perf_event:software:page-faults-minor"
                                                                      : "perf_event:software:page-faults-major"};
        auto prog_fd = obj_->program_fd(program);
        if (!prog_fd) {
            s.error = prog_fd.error().message;
            report.push_back(std::move(s));
            continue;
        }
        int opened = 0;
        for (int cpu = 0; cpu < ncpus && s.error.empty(); cpu++) {
            perf_event_attr attr{};
            attr.size = sizeof(attr);
            attr.type = PERF_TYPE_SOFTWARE;
            attr.config = config;
            attr.sample_period = 1;  // the program runs on every fault
            attr.disabled = 1;
            int fd = perf_event_open(&attr, cpu);
            if (fd < 0) {
                if (errno == ENODEV)  // a possible CPU that is not online
                    continue;
                s.error = std::string("perf_event_open: ") + std::strerror(errno);
                break;
            }
            perf_fds_.push_back(fd);
            if (ioctl(fd, PERF_EVENT_IOC_SET_BPF, *prog_fd) || ioctl(fd, PERF_EVENT_IOC_ENABLE, 0)) {
                s.error = std::string("attaching to the perf event: ") + std::strerror(errno);
                break;
            }
            opened++;
        }
        s.attached = s.error.empty() && opened > 0;
        if (s.error.empty() && !opened)
            s.error = "no online CPU";
        report.push_back(std::move(s));
    }
    return report;
}

void FaultsProbe::detach() {
    for (int fd : perf_fds_)
        close(fd);
    perf_fds_.clear();
}

Result<FaultSnapshot> FaultsProbe::snapshot() {
    auto stats = percpu_map("stats");
    if (!stats)
        return stats.error();
    FaultSnapshot snap;
    for_each_percpu_entry<uint32_t, kscope_faults_stats>(
        stats->fd, stats->ncpus, [&](const uint32_t& pid, const std::vector<kscope_faults_stats>& per_cpu) {
            FaultCounters& c = snap[pid];
            for (const auto& v : per_cpu) {
                if (c.comm.empty() && v.comm[0])
                    c.comm.assign(v.comm, strnlen(v.comm, sizeof(v.comm)));
                c.minor += v.faults[KSCOPE_FAULT_MINOR];
                c.major += v.faults[KSCOPE_FAULT_MAJOR];
            }
        });
    return snap;
}

void FaultsProbe::forget_exited(FaultSnapshot& snap) {
    if (!obj_)
        return;
    auto fd = obj_->map_fd("stats");
    if (!fd)
        return;
    for (auto it = snap.begin(); it != snap.end();) {
        const uint32_t pid = it->first;
        if (!process_exited(pid)) {
            ++it;
            continue;
        }
        bpf_map_delete_elem(*fd, &pid);
        it = snap.erase(it);
    }
}

void FaultsProbe::append_metrics(PrometheusText& m) {
    if (!obj_)
        return;
    auto fd = obj_->map_fd("totals");
    if (!fd)
        return;
    m.family("kscope_page_faults_total", "counter", "page faults handled, minor (no I/O) and major (read from disk)");
    m.sample("kscope_page_faults_total", {{"type", "minor"}}, double(percpu_sum(*fd, KSCOPE_FAULT_MINOR)));
    m.sample("kscope_page_faults_total", {{"type", "major"}}, double(percpu_sum(*fd, KSCOPE_FAULT_MAJOR)));
}

}  // namespace kscope
