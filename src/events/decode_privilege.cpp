#include "events/decode_privilege.h"

#include <cstring>
#include <utility>

#include "kscope/abi/privilege.h"

namespace kscope {
namespace {

std::string fixed_string(const char* s, size_t size) { return std::string(s, strnlen(s, size)); }

template <typename T>
T raw_struct(RawEvent raw) {
    T e;
    std::memcpy(&e, raw.data(), sizeof(e));
    return e;
}

}  // namespace

const char* privilege_syscall_name(uint16_t syscall) {
    static const char* const names[KSCOPE_PRIV_SYSCALLS] = {
        "setuid",   "setgid",    "setreuid", "setregid",          "setresuid",   "setresgid",
        "setfsuid", "setfsgid",  "setgroups", "capset",           "ptrace",      "process_vm_writev",
        "init_module", "finit_module", "bpf", "perf_event_open", "userfaultfd",
    };
    return syscall < KSCOPE_PRIV_SYSCALLS ? names[syscall] : "";
}

std::string ptrace_request_name(int64_t request) {
    // uapi/linux/ptrace.h, and the x86 ones from asm/ptrace-abi.h (12-33).
    static const std::pair<int64_t, const char*> names[] = {
        {0, "PTRACE_TRACEME"},
        {1, "PTRACE_PEEKTEXT"},
        {2, "PTRACE_PEEKDATA"},
        {3, "PTRACE_PEEKUSR"},
        {4, "PTRACE_POKETEXT"},
        {5, "PTRACE_POKEDATA"},
        {6, "PTRACE_POKEUSR"},
        {7, "PTRACE_CONT"},
        {8, "PTRACE_KILL"},
        {9, "PTRACE_SINGLESTEP"},
        {12, "PTRACE_GETREGS"},
        {13, "PTRACE_SETREGS"},
        {14, "PTRACE_GETFPREGS"},
        {15, "PTRACE_SETFPREGS"},
        {16, "PTRACE_ATTACH"},
        {17, "PTRACE_DETACH"},
        {18, "PTRACE_GETFPXREGS"},
        {19, "PTRACE_SETFPXREGS"},
        {21, "PTRACE_OLDSETOPTIONS"},
        {24, "PTRACE_SYSCALL"},
        {25, "PTRACE_GET_THREAD_AREA"},
        {26, "PTRACE_SET_THREAD_AREA"},
        {30, "PTRACE_ARCH_PRCTL"},
        {31, "PTRACE_SYSEMU"},
        {32, "PTRACE_SYSEMU_SINGLESTEP"},
        {33, "PTRACE_SINGLEBLOCK"},
        {0x4200, "PTRACE_SETOPTIONS"},
        {0x4201, "PTRACE_GETEVENTMSG"},
        {0x4202, "PTRACE_GETSIGINFO"},
        {0x4203, "PTRACE_SETSIGINFO"},
        {0x4204, "PTRACE_GETREGSET"},
        {0x4205, "PTRACE_SETREGSET"},
        {0x4206, "PTRACE_SEIZE"},
        {0x4207, "PTRACE_INTERRUPT"},
        {0x4208, "PTRACE_LISTEN"},
        {0x4209, "PTRACE_PEEKSIGINFO"},
        {0x420a, "PTRACE_GETSIGMASK"},
        {0x420b, "PTRACE_SETSIGMASK"},
        {0x420c, "PTRACE_SECCOMP_GET_FILTER"},
        {0x420d, "PTRACE_SECCOMP_GET_METADATA"},
        {0x420e, "PTRACE_GET_SYSCALL_INFO"},
        {0x420f, "PTRACE_GET_RSEQ_CONFIGURATION"},
        {0x4210, "PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG"},
        {0x4211, "PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG"},
        {0x4212, "PTRACE_SET_SYSCALL_INFO"},
    };
    for (const auto& [value, name] : names)
        if (value == request)
            return name;
    return std::to_string(request);
}

Result<PrivilegeEvent> decode_privilege(RawEvent raw, const DecodeContext& ctx) {
    auto common = decode_header(raw, KSCOPE_EVENT_PRIVILEGE, sizeof(kscope_privilege_event), ctx);
    if (!common)
        return common.error().context("privilege event");
    auto e = raw_struct<kscope_privilege_event>(raw);
    if (e.syscall >= KSCOPE_PRIV_PTRACE)
        return Error{"privilege event: syscall " + std::to_string(e.syscall) + " is not a credential change"};
    PrivilegeEvent out;
    out.common = std::move(common.value());
    out.syscall = privilege_syscall_name(e.syscall);
    const kscope_creds& o = e.old_creds;
    const kscope_creds& n = e.new_creds;
    out.old_uid = o.uid, out.old_euid = o.euid, out.old_suid = o.suid, out.old_fsuid = o.fsuid;
    out.old_gid = o.gid, out.old_egid = o.egid, out.old_sgid = o.sgid, out.old_fsgid = o.fsgid;
    out.new_uid = n.uid, out.new_euid = n.euid, out.new_suid = n.suid, out.new_fsuid = n.fsuid;
    out.new_gid = n.gid, out.new_egid = n.egid, out.new_sgid = n.sgid, out.new_fsgid = n.fsgid;
    out.old_cap_effective = o.cap_effective, out.new_cap_effective = n.cap_effective;
    out.old_cap_permitted = o.cap_permitted, out.new_cap_permitted = n.cap_permitted;
    out.ret = e.ret;
    // setfsuid/setfsgid return the previous id, never an error; as an int it turns
    // negative above 2^31 (65534 is fine, 4294967294 would read as -2).
    if (e.syscall == KSCOPE_PRIV_SETFSUID || e.syscall == KSCOPE_PRIV_SETFSGID)
        out.ret = static_cast<uint32_t>(e.ret);
    return out;
}

Result<PtraceEvent> decode_ptrace(RawEvent raw, const DecodeContext& ctx, const CommLookup& lookup) {
    auto common = decode_header(raw, KSCOPE_EVENT_PTRACE, sizeof(kscope_ptrace_event), ctx);
    if (!common)
        return common.error().context("ptrace event");
    auto e = raw_struct<kscope_ptrace_event>(raw);
    PtraceEvent out;
    out.common = std::move(common.value());
    const bool is_ptrace = e.syscall == KSCOPE_PRIV_PTRACE;
    if (!is_ptrace && e.syscall != KSCOPE_PRIV_PROCESS_VM_WRITEV)
        return Error{"ptrace event: syscall " + std::to_string(e.syscall) + " is neither ptrace nor process_vm_writev"};
    out.syscall = privilege_syscall_name(e.syscall);
    if (is_ptrace) {
        out.request = ptrace_request_name(e.request);
        out.request_code = e.request;
    }
    out.target_pid = e.target_pid;
    if (e.flags & KSCOPE_PTRACE_TARGET_FOUND)
        out.target_comm = fixed_string(e.target_comm, sizeof(e.target_comm));
    else if (lookup && e.target_pid && (e.flags & KSCOPE_PTRACE_CALLER_INIT_PIDNS))
        out.target_comm = lookup(e.target_pid);
    out.bytes = e.bytes;
    out.ret = e.ret;
    return out;
}

Result<ModuleLoadEvent> decode_module_load(RawEvent raw, const DecodeContext& ctx) {
    auto common = decode_header(raw, KSCOPE_EVENT_MODULE_LOAD, sizeof(kscope_module_load_event), ctx);
    if (!common)
        return common.error().context("module_load event");
    auto e = raw_struct<kscope_module_load_event>(raw);
    if (e.syscall != KSCOPE_PRIV_INIT_MODULE && e.syscall != KSCOPE_PRIV_FINIT_MODULE)
        return Error{"module_load event: syscall " + std::to_string(e.syscall) + " is not a module load"};
    const size_t data_len = size_t(e.path_len) + e.params_len;
    if (sizeof(e) + data_len > raw.size())
        return Error{"module_load event: path and parameters (" + std::to_string(data_len) +
                     " bytes) run past its " + std::to_string(raw.size()) + " bytes"};
    const char* data = reinterpret_cast<const char*>(raw.data()) + sizeof(e);
    ModuleLoadEvent out;
    out.common = std::move(common.value());
    out.syscall = privilege_syscall_name(e.syscall);
    out.name = fixed_string(e.name, sizeof(e.name));
    out.path.assign(data, e.path_len);
    out.params.assign(data + e.path_len, e.params_len);
    out.ret = e.ret;
    return out;
}

Result<BpfEvent> decode_bpf(RawEvent raw, const DecodeContext& ctx, const BpfTypeNames& names) {
    auto common = decode_header(raw, KSCOPE_EVENT_BPF, sizeof(kscope_bpf_event), ctx);
    if (!common)
        return common.error().context("bpf event");
    auto e = raw_struct<kscope_bpf_event>(raw);
    BpfEvent out;
    out.common = std::move(common.value());
    // enum bpf_cmd: the probe reports these two.
    constexpr uint32_t kMapCreate = 0, kProgLoad = 5;
    if (e.command == kProgLoad) {
        out.command = "BPF_PROG_LOAD";
        out.prog_type = names.prog_type(e.object_type);
    } else if (e.command == kMapCreate) {
        out.command = "BPF_MAP_CREATE";
        out.map_type = names.map_type(e.object_type);
    } else {
        return Error{"bpf event: command " + std::to_string(e.command) + " is neither a program load nor a map creation"};
    }
    out.name = fixed_string(e.name, sizeof(e.name));
    out.ret = e.ret;
    return out;
}

Result<PerfEventOpenEvent> decode_perf_event_open(RawEvent raw, const DecodeContext& ctx) {
    auto common = decode_header(raw, KSCOPE_EVENT_PERF_EVENT_OPEN, sizeof(kscope_perf_event_open_event), ctx);
    if (!common)
        return common.error().context("perf_event_open event");
    auto e = raw_struct<kscope_perf_event_open_event>(raw);
    // PERF_TYPE_*; dynamic PMUs (kprobe, uprobe, the CPU's own) have numbers past these.
    static const char* const types[] = {"hardware", "software", "tracepoint", "hw_cache", "raw", "breakpoint"};
    PerfEventOpenEvent out;
    out.common = std::move(common.value());
    out.perf_type = e.perf_type;
    out.perf_type_name = e.perf_type < std::size(types) ? types[e.perf_type] : std::to_string(e.perf_type);
    out.config = e.config;
    out.target_pid = e.target_pid;
    out.cpu = e.cpu;
    out.ret = e.ret;
    return out;
}

Result<UserfaultfdEvent> decode_userfaultfd(RawEvent raw, const DecodeContext& ctx) {
    auto common = decode_header(raw, KSCOPE_EVENT_USERFAULTFD, sizeof(kscope_userfaultfd_event), ctx);
    if (!common)
        return common.error().context("userfaultfd event");
    auto e = raw_struct<kscope_userfaultfd_event>(raw);
    UserfaultfdEvent out;
    out.common = std::move(common.value());
    out.flags = e.flags;
    out.ret = e.ret;
    return out;
}

}  // namespace kscope
