// kscope namespaces against the real kernel: each call made for real in a forked child
// (mounts inside a mount namespace of the child's own, so the host is untouched), then
// its event's exact fields. One kscope runs for the whole suite; events are told apart
// by the child's pid.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "child_results.h"
#include "harness.h"
#include "tool_fixture.h"
#include "wait_util.h"

namespace kscope::test {
namespace {

using std::chrono::milliseconds;

using Results = ChildResults;

constexpr char kNamespacesTool[] = "namespaces";
class NamespacesProbeTest : public SharedToolTest<kNamespacesTool> {
protected:
    static void expect_common(const nlohmann::json& e, pid_t pid, const char* comm) {
        SharedToolTest::expect_common(e, pid, comm);
        EXPECT_EQ(e["uid"], 0) << e.dump();
    }
};

TEST_F(NamespacesProbeTest, UnshareUtsAndNet) {
    Results r;
    pid_t child = spawn([&] {
        set_comm("kscope-unshare");
        r.put(syscall(SYS_unshare, CLONE_NEWUTS | CLONE_NEWNET));
    });
    wait_child(child);
    ASSERT_EQ(r.take(), std::vector<long>{0});
    auto all = events("namespace", child);
    ASSERT_EQ(all.size(), 1u) << kscope_->stdout_text();
    const auto& e = all[0];
    expect_common(e, child, "kscope-unshare");
    EXPECT_EQ(e["syscall"], "unshare");
    EXPECT_EQ(e["namespaces"], nlohmann::json::array({"uts", "net"}));
    EXPECT_EQ(e["flags"], hex(CLONE_NEWUTS | CLONE_NEWNET));
    EXPECT_EQ(e["fd"], -1);
    EXPECT_EQ(e["ret"], 0);
    EXPECT_EQ(e["error"], "");
}

TEST_F(NamespacesProbeTest, SetnsNamesTheFdsNamespace) {
    Results r;
    pid_t child = spawn([&] {
        set_comm("kscope-setns");
        int fd = open("/proc/self/ns/uts", O_RDONLY);
        r.put(fd);
        r.put(syscall(SYS_setns, fd, 0));             // any type: the fd's, uts
        r.put(syscall(SYS_setns, fd, CLONE_NEWNET));  // not a net namespace: EINVAL
    });
    wait_child(child);
    auto results = r.take();
    ASSERT_EQ(results.size(), 3u);
    const long fd = results[0];
    ASSERT_GE(fd, 0);
    ASSERT_EQ(results[1], 0);
    ASSERT_EQ(results[2], -EINVAL);
    auto all = events("namespace", child, 2);
    ASSERT_EQ(all.size(), 2u) << kscope_->stdout_text();
    expect_common(all[0], child, "kscope-setns");
    EXPECT_EQ(all[0]["syscall"], "setns");
    EXPECT_EQ(all[0]["namespaces"], nlohmann::json::array({"uts"}));
    EXPECT_EQ(all[0]["flags"], "0x0");
    EXPECT_EQ(all[0]["fd"], fd);
    EXPECT_EQ(all[0]["ret"], 0);
    EXPECT_EQ(all[1]["namespaces"], nlohmann::json::array({"net"}));
    EXPECT_EQ(all[1]["flags"], hex(CLONE_NEWNET));
    EXPECT_EQ(all[1]["fd"], fd);
    EXPECT_EQ(all[1]["ret"], -EINVAL);
    EXPECT_EQ(all[1]["error"], "EINVAL");
}

TEST_F(NamespacesProbeTest, CloneWithNewPidAndClone3WithNewUts) {
    Results r;
    pid_t child = spawn([&] {
        set_comm("kscope-cloner");
        // A plain fork: no namespace, no event.
        pid_t plain = fork();
        if (plain == 0)
            _exit(0);
        waitpid(plain, nullptr, 0);
        long pid = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
        if (pid == 0)
            _exit(0);
        r.put(pid);
        waitpid(pid_t(pid), nullptr, 0);
        clone_args args{};
        args.flags = CLONE_NEWUTS;
        args.exit_signal = SIGCHLD;
        pid = syscall(SYS_clone3, &args, sizeof args);
        if (pid == 0)
            _exit(0);
        r.put(pid);
        waitpid(pid_t(pid), nullptr, 0);
    });
    wait_child(child);
    auto results = r.take();
    ASSERT_EQ(results.size(), 2u);
    ASSERT_GT(results[0], 0);
    ASSERT_GT(results[1], 0);
    auto all = events("namespace", child, 2);
    ASSERT_EQ(all.size(), 2u) << kscope_->stdout_text();
    expect_common(all[0], child, "kscope-cloner");
    EXPECT_EQ(all[0]["syscall"], "clone");
    EXPECT_EQ(all[0]["namespaces"], nlohmann::json::array({"pid"}));
    EXPECT_EQ(all[0]["flags"], hex(CLONE_NEWPID)) << "without the exit signal";
    EXPECT_EQ(all[0]["ret"], results[0]);
    EXPECT_EQ(all[1]["syscall"], "clone3");
    EXPECT_EQ(all[1]["namespaces"], nlohmann::json::array({"uts"}));
    EXPECT_EQ(all[1]["flags"], hex(CLONE_NEWUTS));
    EXPECT_EQ(all[1]["ret"], results[1]);
    // The grandchildren report nothing (their side of clone returns 0 and is not traced).
    EXPECT_TRUE(events_for(complete_json_lines(*kscope_), "namespace", pid_t(results[0])).empty());
}

// Moves the calling child into a mount namespace of its own, with nothing propagating
// back to the host.
void private_mount_namespace() {
    if (unshare(CLONE_NEWNS) != 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
        _exit(5);
}

TEST_F(NamespacesProbeTest, MountTmpfsThenUmount2) {
    TempDir dir("kscope-mount");
    // The source string sits in a file mapping the child never touches: not readable at
    // sys_enter, so it is read again at sys_exit, after the kernel copied it in.
    const std::string source_file = dir.path() + "/source";
    std::ofstream(source_file) << "kscope-src" << '\0' << std::flush;
    const std::string target = dir.path() + "/mnt";
    mkdir(target.c_str(), 0755);
    Results r;
    pid_t child = spawn([&] {
        set_comm("kscope-mounter");
        private_mount_namespace();
        int fd = open(source_file.c_str(), O_RDONLY);
        auto* source = static_cast<const char*>(mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE, fd, 0));
        r.put(mount(source, target.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=1m"));
        r.put(umount2(target.c_str(), MNT_DETACH));
    });
    wait_child(child);
    ASSERT_EQ(r.take(), (std::vector<long>{0, 0}));
    auto all = events("mount", child, 3);
    ASSERT_EQ(all.size(), 3u) << kscope_->stdout_text();
    // First the child's own MS_PRIVATE remount of /.
    EXPECT_EQ(all[0]["target"], "/");
    EXPECT_EQ(all[0]["source"], "");
    EXPECT_EQ(all[0]["flags"], hex(MS_REC | MS_PRIVATE));
    const auto& m = all[1];
    expect_common(m, child, "kscope-mounter");
    EXPECT_EQ(m["syscall"], "mount");
    EXPECT_EQ(m["source"], "kscope-src");
    EXPECT_EQ(m["target"], target);
    EXPECT_EQ(m["fstype"], "tmpfs");
    EXPECT_EQ(m["flags"], hex(MS_NOSUID | MS_NODEV));
    EXPECT_EQ(m["ret"], 0);
    const auto& u = all[2];
    EXPECT_EQ(u["syscall"], "umount");
    EXPECT_EQ(u["source"], "");
    EXPECT_EQ(u["target"], target);
    EXPECT_EQ(u["fstype"], "");
    EXPECT_EQ(u["flags"], hex(MNT_DETACH));
    EXPECT_EQ(u["ret"], 0);
    // unshare(CLONE_NEWNS) was reported by the other half of the probe.
    auto ns = events("namespace", child);
    ASSERT_EQ(ns.size(), 1u);
    EXPECT_EQ(ns[0]["namespaces"], nlohmann::json::array({"mnt"}));
}

TEST_F(NamespacesProbeTest, ChrootAndAFailedOne) {
    TempDir dir("kscope-chroot");
    Results r;
    pid_t child = spawn([&] {
        set_comm("kscope-chroot");
        r.put(chroot("/nonexistent-kscope-root"));
        r.put(chroot(dir.path().c_str()));
    });
    wait_child(child);
    ASSERT_EQ(r.take(), (std::vector<long>{-ENOENT, 0}));
    auto all = events("mount", child, 2);
    ASSERT_EQ(all.size(), 2u) << kscope_->stdout_text();
    expect_common(all[0], child, "kscope-chroot");
    EXPECT_EQ(all[0]["syscall"], "chroot");
    EXPECT_EQ(all[0]["target"], "/nonexistent-kscope-root");
    EXPECT_EQ(all[0]["ret"], -ENOENT);
    EXPECT_EQ(all[0]["error"], "ENOENT");
    EXPECT_EQ(all[1]["target"], dir.path());
    EXPECT_EQ(all[1]["source"], "");
    EXPECT_EQ(all[1]["fstype"], "");
    EXPECT_EQ(all[1]["flags"], "0x0");
    EXPECT_EQ(all[1]["ret"], 0);
}

TEST_F(NamespacesProbeTest, PivotRootInANewMountNamespace) {
    TempDir dir("kscope-pivot");
    const std::string new_root = dir.path() + "/root", put_old = new_root + "/old";
    mkdir(new_root.c_str(), 0755);
    Results r;
    pid_t child = spawn([&] {
        set_comm("kscope-pivot");
        private_mount_namespace();
        // new_root has to be a mount point.
        if (mount("kscope-root", new_root.c_str(), "tmpfs", 0, nullptr) != 0 || mkdir(put_old.c_str(), 0755) != 0)
            _exit(6);
        r.put(syscall(SYS_pivot_root, new_root.c_str(), put_old.c_str()));
    });
    EXPECT_EQ(wait_child(child), 0);
    auto results = r.take();
    ASSERT_EQ(results.size(), 1u);
    auto all = events("mount", child, 3);
    ASSERT_EQ(all.size(), 3u) << kscope_->stdout_text();
    const auto& e = all[2];
    expect_common(e, child, "kscope-pivot");
    EXPECT_EQ(e["syscall"], "pivot_root");
    EXPECT_EQ(e["target"], new_root);
    EXPECT_EQ(e["source"], put_old);
    EXPECT_EQ(e["fstype"], "");
    EXPECT_EQ(e["ret"], results[0]) << "as the child saw it";
    EXPECT_EQ(results[0], 0) << "pivot_root in a private mount namespace should work";
}

// The table: the generic layout of the security tools.
TEST(NamespacesCli, Table) {
    REQUIRE_ROOT();
    Kscope k({"namespaces", "-c", "kscope-nstab"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t child = spawn([] {
        set_comm("kscope-nstab");
        if (chroot("/") != 0)
            _exit(1);
    });
    EXPECT_EQ(wait_child(child), 0);
    ASSERT_TRUE(eventually([&] { return k.stdout_text().find("syscall=chroot") != std::string::npos; },
                           milliseconds(5000)))
        << k.stdout_text();
    k.stop();
    auto [header, row] = first_row(k.stdout_text());
    EXPECT_EQ(header.rfind("PCOMM", 0), 0u) << header;
    EXPECT_NE(header.find("DETAILS"), std::string::npos) << header;
    EXPECT_EQ(row.rfind("kscope-nstab", 0), 0u) << row;
    EXPECT_NE(row.find(" " + std::to_string(child) + " "), std::string::npos) << row;
    EXPECT_NE(row.find(" mount "), std::string::npos) << row;
    EXPECT_NE(row.find("syscall=chroot target=/"), std::string::npos) << row;
}

// --json with -x (only the failed call of two) and --count (ends the run).
TEST(NamespacesCli, JsonFailuresOnlyAndCount) {
    REQUIRE_ROOT();
    Kscope k({"namespaces", "--json", "-x", "--count", "1", "-c", "kscope-nsx"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t child = spawn([] {
        set_comm("kscope-nsx");
        if (chroot("/") != 0)
            _exit(1);
        if (chroot("/nonexistent-kscope-root") == 0)
            _exit(2);
    });
    EXPECT_EQ(wait_child(child), 0);
    EXPECT_EQ(k.wait_exit(milliseconds(10000)), 0) << k.stderr_text();
    auto lines = k.json_lines();
    ASSERT_EQ(lines.size(), 1u) << k.stdout_text();
    EXPECT_EQ(lines[0]["type"], "mount");
    EXPECT_EQ(lines[0]["syscall"], "chroot");
    EXPECT_EQ(lines[0]["target"], "/nonexistent-kscope-root");
    EXPECT_EQ(lines[0]["error"], "ENOENT");
    EXPECT_EQ(lines[0]["pid"], child);
}

}  // namespace
}  // namespace kscope::test
