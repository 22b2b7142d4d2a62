// The built-in process rules against the real agent: execs (searches, netcat, miners,
// memfd, /dev/shm, deleted and setuid programs), a web server's shell, ptrace and
// process_vm_writev, module and BPF loads, uid changes and userfaultfd, each made for real
// in a forked child, with its alert's fields and a near miss that raises nothing.
#include <grp.h>
#include <linux/bpf.h>
#include <linux/userfaultfd.h>
#include <pwd.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "default_rules_helpers.h"
#include "probes/privilege_probe.h"

namespace kscope::test::default_rules {
namespace {
namespace fs = std::filesystem;

class DefaultRulesProcess : public AgentSuite<DefaultRulesProcess> {};

std::string user_name(uid_t uid) {
    passwd* pw = getpwuid(uid);
    return pw ? pw->pw_name : "<NA>";
}

// A copy of program named `name` in a fresh directory others may enter.
struct ProgramCopy {
    TempDir dir{"kscope-rules-prog"};
    std::string path;
    ProgramCopy(const std::string& program, const std::string& name) {
        fs::permissions(dir.path(), fs::perms(0755));
        path = dir.path() + "/" + name;
        fs::copy_file(program, path);
        fs::permissions(path, fs::perms(0755));
    }
};

[[noreturn]] void exec_fd(int fd, const std::vector<std::string>& args) {
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    for (auto& a : copy)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    char* envp[] = {nullptr};
    syscall(SYS_execveat, fd, "", argv.data(), envp, AT_EMPTY_PATH);
    _exit(127);
}

// Drops to uid/gid nobody (all three ids); false if it could not.
bool become_nobody() {
    return setgroups(0, nullptr) == 0 && setresgid(kNobody, kNobody, kNobody) == 0 &&
           setresuid(kNobody, kNobody, kNobody) == 0;
}

// In a child: forks a target named victim that waits until this child exits (it reads a
// pipe whose write end only this child holds). Its pid.
pid_t fork_victim() {
    int p[2];
    if (pipe(p) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(p[1]);
        set_comm("victim");
        char c;
        while (read(p[0], &c, 1) > 0) {
        }
        _exit(0);
    }
    close(p[0]);
    return pid;
}

// exec with stderr on /dev/null (the searches below find nothing and say so).
pid_t run_exec_quiet(const std::string& path, const std::vector<std::string>& argv) {
    return run_exec_child([&] {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 2);
        exec_now(path, argv);
    });
}

// The real find and grep, searching a directory that does not exist.
TEST_F(DefaultRulesProcess, SearchPrivateKeysOrPasswords) {
    const std::string rule = "Search private keys or passwords";
    pid_t harmless = run_exec_quiet("/usr/bin/find", {"find", "/nonexistent-kscope", "-name", "notes.txt"});
    pid_t find = run_exec_quiet("/usr/bin/find", {"find", "/nonexistent-kscope", "-name", "id_rsa"});
    pid_t grep = run_exec_quiet("/usr/bin/grep", {"grep", "-rl", "BEGIN OPENSSH PRIVATE", "/nonexistent-kscope"});
    auto a = one_alert(rule, find);
    expect_alert(a, rule, "Warning", find, "exec",
                 "Search for private keys or passwords (user=root command=find /nonexistent-kscope -name id_rsa parent=" +
                     own_comm());
    EXPECT_EQ(a["event"]["argv"], json::array({"find", "/nonexistent-kscope", "-name", "id_rsa"}));
    EXPECT_EQ(a["event"]["filename"], "/usr/bin/find");
    auto g = one_alert(rule, grep);
    expect_alert(g, rule, "Warning", grep, "exec", "command=grep -rl BEGIN OPENSSH PRIVATE /nonexistent-kscope");
    expect_no_alert(rule, {harmless});
}

// A copy of /bin/true named nc: the arguments are all the rule looks at.
TEST_F(DefaultRulesProcess, NetcatRemoteCodeExecution) {
    const std::string rule = "Netcat remote code execution";
    ProgramCopy nc("/bin/true", "nc");
    pid_t harmless = run_exec(nc.path, {"nc", "-z", "127.0.0.1", "9"});
    pid_t hit = run_exec(nc.path, {"nc", "-e", "/bin/sh", "127.0.0.1", "9"});
    auto a = one_alert(rule, hit);
    expect_alert(a, rule, "Warning", hit, "exec",
                 "Netcat or socat runs a program for a connection (user=root command=nc -e /bin/sh 127.0.0.1 9 parent=");
    EXPECT_EQ(a["comm"], "nc");
    EXPECT_EQ(a["event"]["filename"], nc.path);
    expect_no_alert(rule, {harmless});
}

// A process named nginx starts sh; the near miss's parent is named worker.
TEST_F(DefaultRulesProcess, ShellSpawnedByWebServer) {
    const std::string rule = "Shell spawned by web server";
    Held worker([] {
        set_comm("worker");
        return run_grandchild("/bin/sh", {"sh", "-c", "true"});
    });
    Held nginx([] {
        set_comm("nginx");
        return run_grandchild("/bin/sh", {"sh", "-c", "true"});
    });
    ASSERT_GT(worker.result(), 0);
    ASSERT_GT(nginx.result(), 0);
    const pid_t shell = nginx.result();
    auto a = one_alert(rule, shell);
    expect_alert(a, rule, "Warning", shell, "exec",
                 "Shell spawned by a web server (user=root shell=sh parent=nginx command=sh -c true container=host)");
    EXPECT_EQ(a["ppid"], nginx.pid());
    EXPECT_EQ(a["event"]["filename"], "/bin/sh");
    expect_no_alert(rule, {worker.result()});
}

// ptrace(PTRACE_ATTACH) on a child of its own.
TEST_F(DefaultRulesProcess, PtraceAttachedToProcess) {
    const std::string rule = "PTRACE attached to process";
    auto attach = [](const char* comm) {
        return [comm] {
            set_comm(comm);
            pid_t target = fork_victim();
            if (target < 0)
                return -1;
            usleep(20'000);  // the victim names itself
            if (ptrace(PTRACE_ATTACH, target, nullptr, nullptr) != 0)
                return -errno;
            waitpid(target, nullptr, __WALL);  // stopped
            kill(target, SIGKILL);
            waitpid(target, nullptr, __WALL);
            return int(target);
        };
    };
    Held allowed(attach("gdb"));
    Held hit(attach("injector"));
    ASSERT_GT(allowed.result(), 0);
    ASSERT_GT(hit.result(), 0);
    const pid_t target = hit.result();
    auto a = one_alert(rule, hit.pid());
    expect_alert(a, rule, "Warning", hit.pid(), "ptrace",
                 "Process attached with ptrace (request=PTRACE_ATTACH target_pid=" + std::to_string(target) +
                     " target=victim user=root process=injector");
    EXPECT_EQ(a["event"]["syscall"], "ptrace");
    EXPECT_EQ(a["event"]["request"], "PTRACE_ATTACH");
    EXPECT_EQ(a["event"]["target_pid"], target);
    EXPECT_EQ(a["event"]["ret"], 0);
    expect_no_alert(rule, {allowed.pid()});
}

// process_vm_writev into a forked copy of itself (the buffer is at the same address there).
TEST_F(DefaultRulesProcess, WriteToAnotherProcessMemory) {
    const std::string rule = "Write to another process memory";
    static char buffer[64] = "before";
    auto write_into = [](const char* comm) {
        return [comm] {
            set_comm(comm);
            pid_t target = fork_victim();
            if (target < 0)
                return -1;
            usleep(20'000);
            char data[] = "after";
            iovec local{data, sizeof data}, remote{buffer, sizeof data};
            if (syscall(SYS_process_vm_writev, target, &local, 1, &remote, 1, 0) != ssize_t(sizeof data))
                return -errno;
            return int(target);
        };
    };
    Held allowed(write_into("gdb"));
    Held hit(write_into("memwriter"));
    ASSERT_GT(allowed.result(), 0);
    ASSERT_GT(hit.result(), 0);
    const pid_t target = hit.result();
    auto a = one_alert(rule, hit.pid());
    expect_alert(a, rule, "Warning", hit.pid(), "ptrace",
                 "Memory of another process written (target_pid=" + std::to_string(target) +
                     " target=victim user=root process=memwriter");
    EXPECT_EQ(a["event"]["syscall"], "process_vm_writev");
    EXPECT_EQ(a["event"]["target_pid"], target);
    EXPECT_EQ(a["event"]["bytes"], 6);
    expect_no_alert(rule, {allowed.pid()});
}

// finit_module of a file that is no module: the kernel refuses it, the rule (which fires
// on attempts too) alerts. Needs a kernel with module support.
TEST_F(DefaultRulesProcess, LinuxKernelModuleInjection) {
    const std::string rule = "Linux kernel module injection";
    PrivilegeProbe probe;
    ASSERT_TRUE(probe.load(ProbeOptions{}).ok());
    if (std::string(probe.description()).find("module loads not traced") != std::string::npos)
        GTEST_SKIP() << "SKIPPED: the rule cannot fire here: the privilege probe reports \"" << probe.description()
                     << "\" (CONFIG_MODULES off: no init_module/finit_module tracepoints, the syscalls return ENOSYS)";
    TempDir dir("kscope-rules-module");
    const std::string path = dir.path() + "/not-a-module.ko";
    std::ofstream(path) << "this is not an ELF file, the kernel refuses it";
    auto load = [&](const char* comm) {
        return [comm, &path] {
            set_comm(comm);
            int fd = open(path.c_str(), O_RDONLY);
            return syscall(SYS_finit_module, fd, "", 0) == 0 ? 0 : int(-errno);
        };
    };
    Held allowed(load("modprobe"));
    Held hit(load("rootkitldr"));
    ASSERT_LT(allowed.result(), 0);
    ASSERT_LT(hit.result(), 0);
    auto a = one_alert(rule, hit.pid());
    expect_alert(a, rule, "Warning", hit.pid(), "module_load", "Kernel module load attempted (module=");
    EXPECT_EQ(a["event"]["syscall"], "finit_module");
    EXPECT_EQ(a["event"]["path"], path);
    expect_no_alert(rule, {allowed.pid()});
}

// A socket filter program (return 0), the smallest program there is.
TEST_F(DefaultRulesProcess, BpfProgramLoadedByUnexpectedProgram) {
    const std::string rule = "BPF program loaded by unexpected program";
    auto load = [](const char* comm) {
        return [comm] {
            set_comm(comm);
            bpf_insn insns[2] = {};
            insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;  // r0 = 0
            insns[0].dst_reg = BPF_REG_0;
            insns[1].code = BPF_JMP | BPF_EXIT;
            char license[] = "GPL";
            bpf_attr attr{};
            attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
            attr.insns = reinterpret_cast<uint64_t>(insns);
            attr.insn_cnt = 2;
            attr.license = reinterpret_cast<uint64_t>(license);
            strncpy(attr.prog_name, "ks_dropper", sizeof attr.prog_name - 1);
            int fd = int(syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr));
            if (fd < 0)
                return -errno;
            close(fd);
            return 0;
        };
    };
    Held allowed(load("bpftool"));
    Held hit(load("bpfdropper"));
    ASSERT_EQ(allowed.result(), 0);
    ASSERT_EQ(hit.result(), 0);
    auto a = one_alert(rule, hit.pid());
    expect_alert(a, rule, "Notice", hit.pid(), "bpf",
                 "BPF program loaded (name=ks_dropper user=root process=bpfdropper");
    EXPECT_EQ(a["event"]["command"], "BPF_PROG_LOAD");
    EXPECT_EQ(a["event"]["prog_type"], "BPF_PROG_TYPE_SOCKET_FILTER");
    EXPECT_EQ(a["event"]["name"], "ks_dropper");
    EXPECT_GE(a["event"]["ret"].get<int64_t>(), 0);
    expect_no_alert(rule, {allowed.pid()});
}

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U  // 6.3+: an executable memfd, said explicitly
#endif

// fexecve of a memfd holding /bin/true; the near miss execs the same bytes from a file.
TEST_F(DefaultRulesProcess, FilelessExecutionViaMemfd) {
    const std::string rule = "Fileless execution via memfd";
    ProgramCopy copy("/bin/true", "kscope-ondisk");
    int status = -1;
    pid_t harmless = run_exec_child([&] { exec_fd(open(copy.path.c_str(), O_RDONLY | O_CLOEXEC), {"ondisk"}); }, &status);
    ASSERT_EQ(status, 0);
    pid_t hit = run_exec_child([] {
        int fd = memfd_create("kscope-fileless", MFD_CLOEXEC | MFD_EXEC);
        std::ifstream in("/bin/true", std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (write(fd, bytes.data(), bytes.size()) != ssize_t(bytes.size()))
            _exit(1);
        exec_fd(fd, {"fileless"});
    }, &status);
    ASSERT_EQ(status, 0);
    auto a = one_alert(rule, hit);
    expect_alert(a, rule, "Critical", hit, "exec", "Fileless execution from a memfd (exe=");
    EXPECT_NE(a["output"].get<std::string>().find("command="), std::string::npos);
    EXPECT_EQ(a["event"]["syscall"], "execveat");
    EXPECT_EQ(a["event"]["exe_memfd"], true);
    EXPECT_EQ(a["event"]["argv"], json::array({"fileless"}));
    expect_no_alert(rule, {harmless});
}

TEST_F(DefaultRulesProcess, ExecutionFromDevShm) {
    const std::string rule = "Execution from /dev/shm";
    ASSERT_TRUE(fs::is_directory("/dev/shm"));
    struct statvfs vfs {};
    ASSERT_EQ(statvfs("/dev/shm", &vfs), 0);
    if (vfs.f_flag & ST_NOEXEC)
        GTEST_SKIP() << "SKIPPED: /dev/shm is mounted noexec here: nothing can run from it";
    const std::string staged = "/dev/shm/kscope-rules-" + std::to_string(getpid());
    fs::copy_file("/bin/true", staged);
    fs::permissions(staged, fs::perms(0755));
    struct Cleanup {
        std::string p;
        ~Cleanup() { unlink(p.c_str()); }
    } cleanup{staged};
    ProgramCopy ondisk("/bin/true", "kscope-rules-staged");
    pid_t harmless = run_exec(ondisk.path, {"staged"});
    pid_t hit = run_exec(staged, {"staged"});
    auto a = one_alert(rule, hit);
    expect_alert(a, rule, "Warning", hit, "exec", "Execution from /dev/shm (exe=" + staged + " user=root command=");
    EXPECT_EQ(a["event"]["filename"], staged);
    EXPECT_EQ(a["event"]["ret"], 0);
    expect_no_alert(rule, {harmless});
}

// The dropper's shape: the file is opened, unlinked, then run through its fd.
TEST_F(DefaultRulesProcess, ExecutionOfDeletedBinary) {
    const std::string rule = "Execution of deleted binary";
    ProgramCopy kept("/bin/true", "kscope-kept"), dropped("/bin/true", "kscope-dropped");
    int status = -1;
    pid_t harmless = run_exec_child([&] { exec_fd(open(kept.path.c_str(), O_RDONLY | O_CLOEXEC), {"kept"}); }, &status);
    ASSERT_EQ(status, 0);
    pid_t hit = run_exec_child([&] {
        int fd = open(dropped.path.c_str(), O_RDONLY | O_CLOEXEC);
        if (unlink(dropped.path.c_str()) != 0)
            _exit(1);
        exec_fd(fd, {"dropped"});
    }, &status);
    ASSERT_EQ(status, 0);
    auto a = one_alert(rule, hit);
    expect_alert(a, rule, "Warning", hit, "exec", "Executable deleted before it ran (exe=");
    EXPECT_EQ(a["event"]["exe_deleted"], true);
    EXPECT_EQ(a["event"]["exe_memfd"], false);
    EXPECT_EQ(a["event"]["argv"], json::array({"dropped"}));
    expect_no_alert(rule, {harmless});
}

// A setuid-root copy of /bin/true run by nobody; the near miss's copy is named passwd.
TEST_F(DefaultRulesProcess, PrivilegeEscalationViaSetuidProgram) {
    const std::string rule = "Privilege escalation via setuid program";
    ProgramCopy suid("/bin/true", "kscope-suidtrue"), passwd("/bin/true", "passwd");
    struct statvfs vfs {};
    ASSERT_EQ(statvfs(suid.path.c_str(), &vfs), 0);
    if (vfs.f_flag & ST_NOSUID)
        GTEST_SKIP() << "SKIPPED: " << suid.dir.path() << " is on a nosuid file system: the setuid bit does nothing";
    for (const auto& p : {suid.path, passwd.path}) {
        ASSERT_EQ(chown(p.c_str(), 0, 0), 0);
        ASSERT_EQ(chmod(p.c_str(), 04755), 0);
    }
    auto run_as_nobody = [](const std::string& path, const char* name) {
        int status = -1;
        pid_t pid = run_exec_child([&] {
            if (!become_nobody())
                _exit(1);
            exec_now(path, {name});
        }, &status);
        EXPECT_EQ(status, 0) << name;
        return pid;
    };
    pid_t allowed = run_as_nobody(passwd.path, "passwd");
    pid_t hit = run_as_nobody(suid.path, "kscope-suidtrue");
    auto a = one_alert(rule, hit);
    expect_alert(a, rule, "Warning", hit, "exec",
                 "Setuid-root program run by a non-root user (exe=" + suid.path + " old_euid=65534 user=" +
                     user_name(kNobody) + " command=kscope-suidtrue");
    EXPECT_EQ(a["event"]["privileged_exec"], true);
    EXPECT_EQ(a["event"]["old_euid"], kNobody);
    EXPECT_EQ(a["event"]["new_euid"], 0);
    EXPECT_EQ(a["uid"], kNobody);
    expect_no_alert(rule, {allowed});
}

// A process that dropped to nobody but kept root as its saved uid takes euid 0 back.
TEST_F(DefaultRulesProcess, NonRootProcessBecameRoot) {
    const std::string rule = "Non-root process became root";
    auto regain = [](const char* comm) {
        return [comm] {
            set_comm(comm);
            if (syscall(SYS_setresuid, kNobody, kNobody, 0) != 0)
                return -errno;
            return check(syscall(SYS_setresuid, -1, 0, -1));
        };
    };
    Held allowed(regain("sudo"));
    Held harmless([] {
        set_comm("rootgrab");
        return check(syscall(SYS_setresuid, kNobody, kNobody, 0));  // root to nobody only
    });
    Held hit(regain("rootgrab"));
    ASSERT_EQ(allowed.result(), 0);
    ASSERT_EQ(harmless.result(), 0);
    ASSERT_EQ(hit.result(), 0);
    auto a = one_alert(rule, hit.pid());
    expect_alert(a, rule, "Critical", hit.pid(), "privilege",
                 "Non-root process changed its uid to root (syscall=setresuid old_euid=65534 user=" +
                     user_name(kNobody) + " process=rootgrab");
    EXPECT_EQ(a["event"]["syscall"], "setresuid");
    EXPECT_EQ(a["event"]["old_euid"], kNobody);
    EXPECT_EQ(a["event"]["new_euid"], 0);
    EXPECT_EQ(a["event"]["new_uid"], kNobody);
    expect_no_alert(rule, {allowed.pid(), harmless.pid()});
}

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif

// UFFD_USER_MODE_ONLY: what an unprivileged process may create under
// vm.unprivileged_userfaultfd=0. The near miss is the same call as root.
TEST_F(DefaultRulesProcess, UnprivilegedUserfaultfd) {
    const std::string rule = "Unprivileged userfaultfd";
    auto create = [](bool drop) {
        return [drop] {
            set_comm("uffdmaker");
            if (drop && !become_nobody())
                return -errno;
            int fd = int(syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY));
            if (fd < 0)
                return -errno;
            close(fd);
            return 0;
        };
    };
    Held harmless(create(false));
    Held hit(create(true));
    ASSERT_EQ(harmless.result(), 0);
    ASSERT_EQ(hit.result(), 0);
    auto a = one_alert(rule, hit.pid());
    expect_alert(a, rule, "Notice", hit.pid(), "userfaultfd",
                 "Userfaultfd created by a non-root process (user=" + user_name(kNobody) +
                     " uid=65534 process=uffdmaker");
    EXPECT_EQ(a["uid"], kNobody);
    EXPECT_EQ(a["event"]["flags"], O_CLOEXEC | UFFD_USER_MODE_ONLY);
    EXPECT_GE(a["event"]["ret"].get<int64_t>(), 0);
    expect_no_alert(rule, {harmless.pid()});
}

// Copies of /bin/true: one with a stratum URL and a miner's option, one named xmrig; the
// near miss has a plain tcp:// URL. Nothing connects anywhere.
TEST_F(DefaultRulesProcess, CryptoMinerLaunched) {
    const std::string rule = "Crypto miner launched";
    ProgramCopy worker("/bin/true", "kscope-worker"), xmrig("/bin/true", "xmrig");
    pid_t harmless = run_exec(worker.path, {"kscope-worker", "-o", "tcp://127.0.0.1:3333"});
    pid_t url = run_exec(worker.path, {"kscope-worker", "-o", "stratum+tcp://127.0.0.1:3333", "--donate-level", "1"});
    pid_t named = run_exec(xmrig.path, {"xmrig"});
    auto a = one_alert(rule, url);
    expect_alert(a, rule, "Critical", url, "exec",
                 "Crypto miner started (user=root command=kscope-worker -o stratum+tcp://127.0.0.1:3333 --donate-level 1 "
                 "parent=");
    EXPECT_EQ(a["event"]["filename"], worker.path);
    auto n = one_alert(rule, named);
    expect_alert(n, rule, "Critical", named, "exec", "Crypto miner started (user=root command=xmrig parent=");
    EXPECT_EQ(n["comm"], "xmrig");
    expect_no_alert(rule, {harmless});
}

}  // namespace
}  // namespace kscope::test::default_rules
