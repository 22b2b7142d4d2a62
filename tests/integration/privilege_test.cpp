// kscope privilege against the real kernel: each call made for real in a forked child,
// then its event's exact fields. One kscope runs for the whole suite (its start and
// stop cost about a second each); events are told apart by the child's pid.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/perf_event.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "bpf/bpf_object.h"
#include "child_results.h"
#include "harness.h"
#include "tool_fixture.h"
#include "metrics/prometheus_text.h"
#include "privilege.skel.h"
#include "probes/privilege_probe.h"
#include "probes/probe.h"
#include "wait_util.h"

namespace kscope::test {
namespace {

using std::chrono::milliseconds;

using Results = ChildResults;

std::string own_comm() {
    std::ifstream in("/proc/self/comm");
    std::string comm;
    std::getline(in, comm);
    return comm;
}

// This process's capability set from /proc/self/status ("CapEff", "CapPrm").
uint64_t own_caps(const std::string& which) {
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind(which + ":", 0) == 0)
            return std::stoull(line.substr(which.size() + 1), nullptr, 16);
    return 0;
}

constexpr char kPrivilegeTool[] = "privilege";
using PrivilegeProbeTest = SharedToolTest<kPrivilegeTool>;

TEST_F(PrivilegeProbeTest, SetresuidToANonRootUid) {
    Results r;
    pid_t child = spawn([&] {
        set_comm("kscope-setres");
        r.put(syscall(SYS_setresuid, 1000, 1001, 1002));
    });
    wait_child(child);
    ASSERT_EQ(r.take(), std::vector<long>{0});
    auto e = event("privilege", child);
    expect_common(e, child, "kscope-setres");
    EXPECT_EQ(e["syscall"], "setresuid");
    EXPECT_EQ(e["uid"], 1000) << "the header is the caller at the call's end";
    EXPECT_EQ(e["old_uid"], 0);
    EXPECT_EQ(e["old_euid"], 0);
    EXPECT_EQ(e["old_suid"], 0);
    EXPECT_EQ(e["old_fsuid"], 0);
    EXPECT_EQ(e["new_uid"], 1000);
    EXPECT_EQ(e["new_euid"], 1001);
    EXPECT_EQ(e["new_suid"], 1002);
    EXPECT_EQ(e["new_fsuid"], 1001) << "fsuid follows euid";
    for (const char* g : {"old_gid", "old_egid", "old_sgid", "old_fsgid", "new_gid", "new_egid", "new_sgid", "new_fsgid"})
        EXPECT_EQ(e[g], 0) << g;
    EXPECT_EQ(e["old_cap_effective"], hex(own_caps("CapEff")));
    EXPECT_EQ(e["old_cap_permitted"], hex(own_caps("CapPrm")));
    // Leaving uid 0 on every id clears both sets (no SECBIT_KEEP_CAPS).
    EXPECT_EQ(e["new_cap_effective"], "0x0");
    EXPECT_EQ(e["new_cap_permitted"], "0x0");
    EXPECT_EQ(e["ret"], 0);
    EXPECT_EQ(e["error"], "");
}

TEST_F(PrivilegeProbeTest, SetuidAsNonRootFailsWithEperm) {
    Results r;
    pid_t child = spawn([&] {
        set_comm("kscope-setuid");
        r.put(syscall(SYS_setresgid, 1000, 1000, 1000));
        r.put(syscall(SYS_setresuid, 1000, 1000, 1000));
        r.put(syscall(SYS_setuid, 0));
    });
    wait_child(child);
    ASSERT_EQ(r.take(), (std::vector<long>{0, 0, -EPERM}));
    auto all = events("privilege", child, 3);
    ASSERT_EQ(all.size(), 3u) << kscope_->stdout_text();
    EXPECT_EQ(all[0]["syscall"], "setresgid");
    EXPECT_EQ(all[0]["old_gid"], 0);
    EXPECT_EQ(all[0]["new_gid"], 1000);
    EXPECT_EQ(all[0]["new_egid"], 1000);
    EXPECT_EQ(all[0]["new_sgid"], 1000);
    EXPECT_EQ(all[0]["new_fsgid"], 1000);
    EXPECT_EQ(all[0]["gid"], 1000);
    const auto& e = all[2];
    expect_common(e, child, "kscope-setuid");
    EXPECT_EQ(e["syscall"], "setuid");
    EXPECT_EQ(e["ret"], -EPERM);
    EXPECT_EQ(e["error"], "EPERM");
    for (const char* id : {"old_uid", "old_euid", "old_suid", "old_fsuid", "new_uid", "new_euid", "new_suid", "new_fsuid"})
        EXPECT_EQ(e[id], 1000) << id;
    EXPECT_EQ(e["old_cap_effective"], "0x0");
    EXPECT_EQ(e["new_cap_effective"], "0x0");
}

TEST_F(PrivilegeProbeTest, SetfsuidReturnsThePreviousFsuid) {
    Results r;
    pid_t child = spawn([&] {
        set_comm("kscope-setfsuid");
        r.put(syscall(SYS_setfsuid, 4321));
    });
    wait_child(child);
    ASSERT_EQ(r.take(), std::vector<long>{0});
    auto e = event("privilege", child);
    EXPECT_EQ(e["syscall"], "setfsuid");
    EXPECT_EQ(e["old_fsuid"], 0);
    EXPECT_EQ(e["new_fsuid"], 4321);
    EXPECT_EQ(e["new_euid"], 0);
    EXPECT_EQ(e["ret"], 0) << "the fsuid before the call";
    EXPECT_EQ(e["error"], "");
}

TEST_F(PrivilegeProbeTest, CapsetDroppingACapability) {
    const uint64_t before_eff = own_caps("CapEff"), before_prm = own_caps("CapPrm");
    constexpr int kNetRaw = 13;  // CAP_NET_RAW
    ASSERT_TRUE(before_eff & (1ull << kNetRaw)) << "the test needs CAP_NET_RAW to drop";
    Results r;
    pid_t child = spawn([&] {
        set_comm("kscope-capset");
        __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
        __user_cap_data_struct data[2]{};
        if (syscall(SYS_capget, &hdr, data) != 0)
            _exit(4);
        data[0].effective &= ~(1u << kNetRaw);
        data[0].permitted &= ~(1u << kNetRaw);
        r.put(syscall(SYS_capset, &hdr, data));
    });
    wait_child(child);
    ASSERT_EQ(r.take(), std::vector<long>{0});
    auto e = event("privilege", child);
    expect_common(e, child, "kscope-capset");
    EXPECT_EQ(e["syscall"], "capset");
    EXPECT_EQ(e["old_cap_effective"], hex(before_eff));
    EXPECT_EQ(e["old_cap_permitted"], hex(before_prm));
    EXPECT_EQ(e["new_cap_effective"], hex(before_eff & ~(1ull << kNetRaw)));
    EXPECT_EQ(e["new_cap_permitted"], hex(before_prm & ~(1ull << kNetRaw)));
    EXPECT_EQ(e["old_uid"], 0);
    EXPECT_EQ(e["new_uid"], 0);
    EXPECT_EQ(e["ret"], 0);
}

// A word the tracer pokes into its target: fork keeps the address.
volatile long poke_target_word = 0;

// A child that sleeps under the name comm until killed.
pid_t sleeper(const char* comm) {
    return spawn([comm] {
        set_comm(comm);
        for (;;)
            pause();
    });
}

void kill_and_reap(pid_t pid) {
    kill(pid, SIGKILL);
    wait_child(pid);
}

TEST_F(PrivilegeProbeTest, PtraceAttachPokeAndSeizeNameTheTarget) {
    pid_t target = sleeper("kscope-ptarget");
    ASSERT_TRUE(eventually([&] { return run_shell("cat /proc/" + std::to_string(target) + "/comm").text ==
                                        "kscope-ptarget\n"; },
                           milliseconds(2000)));
    Results r;
    pid_t tracer = spawn([&] {
        set_comm("kscope-tracer");
        r.put(ptrace(PTRACE_ATTACH, target, nullptr, nullptr));
        int status;
        waitpid(target, &status, __WALL);
        r.put(ptrace(PTRACE_POKEDATA, target, const_cast<long*>(&poke_target_word), 42L));
        r.put(ptrace(PTRACE_DETACH, target, nullptr, nullptr));
        r.put(ptrace(PTRACE_SEIZE, target, nullptr, nullptr));
    });
    wait_child(tracer);  // its exit detaches the seized target
    auto results = r.take();
    ASSERT_EQ(results, (std::vector<long>{0, 0, 0, 0}));
    auto all = events("ptrace", tracer, 4);
    kill_and_reap(target);
    ASSERT_EQ(all.size(), 4u) << kscope_->stdout_text();
    const char* requests[] = {"PTRACE_ATTACH", "PTRACE_POKEDATA", "PTRACE_DETACH", "PTRACE_SEIZE"};
    const int codes[] = {16, 5, 17, 0x4206};
    for (size_t i = 0; i < 4; i++) {
        const auto& e = all[i];
        expect_common(e, tracer, "kscope-tracer");
        EXPECT_EQ(e["syscall"], "ptrace");
        EXPECT_EQ(e["request"], requests[i]);
        EXPECT_EQ(e["request_code"], codes[i]);
        EXPECT_EQ(e["target_pid"], target);
        EXPECT_EQ(e["target_comm"], "kscope-ptarget") << e.dump();
        EXPECT_EQ(e["bytes"], 0);
        EXPECT_EQ(e["ret"], 0);
    }
}

TEST_F(PrivilegeProbeTest, PtraceTracemeNamesTheParent) {
    Results r;
    pid_t child = spawn([&] {
        set_comm("kscope-traceme");
        r.put(ptrace(PTRACE_TRACEME, 0, nullptr, nullptr));
    });
    wait_child(child);
    ASSERT_EQ(r.take(), std::vector<long>{0});
    auto e = event("ptrace", child);
    expect_common(e, child, "kscope-traceme");
    EXPECT_EQ(e["request"], "PTRACE_TRACEME");
    EXPECT_EQ(e["request_code"], 0);
    EXPECT_EQ(e["target_pid"], getpid());
    EXPECT_EQ(e["target_comm"], own_comm());
    EXPECT_EQ(e["ret"], 0);
}

char remote_buffer[64];

TEST_F(PrivilegeProbeTest, ProcessVmWritevIntoAnotherProcess) {
    pid_t target = sleeper("kscope-vmtarget");
    ASSERT_TRUE(eventually([&] { return run_shell("cat /proc/" + std::to_string(target) + "/comm").text ==
                                        "kscope-vmtarget\n"; },
                           milliseconds(2000)));
    Results r;
    pid_t writer = spawn([&] {
        set_comm("kscope-vmwriter");
        char a[] = "hello", b[] = "kscope!";
        iovec local[2] = {{a, 5}, {b, 7}};
        iovec remote[1] = {{remote_buffer, 12}};
        r.put(process_vm_writev(target, local, 2, remote, 1, 0));
    });
    wait_child(writer);
    ASSERT_EQ(r.take(), std::vector<long>{12});
    auto e = event("ptrace", writer);  // the target is alive while kscope decodes it
    kill_and_reap(target);
    expect_common(e, writer, "kscope-vmwriter");
    EXPECT_EQ(e["syscall"], "process_vm_writev");
    EXPECT_EQ(e["request"], "");
    EXPECT_EQ(e["request_code"], 0);
    EXPECT_EQ(e["target_pid"], target);
    EXPECT_EQ(e["target_comm"], "kscope-vmtarget");
    EXPECT_EQ(e["bytes"], 12);
    EXPECT_EQ(e["ret"], 12);
}

long bpf_call(int cmd, bpf_attr& attr) { return syscall(SYS_bpf, cmd, &attr, sizeof attr); }

TEST_F(PrivilegeProbeTest, BpfMapCreateAndProgLoadFromAChild) {
    Results r;
    pid_t child = spawn([&] {
        set_comm("kscope-bpfuser");
        bpf_attr map{};
        map.map_type = BPF_MAP_TYPE_ARRAY;
        map.key_size = 4;
        map.value_size = 8;
        map.max_entries = 1;
        std::strncpy(map.map_name, "kscope_tmap", sizeof map.map_name);
        r.put(bpf_call(BPF_MAP_CREATE, map) >= 0 ? 0 : -1);

        bpf_insn insns[2] = {};
        insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;  // r0 = 0
        insns[0].dst_reg = BPF_REG_0;
        insns[1].code = BPF_JMP | BPF_EXIT;
        bpf_attr prog{};
        prog.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
        prog.insns = reinterpret_cast<uint64_t>(insns);
        prog.insn_cnt = 2;
        prog.license = reinterpret_cast<uint64_t>("GPL");
        std::strncpy(prog.prog_name, "kscope_tprog", sizeof prog.prog_name);
        r.put(bpf_call(BPF_PROG_LOAD, prog) >= 0 ? 0 : -1);

        bpf_attr bad{};
        bad.map_type = BPF_MAP_TYPE_HASH;  // key_size 0: refused
        std::strncpy(bad.map_name, "kscope_bad", sizeof bad.map_name);
        r.put(bpf_call(BPF_MAP_CREATE, bad));
    });
    wait_child(child);
    ASSERT_EQ(r.take(), (std::vector<long>{0, 0, -EINVAL}));
    auto all = events("bpf", child, 3);
    ASSERT_EQ(all.size(), 3u) << kscope_->stdout_text();
    expect_common(all[0], child, "kscope-bpfuser");
    EXPECT_EQ(all[0]["syscall"], "bpf");
    EXPECT_EQ(all[0]["command"], "BPF_MAP_CREATE");
    EXPECT_EQ(all[0]["map_type"], "BPF_MAP_TYPE_ARRAY");
    EXPECT_EQ(all[0]["prog_type"], "");
    EXPECT_EQ(all[0]["name"], "kscope_tmap");
    EXPECT_GE(all[0]["ret"].get<int>(), 0);
    EXPECT_EQ(all[1]["command"], "BPF_PROG_LOAD");
    EXPECT_EQ(all[1]["prog_type"], "BPF_PROG_TYPE_SOCKET_FILTER");
    EXPECT_EQ(all[1]["map_type"], "");
    EXPECT_EQ(all[1]["name"], "kscope_tprog");
    EXPECT_GE(all[1]["ret"].get<int>(), 0);
    EXPECT_EQ(all[2]["map_type"], "BPF_MAP_TYPE_HASH");
    EXPECT_EQ(all[2]["name"], "kscope_bad");
    EXPECT_EQ(all[2]["ret"], -EINVAL);
    EXPECT_EQ(all[2]["error"], "EINVAL");
}

long perf_open_cpu_clock() {
    perf_event_attr attr{};
    attr.type = PERF_TYPE_SOFTWARE;
    attr.size = sizeof attr;
    attr.config = PERF_COUNT_SW_CPU_CLOCK;
    attr.disabled = 1;
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;
    return syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
}

TEST_F(PrivilegeProbeTest, PerfEventOpenOnlyByNonRoot) {
    Results r;
    pid_t child = spawn([&] {
        set_comm("kscope-perfuser");
        r.put(perf_open_cpu_clock() >= 0 ? 0 : -1);  // as root: no event
        r.put(syscall(SYS_setresuid, 65534, 65534, 65534));
        long fd = perf_open_cpu_clock();
        r.put(fd);
    });
    wait_child(child);
    auto results = r.take();
    ASSERT_EQ(results.size(), 3u);
    ASSERT_EQ(results[0], 0);
    ASSERT_EQ(results[1], 0);
    auto e = event("perf_event_open", child);
    expect_common(e, child, "kscope-perfuser");
    EXPECT_EQ(e["uid"], 65534);
    EXPECT_EQ(e["syscall"], "perf_event_open");
    EXPECT_EQ(e["perf_type"], PERF_TYPE_SOFTWARE);
    EXPECT_EQ(e["perf_type_name"], "software");
    EXPECT_EQ(e["config"], PERF_COUNT_SW_CPU_CLOCK);
    EXPECT_EQ(e["target_pid"], 0);
    EXPECT_EQ(e["cpu"], -1);
    EXPECT_EQ(e["ret"], results[2]) << "as the child saw it (perf_event_paranoid decides)";
}

TEST_F(PrivilegeProbeTest, Userfaultfd) {
    Results r;
    pid_t child = spawn([&] {
        set_comm("kscope-uffd");
        r.put(syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK));
    });
    wait_child(child);
    auto results = r.take();
    ASSERT_EQ(results.size(), 1u);
    auto e = event("userfaultfd", child);
    expect_common(e, child, "kscope-uffd");
    EXPECT_EQ(e["syscall"], "userfaultfd");
    EXPECT_EQ(e["flags"], O_CLOEXEC | O_NONBLOCK);
    EXPECT_EQ(e["ret"], results[0]);
    EXPECT_GE(results[0], 0) << "root may always create one";
}

