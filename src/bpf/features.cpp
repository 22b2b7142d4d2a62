#include "bpf/features.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <filesystem>

namespace kscope {

KernelVersion kernel_version() {
    KernelVersion v;
    utsname u{};
    if (uname(&u) == 0) {
        v.release = u.release;
        std::sscanf(u.release, "%d.%d.%d", &v.major, &v.minor, &v.patch);
    }
    return v;
}

Privileges privileges() {
    Privileges p;
    p.root = geteuid() == 0;
    __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    if (syscall(SYS_capget, &hdr, data) != 0)
        return p;
    auto has = [&](int cap) { return (data[cap / 32].effective >> (cap % 32)) & 1; };
    p.cap_sys_admin = has(CAP_SYS_ADMIN);
    p.cap_perfmon = has(38 /* CAP_PERFMON */);
    p.cap_bpf = has(39 /* CAP_BPF */);
    return p;
}

bool tracepoint_exists(const std::string& category_and_name) {
    return access((std::string(kTracefs) + "/events/" + category_and_name).c_str(), F_OK) == 0;
}

bool tracefs_mounted() {
    return std::filesystem::exists(std::string(kTracefs) + "/events");
}

Result<void> ensure_tracefs() {
    if (tracefs_mounted())
        return {};
    if (mount("nodev", kTracefs, "tracefs", 0, nullptr) == 0 && tracefs_mounted())
        return {};
    return Error{std::string("tracefs is not mounted at ") + kTracefs + " and mounting it failed (" +
                 std::strerror(errno) + "): run `mount -t tracefs nodev " + kTracefs + "` as root"};
}

Result<void> preflight() {
    KernelVersion v = kernel_version();
    if (!v.at_least(5, 8))
        return Error{"kernel " + v.release + " is too old: kscope needs Linux 5.8 or newer (BPF ring buffers)"};
    if (!std::filesystem::exists(kVmlinuxBtf))
        return Error{std::string("kernel BTF is missing (") + kVmlinuxBtf +
                     "): kscope needs a kernel built with CONFIG_DEBUG_INFO_BTF=y"};
    if (!privileges().enough())
        return Error{"kscope needs root, or the CAP_BPF and CAP_PERFMON capabilities, to load BPF "
                     "programs: run it with sudo"};
    return ensure_tracefs();
}

bool kernel_has_helper(BpfHelper helper) {
    // KSCOPE_DISABLE_HELPERS=task_pt_regs makes kscope take the path older kernels take:
    // an escape hatch, and how the tests exercise those paths on a new kernel.
    static const bool disabled = [] {
        const char* env = std::getenv("KSCOPE_DISABLE_HELPERS");
        return env && std::string_view(env).find("task_pt_regs") != std::string_view::npos;
    }();
    static const bool task_pt_regs =
        !disabled && libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_task_pt_regs, nullptr) == 1;
    switch (helper) {
    case BpfHelper::task_pt_regs: return task_pt_regs;
    }
    return false;
}

namespace {

// r0 = 0; exit
const bpf_insn kReturnZero[] = {
    {BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0},
    {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
};

FeatureCheck load_check(const char* name, bpf_prog_type type, bpf_attach_type attach = bpf_attach_type(0),
                        int btf_id = 0) {
    LIBBPF_OPTS(bpf_prog_load_opts, opts);
    if (btf_id > 0) {
        opts.expected_attach_type = attach;
        opts.attach_btf_id = btf_id;
    }
    int fd = bpf_prog_load(type, nullptr, "GPL", kReturnZero, 2, &opts);
    if (fd >= 0) {
        close(fd);
        return {name, true, "loads"};
    }
    return {name, false, std::string("load refused: ") + std::strerror(errno)};
}

int vmlinux_btf_id(const char* name, int kind) {
    btf* vmlinux = btf__load_vmlinux_btf();
    if (!vmlinux)
        return -1;
    int id = btf__find_by_name_kind(vmlinux, name, kind);
    btf__free(vmlinux);
    return id;
}

}  // namespace

std::vector<FeatureCheck> probe_program_types() {
    std::vector<FeatureCheck> out;
    out.push_back(load_check("tracepoint", BPF_PROG_TYPE_TRACEPOINT));
    out.push_back(load_check("raw_tracepoint", BPF_PROG_TYPE_RAW_TRACEPOINT));
    out.push_back(load_check("perf_event", BPF_PROG_TYPE_PERF_EVENT));
    out.push_back(load_check("socket_filter", BPF_PROG_TYPE_SOCKET_FILTER));
    out.push_back(load_check("tc (sched_cls)", BPF_PROG_TYPE_SCHED_CLS));
    out.push_back(load_check("xdp", BPF_PROG_TYPE_XDP));
    out.push_back(load_check("cgroup_skb", BPF_PROG_TYPE_CGROUP_SKB));

    int tp_id = vmlinux_btf_id("btf_trace_sched_switch", BTF_KIND_TYPEDEF);
    out.push_back(tp_id > 0 ? load_check("tp_btf", BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, tp_id)
                            : FeatureCheck{"tp_btf", false, "no btf_trace_sched_switch in kernel BTF"});
    // Optional accelerators only: every probe has a tracepoint path.
    const size_t optional_from = out.size();
    int fn_id = vmlinux_btf_id("do_nanosleep", BTF_KIND_FUNC);
    out.push_back(fn_id > 0 ? load_check("fentry", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, fn_id)
                            : FeatureCheck{"fentry", false, "no do_nanosleep in kernel BTF"});
    int lsm_id = vmlinux_btf_id("bpf_lsm_file_open", BTF_KIND_FUNC);
    out.push_back(lsm_id > 0 ? load_check("lsm", BPF_PROG_TYPE_LSM, BPF_LSM_MAC, lsm_id)
                             : FeatureCheck{"lsm", false, "kernel built without CONFIG_BPF_LSM"});

    // A kprobe program may load where kprobes cannot be attached: check the kernel side.
    bool kprobes = std::filesystem::exists("/sys/bus/event_source/devices/kprobe") ||
                   std::filesystem::exists(std::string(kTracefs) + "/kprobe_events");
    out.push_back({"kprobe", kprobes, kprobes ? "kprobe PMU present" : "kernel built without CONFIG_KPROBES"});
    for (size_t i = optional_from; i < out.size(); i++)
        out[i].needed = false;
    bool uprobes = std::filesystem::exists("/sys/bus/event_source/devices/uprobe");
    out.push_back({"uprobe", uprobes, uprobes ? "uprobe PMU present" : "kernel built without CONFIG_UPROBE_EVENTS"});

    bool ringbuf = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, nullptr) == 1;
    out.push_back({"ring buffer map", ringbuf, ringbuf ? "available" : "missing (needs 5.8+)"});
    return out;
}

}  // namespace kscope
