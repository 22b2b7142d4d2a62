// The privilege probe's decoders fed synthetic raw events laid out as the BPF side does.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "events/decode_privilege.h"
#include "raw_event_util.h"
#include "kscope/abi/privilege.h"

namespace kscope {
namespace {

using test::bytes_of;
using test::expect_common;
using test::header;
using test::kCtx;

kscope_creds creds(uint32_t base, uint64_t caps) {
    return kscope_creds{base, base + 1, base + 2, base + 3, base + 4, base + 5, base + 6, base + 7, caps, caps << 1};
}

TEST(DecodePrivilege, CarriesEveryIdAndCapabilityBeforeAndAfter) {
    kscope_privilege_event e{};
    e.hdr = header(KSCOPE_EVENT_PRIVILEGE, sizeof e);
    e.ret = -1;
    e.old_creds = creds(0, 0x1ffffffffffULL);
    e.new_creds = creds(1000, 0x20);
    e.syscall = KSCOPE_PRIV_SETRESUID;
    auto d = decode_privilege(bytes_of(e), kCtx);
    ASSERT_TRUE(d.ok()) << d.error().message;
    expect_common(d->common);
    EXPECT_STREQ(d->syscall, "setresuid");
    EXPECT_EQ(d->old_uid, 0u);
    EXPECT_EQ(d->old_euid, 1u);
    EXPECT_EQ(d->old_suid, 2u);
    EXPECT_EQ(d->old_fsuid, 3u);
    EXPECT_EQ(d->old_gid, 4u);
    EXPECT_EQ(d->old_egid, 5u);
    EXPECT_EQ(d->old_sgid, 6u);
    EXPECT_EQ(d->old_fsgid, 7u);
    EXPECT_EQ(d->new_uid, 1000u);
    EXPECT_EQ(d->new_euid, 1001u);
    EXPECT_EQ(d->new_suid, 1002u);
    EXPECT_EQ(d->new_fsuid, 1003u);
    EXPECT_EQ(d->new_gid, 1004u);
    EXPECT_EQ(d->new_egid, 1005u);
    EXPECT_EQ(d->new_sgid, 1006u);
    EXPECT_EQ(d->new_fsgid, 1007u);
    EXPECT_EQ(d->old_cap_effective, 0x1ffffffffffULL);
    EXPECT_EQ(d->old_cap_permitted, 0x1ffffffffffULL << 1);
    EXPECT_EQ(d->new_cap_effective, 0x20u);
    EXPECT_EQ(d->new_cap_permitted, 0x40u);
    EXPECT_EQ(d->ret, -1);
}

TEST(DecodePrivilege, SetfsuidReturnsThePreviousIdNotAnError) {
    kscope_privilege_event e{};
    e.hdr = header(KSCOPE_EVENT_PRIVILEGE, sizeof e);
    e.ret = -2;  // the kernel's int for fsuid 4294967294
    e.syscall = KSCOPE_PRIV_SETFSUID;
    auto d = decode_privilege(bytes_of(e), kCtx);
    ASSERT_TRUE(d.ok());
    EXPECT_STREQ(d->syscall, "setfsuid");
    EXPECT_EQ(d->ret, 4294967294);
}

TEST(DecodePrivilege, NamesEverySyscall) {
    const char* want[] = {"setuid",   "setgid",   "setreuid",  "setregid", "setresuid",
                          "setresgid", "setfsuid", "setfsgid", "setgroups", "capset"};
    for (uint16_t s = 0; s <= KSCOPE_PRIV_CAPSET; s++) {
        kscope_privilege_event e{};
        e.hdr = header(KSCOPE_EVENT_PRIVILEGE, sizeof e);
        e.syscall = s;
        auto d = decode_privilege(bytes_of(e), kCtx);
        ASSERT_TRUE(d.ok());
        EXPECT_STREQ(d->syscall, want[s]);
    }
    kscope_privilege_event e{};
    e.hdr = header(KSCOPE_EVENT_PRIVILEGE, sizeof e);
    e.syscall = KSCOPE_PRIV_PTRACE;
    EXPECT_FALSE(decode_privilege(bytes_of(e), kCtx).ok());
}

TEST(DecodePrivilege, RefusesShortAndMistypedEvents) {
    kscope_privilege_event e{};
    e.hdr = header(KSCOPE_EVENT_PTRACE, sizeof e);
    EXPECT_FALSE(decode_privilege(bytes_of(e), kCtx).ok());
    e.hdr = header(KSCOPE_EVENT_PRIVILEGE, sizeof e);
    auto raw = bytes_of(e);
    raw.resize(sizeof e - 1);
    EXPECT_FALSE(decode_privilege(raw, kCtx).ok());
}

kscope_ptrace_event ptrace_raw(int64_t request, uint16_t flags) {
    kscope_ptrace_event e{};
    e.hdr = header(KSCOPE_EVENT_PTRACE, sizeof e);
    e.ret = 0;
    e.request = request;
    e.target_pid = 4242;
    e.syscall = KSCOPE_PRIV_PTRACE;
    e.flags = flags;
    std::strncpy(e.target_comm, "victim", sizeof e.target_comm);
    return e;
}

TEST(DecodePtrace, TargetCommFromTheKernel) {
    auto e = ptrace_raw(0x4206, KSCOPE_PTRACE_TARGET_FOUND | KSCOPE_PTRACE_CALLER_INIT_PIDNS);
    bool asked = false;
    auto d = decode_ptrace(bytes_of(e), kCtx, [&](uint32_t) {
        asked = true;
        return std::string("wrong");
    });
    ASSERT_TRUE(d.ok()) << d.error().message;
    expect_common(d->common);
    EXPECT_STREQ(d->syscall, "ptrace");
    EXPECT_EQ(d->request, "PTRACE_SEIZE");
    EXPECT_EQ(d->request_code, 0x4206);
    EXPECT_EQ(d->target_pid, 4242u);
    EXPECT_EQ(d->target_comm, "victim");
    EXPECT_EQ(d->bytes, 0u);
    EXPECT_EQ(d->ret, 0);
    EXPECT_FALSE(asked);
}

TEST(DecodePtrace, TargetCommLookedUpOnlyForTheInitialPidNamespace) {
    auto e = ptrace_raw(16, KSCOPE_PTRACE_CALLER_INIT_PIDNS);
    e.ret = -1;
    auto lookup = [](uint32_t pid) { return pid == 4242 ? std::string("fromproc") : std::string(); };
    auto d = decode_ptrace(bytes_of(e), kCtx, lookup);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->request, "PTRACE_ATTACH");
    EXPECT_EQ(d->target_comm, "fromproc");
    EXPECT_EQ(d->ret, -1);