bool kernel_traces_module_loads() {
    return access("/sys/kernel/tracing/events/syscalls/sys_enter_finit_module", F_OK) == 0;
}

// finit_module on a file that is no module fails in the kernel's ELF check, before any
// name exists: syscall, path and parameters are still reported, with the error.
TEST_F(PrivilegeProbeTest, FinitModuleOfANonModuleFile) {
    if (!kernel_traces_module_loads())
        GTEST_SKIP() << "SKIPPED: this kernel has no module support (CONFIG_MODULES off: no module syscall "
                        "tracepoints, finit_module returns ENOSYS); ModuleProgramsPassTheVerifier checks the programs";
    TempDir dir("kscope-module");
    const std::string path = dir.path() + "/not-a-module.ko";
    std::ofstream(path) << "this is not an ELF file, the kernel refuses it";
    Results r;
    pid_t child = spawn([&] {
        set_comm("kscope-modload");
        int fd = open(path.c_str(), O_RDONLY);
        r.put(syscall(SYS_finit_module, fd, "kscope_param=1", 0));
    });
    wait_child(child);
    auto results = r.take();
    ASSERT_EQ(results.size(), 1u);
    ASSERT_LT(results[0], 0);
    auto e = event("module_load", child);
    expect_common(e, child, "kscope-modload");
    EXPECT_EQ(e["syscall"], "finit_module");
    EXPECT_EQ(e["path"], path);
    EXPECT_EQ(e["params"], "kscope_param=1");
    EXPECT_EQ(e["name"], "");
    EXPECT_EQ(e["ret"], results[0]);
}

