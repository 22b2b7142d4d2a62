// kscope exec's security context against the real kernel: what fds 0-2 are, fileless and
// deleted executables, setuid execs, tty, login uid and cwd of real execs.
#include <arpa/inet.h>
#include <stdlib.h>
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "harness.h"

namespace kscope::test {
namespace {
namespace fs = std::filesystem;

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U  // 6.3+: an executable memfd, said explicitly
#endif

// Runs the child fn (which ends in an exec) under `kscope exec --json`; the child's one
// exec event, or an empty object.
nlohmann::json traced_exec(const std::function<void()>& fn) {
    Kscope k({"exec", "--json"});
    EXPECT_TRUE(k.ready()) << k.stderr_text();
    pid_t child = spawn(fn);
    wait_child(child);
    k.stop();
    auto events = events_for(k.json_lines(), "exec", child);
    EXPECT_EQ(events.size(), 1u) << k.stdout_text();
    return events.empty() ? nlohmann::json::object() : events[0];
}

// A copy of a program in a fresh directory others may enter (the setuid case runs as 1000).
struct ProgramCopy {
    TempDir dir{"kscope-exec-ctx"};
    std::string path;
    explicit ProgramCopy(const std::string& program, const std::string& name) {
        fs::permissions(dir.path(), fs::perms(0755));
        path = dir.path() + "/" + name;
        fs::copy_file(program, path);
        fs::permissions(path, fs::perms(0755));
    }
};

void redirect(int fd, const char* file, int flags) {
    int f = open(file, flags);
    dup2(f, fd);
    close(f);
}

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

// The reverse-shell shape: stdin and stdout are a TCP connection.
TEST(ExecContext, StdioOnATcpSocketIsIpv4) {
    REQUIRE_ROOT();
    ProgramCopy prog("/bin/true", "kscope-rsh");
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    ASSERT_EQ(listen(listener, 1), 0);
    socklen_t len = sizeof sa;
    getsockname(listener, reinterpret_cast<sockaddr*>(&sa), &len);

    auto e = traced_exec([&] {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
            _exit(1);
        dup2(s, 0);
        dup2(s, 1);
        redirect(2, "/dev/null", O_WRONLY);
        exec_now(prog.path, {"kscope-rsh"});
    });
    close(listener);
    EXPECT_EQ(e["filename"], prog.path);
    EXPECT_EQ(e["ret"], 0);
    EXPECT_EQ(e["stdin_type"], "ipv4");
    EXPECT_EQ(e["stdout_type"], "ipv4");
    EXPECT_EQ(e["stderr_type"], "char");
    EXPECT_EQ(e["exe_memfd"], false);
    EXPECT_EQ(e["exe_deleted"], false);
    struct stat st {};
    ASSERT_EQ(stat(prog.path.c_str(), &st), 0);
    EXPECT_EQ(e["exe_inode"], st.st_ino);
}

TEST(ExecContext, OtherStdioTypesAndClosed) {
    REQUIRE_ROOT();
    auto e = traced_exec([&] {
        int p[2];
        if (pipe(p) != 0)
            _exit(1);
        dup2(p[1], 0);
        int u = socket(AF_UNIX, SOCK_STREAM, 0);
        dup2(u, 1);
        close(2);
        exec_now("/bin/true", {"true"});
    });
    EXPECT_EQ(e["stdin_type"], "pipe");
    EXPECT_EQ(e["stdout_type"], "unix");
    EXPECT_EQ(e["stderr_type"], "");
}

// Fileless: the program runs from a memfd (fexecve's shape).
TEST(ExecContext, ExecFromAMemfd) {
    REQUIRE_ROOT();
    auto e = traced_exec([&] {
        int fd = memfd_create("kscope-memexec", MFD_CLOEXEC | MFD_EXEC);
        std::ifstream in("/bin/true", std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (write(fd, bytes.data(), bytes.size()) != ssize_t(bytes.size()))
            _exit(1);
        exec_fd(fd, {"memexec"});
    });
    EXPECT_EQ(e["ret"], 0);
    EXPECT_EQ(e["syscall"], "execveat");
    EXPECT_EQ(e["exe_memfd"], true);
    EXPECT_EQ(e["exe_deleted"], false);  // a memfd has no links, but was never a file that got deleted
    EXPECT_NE(e["exe_inode"], 0);
}

TEST(ExecContext, ExecOfADeletedFile) {
    REQUIRE_ROOT();
    ProgramCopy prog("/bin/true", "kscope-deleted");
    auto e = traced_exec([&] {
        int fd = open(prog.path.c_str(), O_RDONLY | O_CLOEXEC);
        unlink(prog.path.c_str());
        exec_fd(fd, {"deleted"});
    });
    EXPECT_EQ(e["ret"], 0);
    EXPECT_EQ(e["exe_deleted"], true);
    EXPECT_EQ(e["exe_memfd"], false);
}

// A setuid-root copy of id run by uid 1000: the exec raised the euid to 0.
TEST(ExecContext, SetuidRootBinaryRunByAUserIsPrivileged) {
    REQUIRE_ROOT();
    ProgramCopy prog("/usr/bin/id", "kscope-suid-id");
    ASSERT_EQ(chown(prog.path.c_str(), 0, 0), 0);
    ASSERT_EQ(chmod(prog.path.c_str(), 04755), 0);
    auto e = traced_exec([&] {
        redirect(1, "/dev/null", O_WRONLY);
        if (setgroups(0, nullptr) != 0 || setresgid(1000, 1000, 1000) != 0 || setresuid(1000, 1000, 1000) != 0)
            _exit(1);
        exec_now(prog.path, {"id", "-u"});
    });
    EXPECT_EQ(e["ret"], 0);
    EXPECT_EQ(e["privileged_exec"], true);
    EXPECT_EQ(e["old_uid"], 1000);
    EXPECT_EQ(e["old_euid"], 1000);
    EXPECT_EQ(e["new_uid"], 1000);
    EXPECT_EQ(e["new_euid"], 0);
    EXPECT_EQ(e["uid"], 1000);
}

// A plain exec: no privilege change; no controlling tty after setsid(); the cwd and the
// login uid as the child had them.
TEST(ExecContext, PlainExecCwdTtyAndLoginuid) {
    REQUIRE_ROOT();
    TempDir cwd("kscope-exec-cwd");
    const std::string loginuid_file = cwd.path() + "/loginuid";
    auto e = traced_exec([&] {
        setsid();
        // Setting an unset login uid is allowed once (CAP_AUDIT_CONTROL); the child then
        // records what the kernel holds, whether or not that worked.
        std::ofstream("/proc/self/loginuid") << 4242 << std::flush;
        std::string value;
        std::ifstream("/proc/self/loginuid") >> value;
        std::ofstream(loginuid_file) << value;
        if (chdir(cwd.path().c_str()) != 0)
            _exit(1);
        exec_now("/bin/true", {"true"});
    });
    uint64_t loginuid = 0;
    std::ifstream(loginuid_file) >> loginuid;
    EXPECT_EQ(e["ret"], 0);
    EXPECT_EQ(e["privileged_exec"], false);
    EXPECT_EQ(e["old_uid"], 0);
    EXPECT_EQ(e["old_euid"], 0);
    EXPECT_EQ(e["new_euid"], 0);
    EXPECT_EQ(e["tty"], 0);
    EXPECT_EQ(e["cwd"], cwd.path());
    EXPECT_EQ(e["loginuid"], loginuid == UINT32_MAX ? -1 : int64_t(loginuid));
    struct stat st {};
    ASSERT_EQ(stat("/bin/true", &st), 0);
    EXPECT_EQ(e["exe_inode"], st.st_ino);
}

// With a controlling terminal (a pty made the session's), tty is its device number.
TEST(ExecContext, ControllingTtyIsItsDeviceNumber) {
    REQUIRE_ROOT();
    TempDir dir("kscope-exec-tty");
    const std::string rdev_file = dir.path() + "/rdev";
    auto e = traced_exec([&] {
        setsid();
        int master = posix_openpt(O_RDWR | O_NOCTTY);
        if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0)
            _exit(1);
        int tty = open(ptsname(master), O_RDWR | O_NOCTTY);
        if (tty < 0 || ioctl(tty, TIOCSCTTY, 0) != 0)
            _exit(1);
        struct stat st {};
        fstat(tty, &st);
        std::ofstream(rdev_file) << st.st_rdev;
        exec_now("/bin/true", {"true"});
    });
    uint64_t rdev = 0;
    std::ifstream(rdev_file) >> rdev;
    ASSERT_NE(rdev, 0u);
    EXPECT_EQ(e["tty"], uint32_t((minor(rdev) & 0xff) | (major(rdev) << 8) | ((minor(rdev) & ~0xffu) << 12)));
}

TEST(ExecContext, FailedExecKeepsTheDefaults) {
    REQUIRE_ROOT();
    auto e = traced_exec([&] { exec_now("/nonexistent/kscope-ctx", {"x"}); });
    EXPECT_EQ(e["ret"], -ENOENT);
    EXPECT_EQ(e["privileged_exec"], false);
    EXPECT_EQ(e["stdin_type"], "");
    EXPECT_EQ(e["cwd"], "");
    EXPECT_EQ(e["loginuid"], -1);
    EXPECT_EQ(e["exe_inode"], 0);
}

}  // namespace
}  // namespace kscope::test