    e.flags = 0;  // a caller in a container: its pids are not ours
    d = decode_ptrace(bytes_of(e), kCtx, lookup);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->target_comm, "");
}

TEST(DecodePtrace, ProcessVmWritevHasBytesAndNoRequest) {
    kscope_ptrace_event e{};
    e.hdr = header(KSCOPE_EVENT_PTRACE, sizeof e);
    e.ret = 12;
    e.bytes = 12;
    e.target_pid = 7;
    e.syscall = KSCOPE_PRIV_PROCESS_VM_WRITEV;
    auto d = decode_ptrace(bytes_of(e), kCtx);
    ASSERT_TRUE(d.ok());
    EXPECT_STREQ(d->syscall, "process_vm_writev");
    EXPECT_EQ(d->request, "");
    EXPECT_EQ(d->request_code, 0);
    EXPECT_EQ(d->bytes, 12u);
    EXPECT_EQ(d->target_pid, 7u);
    EXPECT_EQ(d->ret, 12);
}

TEST(DecodePtrace, RequestNames) {
    EXPECT_EQ(ptrace_request_name(0), "PTRACE_TRACEME");
    EXPECT_EQ(ptrace_request_name(4), "PTRACE_POKETEXT");
    EXPECT_EQ(ptrace_request_name(5), "PTRACE_POKEDATA");
    EXPECT_EQ(ptrace_request_name(16), "PTRACE_ATTACH");
    EXPECT_EQ(ptrace_request_name(0x4206), "PTRACE_SEIZE");
    EXPECT_EQ(ptrace_request_name(0x7777), "30583");
}

TEST(DecodeModuleLoad, NamePathAndParams) {
    const std::string path = "/lib/modules/6.1/kernel/fs/fat/fat.ko", params = "debug=1 x=2";
    kscope_module_load_event e{};
    e.hdr = header(KSCOPE_EVENT_MODULE_LOAD, sizeof e + path.size() + params.size());
    e.ret = 0;
    e.syscall = KSCOPE_PRIV_FINIT_MODULE;
    e.path_len = path.size();
    e.params_len = params.size();
    std::strncpy(e.name, "fat", sizeof e.name);
    auto d = decode_module_load(bytes_of(e, path + params), kCtx);
    ASSERT_TRUE(d.ok()) << d.error().message;
    expect_common(d->common);
    EXPECT_STREQ(d->syscall, "finit_module");
    EXPECT_EQ(d->name, "fat");
    EXPECT_EQ(d->path, path);
    EXPECT_EQ(d->params, params);
    EXPECT_EQ(d->ret, 0);
}

TEST(DecodeModuleLoad, InitModuleFailureAndTruncatedData) {
    kscope_module_load_event e{};
    e.hdr = header(KSCOPE_EVENT_MODULE_LOAD, sizeof e + 3);
    e.ret = -8;
    e.syscall = KSCOPE_PRIV_INIT_MODULE;
    e.params_len = 3;
    auto d = decode_module_load(bytes_of(e, "a=b"), kCtx);
    ASSERT_TRUE(d.ok());
    EXPECT_STREQ(d->syscall, "init_module");
    EXPECT_EQ(d->name, "");
    EXPECT_EQ(d->path, "");
    EXPECT_EQ(d->params, "a=b");
    EXPECT_EQ(d->ret, -8);
    e.params_len = 30;  // more than the event holds
    EXPECT_FALSE(decode_module_load(bytes_of(e, "a=b"), kCtx).ok());
}