// The module programs are left out where the kernel cannot attach them; the verifier
// still has to accept them for kernels that can.
TEST(PrivilegeProbe, ModuleProgramsPassTheVerifier) {
    REQUIRE_ROOT();
    auto obj = BpfObject::open("privilege", skeleton_elf(privilege_bpf__elf_bytes));
    ASSERT_TRUE(obj.ok()) << obj.error().message;
    auto loaded = obj->load();  // every program, attached to nothing
    EXPECT_TRUE(loaded.ok()) << loaded.error().message << "\n" << recent_libbpf_log();
    // What `kscope doctor` shows for the probe says so.
    PrivilegeProbe probe;
    ASSERT_TRUE(probe.load(ProbeOptions{}).ok());
    const bool said = std::string(probe.description()).find("module loads not traced") != std::string::npos;
    EXPECT_EQ(said, !kernel_traces_module_loads()) << probe.description();
}

// kscope_privilege_events_total counts in the kernel whatever the filters: a pid filter
// that selects nobody still counts the child's setuid.
TEST(PrivilegeProbe, MetricsCountCallsWhateverTheFilters) {
    REQUIRE_ROOT();
    PrivilegeProbe probe;
    ProbeOptions options;
    options.filter.pids = {1};
    ASSERT_TRUE(probe.load(options).ok());
    for (const auto& hook : probe.attach())
        ASSERT_TRUE(hook.attached) << hook.program << ": " << hook.error;
    auto setuid_count = [&] {
        PrometheusText m;
        probe.append_metrics(m);
        for (const auto& s : m.samples())
            if (s.name == "kscope_privilege_events_total" && s.labels == Labels{{"syscall", "setuid"}})
                return s.value;
        return -1.0;
    };
    const double before = setuid_count();
    ASSERT_GE(before, 0) << "no kscope_privilege_events_total{syscall=\"setuid\"}";
    pid_t child = spawn([] { syscall(SYS_setuid, 0); });
    wait_child(child);
    EXPECT_GE(setuid_count(), before + 1);
    EXPECT_NE(probe.counters_text().find("setuid"), std::string::npos) << probe.counters_text();
    probe.detach();
}