TEST(DecodeBpf, MapCreateAndProgLoadNamed) {
    BpfTypeNames names({{2, "BPF_PROG_TYPE_KPROBE"}}, {{2, "BPF_MAP_TYPE_ARRAY"}});
    kscope_bpf_event e{};
    e.hdr = header(KSCOPE_EVENT_BPF, sizeof e);
    e.ret = 5;
    e.command = 0;  // BPF_MAP_CREATE
    e.object_type = 2;
    std::strncpy(e.name, "counters", sizeof e.name);
    auto d = decode_bpf(bytes_of(e), kCtx, names);
    ASSERT_TRUE(d.ok()) << d.error().message;
    expect_common(d->common);
    EXPECT_EQ(d->command, "BPF_MAP_CREATE");
    EXPECT_EQ(d->map_type, "BPF_MAP_TYPE_ARRAY");
    EXPECT_EQ(d->prog_type, "");
    EXPECT_EQ(d->name, "counters");
    EXPECT_EQ(d->ret, 5);

    e.command = 5;  // BPF_PROG_LOAD
    e.ret = -13;
    std::memcpy(e.name, "sixteen_bytes_ab", sizeof e.name);  // no NUL: the kernel's maximum
    d = decode_bpf(bytes_of(e), kCtx, names);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->command, "BPF_PROG_LOAD");
    EXPECT_EQ(d->prog_type, "BPF_PROG_TYPE_KPROBE");
    EXPECT_EQ(d->map_type, "");
    EXPECT_EQ(d->name, "sixteen_bytes_ab");
    EXPECT_EQ(d->ret, -13);

    e.command = 1;
    EXPECT_FALSE(decode_bpf(bytes_of(e), kCtx, names).ok());
}

TEST(BpfTypeNames, FallsBackToLibbpfThenTheNumber) {
    BpfTypeNames names({}, {});
    EXPECT_EQ(names.prog_type(1), "BPF_PROG_TYPE_SOCKET_FILTER");
    EXPECT_EQ(names.map_type(1), "BPF_MAP_TYPE_HASH");
    EXPECT_EQ(names.map_type(100000), "100000");
}

TEST(BpfTypeNames, KernelNamesComeFromBtf) {
    if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
        GTEST_SKIP() << "SKIPPED: no kernel BTF to read";
    auto names = BpfTypeNames::from_kernel();
    EXPECT_EQ(names.map_type(2), "BPF_MAP_TYPE_ARRAY");
    EXPECT_EQ(names.prog_type(5), "BPF_PROG_TYPE_TRACEPOINT");
    EXPECT_EQ(names.map_type(19), "BPF_MAP_TYPE_CGROUP_STORAGE");  // not its _DEPRECATED alias
}

TEST(DecodePerfEventOpen, TypeNamedAndNumbersKept) {
    kscope_perf_event_open_event e{};
    e.hdr = header(KSCOPE_EVENT_PERF_EVENT_OPEN, sizeof e);
    e.ret = 3;
    e.config = 0;  // PERF_COUNT_SW_CPU_CLOCK
    e.perf_type = 1;
    e.target_pid = 0;
    e.cpu = -1;
    auto d = decode_perf_event_open(bytes_of(e), kCtx);
    ASSERT_TRUE(d.ok()) << d.error().message;
    expect_common(d->common);
    EXPECT_EQ(d->perf_type, 1u);
    EXPECT_EQ(d->perf_type_name, "software");
    EXPECT_EQ(d->config, 0u);
    EXPECT_EQ(d->target_pid, 0);
    EXPECT_EQ(d->cpu, -1);
    EXPECT_EQ(d->ret, 3);
    e.perf_type = 9;  // a dynamic PMU
    e.config = 0x1234;
    d = decode_perf_event_open(bytes_of(e), kCtx);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->perf_type_name, "9");
    EXPECT_EQ(d->config, 0x1234u);
}

TEST(DecodeUserfaultfd, FlagsAndResult) {
    kscope_userfaultfd_event e{};
    e.hdr = header(KSCOPE_EVENT_USERFAULTFD, sizeof e);
    e.ret = -1;
    e.flags = 02004000;
    auto d = decode_userfaultfd(bytes_of(e), kCtx);
    ASSERT_TRUE(d.ok()) << d.error().message;
    expect_common(d->common);
    EXPECT_EQ(d->flags, 02004000u);
    EXPECT_EQ(d->ret, -1);
}

}  // namespace
}  // namespace kscope