// The table: the generic layout of the security tools.
TEST(PrivilegeCli, Table) {
    REQUIRE_ROOT();
    Kscope k({"privilege", "-c", "kscope-privtab"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t child = spawn([] {
        set_comm("kscope-privtab");
        syscall(SYS_setgid, 0);
    });
    wait_child(child);
    ASSERT_TRUE(eventually([&] { return k.stdout_text().find("syscall=setgid") != std::string::npos; },
                           milliseconds(5000)))
        << k.stdout_text();
    k.stop();
    auto [header, row] = first_row(k.stdout_text());
    EXPECT_EQ(header.rfind("PCOMM", 0), 0u) << header;
    EXPECT_NE(header.find("DETAILS"), std::string::npos) << header;
    EXPECT_EQ(row.rfind("kscope-privtab", 0), 0u) << row;
    EXPECT_NE(row.find(" " + std::to_string(child) + " "), std::string::npos) << row;
    EXPECT_NE(row.find(" privilege "), std::string::npos) << row;
    EXPECT_NE(row.find("syscall=setgid"), std::string::npos) << row;
    EXPECT_NE(row.find("ret=0"), std::string::npos) << row;
}

// --json with -x (only the failed call of two) and --count (ends the run).
TEST(PrivilegeCli, JsonFailuresOnlyAndCount) {
    REQUIRE_ROOT();
    Kscope k({"privilege", "--json", "-x", "--count", "1", "-c", "kscope-privx"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t child = spawn([] {
        set_comm("kscope-privx");
        syscall(SYS_setresuid, 1000, 1000, 1000);
        syscall(SYS_setuid, 0);
    });
    wait_child(child);
    EXPECT_EQ(k.wait_exit(milliseconds(10000)), 0) << k.stderr_text();
    auto lines = k.json_lines();
    ASSERT_EQ(lines.size(), 1u) << k.stdout_text();
    EXPECT_EQ(lines[0]["type"], "privilege");
    EXPECT_EQ(lines[0]["syscall"], "setuid");
    EXPECT_EQ(lines[0]["error"], "EPERM");
    EXPECT_EQ(lines[0]["pid"], child);
}

}  // namespace
}  // namespace kscope::test
