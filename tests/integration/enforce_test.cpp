// Rules with `action: kill` and `action: deny` acted on in the kernel by the real agent:
// a denied binary never runs (its marker file never appears), a denied port refuses
// connect() with EPERM and its listener accepts nothing, protected files cannot be opened
// for writing except by the allowed program; audit mode only reports; the agent itself
// is never acted on; and nothing of kscope stays attached after it exits, however it ends.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/bpf.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "default_rules_helpers.h"

namespace kscope::test {
namespace {

using nlohmann::json;

constexpr uint16_t kDeniedPort = 45678;

std::string rules_yaml(const std::string& dir) {
    return "- rule: Kill marker maker\n"
           "  desc: a binary nobody may run\n"
           "  condition: evt.type in (execve, execveat) and proc.exepath = " + dir + "/bin/ks-marker\n"
           "  output: killed %proc.exepath (%proc.name)\n"
           "  priority: CRITICAL\n"
           "  tags: [T1204]\n"
           "  action: kill\n"
           "- rule: Deny port\n"
           "  desc: no connections to the port\n"
           "  condition: evt.type = connect and fd.sport = " + std::to_string(kDeniedPort) + "\n"
           "  output: denied %fd.sip:%fd.sport for %proc.name\n"
           "  priority: WARNING\n"
           "  action: deny\n"
           "- rule: Protect dir\n"
           "  desc: only cp writes below protected/\n"
           "  condition: >\n"
           "    evt.type in (open, openat, openat2, creat) and evt.is_open_write = true\n"
           "    and fd.name startswith " + dir + "/protected/ and not proc.name in (ks-allowed)\n"
           "    and not fd.name in (" + dir + "/protected/public)\n"
           "  output: write to %fd.name by %proc.name\n"
           "  priority: ERROR\n"
           "  action: kill\n"
           "- rule: No bpf\n"
           "  desc: bpf() callers die (the agent itself calls bpf() and must not)\n"
           "  condition: evt.type = bpf and proc.name in (ks-bpf-caller, kscope)\n"
           "  output: bpf by %proc.name\n"
           "  priority: ERROR\n"
           "  action: kill\n";
}

class Enforce : public ::testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0)
            GTEST_SKIP() << "SKIPPED: enforcement loads BPF programs and needs root";
        dir_ = std::make_unique<TempDir>("kscope-enforce");
        const std::string d = dir_->path();
        std::filesystem::create_directories(d + "/bin");
        std::filesystem::create_directories(d + "/protected");
        std::filesystem::copy_file("/usr/bin/touch", d + "/bin/ks-marker");
        std::filesystem::permissions(d + "/bin/ks-marker", std::filesystem::perms::owner_all);
        std::ofstream(d + "/rules.yaml") << rules_yaml(d);
        std::ofstream(d + "/protected/data") << "original";  // before the agent protects it
        std::ofstream(d + "/protected/public") << "";
    }
    std::unique_ptr<Agent> start(const std::string& mode) {
        auto agent = std::make_unique<Agent>("profiling:\n  enabled: false\nrules:\n  mode: " + mode +
                                             "\n  files: [" + dir_->path() + "/rules.yaml]\n");
        EXPECT_TRUE(agent->ready()) << agent->process().stderr_text();
        return agent;
    }
    // Forks a child that execs argv from cwd; its wait status.
    static int run(const std::string& cwd, const std::vector<std::string>& argv, pid_t* pid_out = nullptr) {
        pid_t pid = fork();
        if (pid == 0) {
            if (chdir(cwd.c_str()) != 0)
                _exit(120);
            std::vector<char*> args;
            for (const auto& a : argv)
                args.push_back(const_cast<char*>(a.c_str()));
            args.push_back(nullptr);
            execv(args[0], args.data());
            _exit(121);
        }
        if (pid_out)
            *pid_out = pid;
        int status = 0;
        waitpid(pid, &status, 0);
        return status;
    }
    static bool killed(int status) { return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL; }
    const std::string& dir() const { return dir_->path(); }

    std::unique_ptr<TempDir> dir_;
};

TEST_F(Enforce, DeniedBinaryNeverRunsAbsoluteOrRelative) {
    auto agent = start("enforce");
    ASSERT_TRUE(agent->ready());
    pid_t abs_pid = 0, rel_pid = 0;
    int abs = run("/", {dir() + "/bin/ks-marker", dir() + "/marker-abs"}, &abs_pid);
    int rel = run(dir() + "/bin", {"./ks-marker", dir() + "/marker-rel"}, &rel_pid);
    EXPECT_TRUE(killed(abs)) << "status " << abs;
    EXPECT_TRUE(killed(rel)) << "status " << rel;
    EXPECT_FALSE(std::filesystem::exists(dir() + "/marker-abs"));
    EXPECT_FALSE(std::filesystem::exists(dir() + "/marker-rel"));

    // An absolute path is refused at the syscall's entry; a relative one once the exec has
    // resolved it, before the program's first instruction.
    auto a = default_rules::wait_alerts(*agent, "Kill marker maker", abs_pid);
    ASSERT_EQ(a.size(), 1u) << agent->process().stderr_text();
    EXPECT_EQ(a[0]["action"], "kill");
    EXPECT_EQ(a[0]["in_kernel"], true);
    EXPECT_EQ(a[0]["hook"], "exec");
    EXPECT_EQ(a[0]["stage"], "syscall_entry");
    EXPECT_EQ(a[0]["priority"], "Critical");
    EXPECT_EQ(a[0]["event"]["type"], "exec");
    EXPECT_EQ(a[0]["event"]["filename"], dir() + "/bin/ks-marker");
    EXPECT_NE(a[0]["output"].get<std::string>().find("killed " + dir() + "/bin/ks-marker"), std::string::npos)
        << a[0].dump();
    auto r = default_rules::wait_alerts(*agent, "Kill marker maker", rel_pid);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0]["stage"], "after_call");
    EXPECT_EQ(r[0]["comm"], "ks-marker");
    EXPECT_EQ(r[0]["event"]["filename"], dir() + "/bin/ks-marker");  // resolved
    EXPECT_GE(agent->metric("kscope_alerts_total{rule=\"Kill marker maker\",priority=\"Critical\"}"), 2);

    // A near miss: the same program under another name runs.
    std::filesystem::copy_file(dir() + "/bin/ks-marker", dir() + "/bin/ks-other");
    int ok = run("/", {dir() + "/bin/ks-other", dir() + "/marker-ok"});
    EXPECT_TRUE(WIFEXITED(ok) && WEXITSTATUS(ok) == 0) << ok;
    EXPECT_TRUE(std::filesystem::exists(dir() + "/marker-ok"));
}

TEST_F(Enforce, AuditModeRunsAndSaysWouldKill) {
    auto agent = start("audit");
    ASSERT_TRUE(agent->ready());
    pid_t pid = 0;
    int st = run("/", {dir() + "/bin/ks-marker", dir() + "/marker"}, &pid);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
    EXPECT_TRUE(std::filesystem::exists(dir() + "/marker"));
    auto a = default_rules::wait_alerts(*agent, "Kill marker maker", pid);
    ASSERT_FALSE(a.empty());
    EXPECT_EQ(a[0]["action"], "would_kill");
    EXPECT_EQ(a[0]["in_kernel"], true);
}

// A listener on the denied port and one on a free port: connect() to the first fails
// with EPERM before any packet leaves (its accept queue stays empty); the second works.
TEST_F(Enforce, DeniedPortRefusesConnectAndListenerAcceptsNothing) {
    auto agent = start("enforce");
    ASSERT_TRUE(agent->ready());
    auto listener = [](uint16_t port) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, 8) != 0) {
            close(fd);
            return -1;
        }
        return fd;
    };
    const uint16_t open_port = static_cast<uint16_t>(free_port());
    int denied_l = listener(kDeniedPort), open_l = listener(open_port);
    ASSERT_GE(denied_l, 0) << "port " << kDeniedPort << " is taken";
    ASSERT_GE(open_l, 0);
    auto try_connect = [](uint16_t port) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int r = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
        int err = r == 0 ? 0 : errno;
        close(fd);
        return err;
    };
    EXPECT_EQ(try_connect(kDeniedPort), EPERM);
    EXPECT_EQ(try_connect(open_port), 0);
    pollfd p{denied_l, POLLIN, 0};
    EXPECT_EQ(poll(&p, 1, 200), 0) << "the denied port's listener has a connection waiting";
    pollfd q{open_l, POLLIN, 0};
    EXPECT_EQ(poll(&q, 1, 1000), 1);
    close(denied_l);
    close(open_l);
    auto a = default_rules::wait_alerts(*agent, "Deny port", getpid());
    ASSERT_EQ(a.size(), 1u) << agent->process().stderr_text();
    EXPECT_EQ(a[0]["action"], "deny");
    EXPECT_EQ(a[0]["in_kernel"], true);
    EXPECT_EQ(a[0]["hook"], "connect");
    EXPECT_EQ(a[0]["event"]["dport"], kDeniedPort);
    EXPECT_EQ(a[0]["event"]["daddr"], "127.0.0.1");
}

TEST_F(Enforce, ProtectedFilesOnlyTheAllowedProgramWrites) {
    auto agent = start("enforce");
    ASSERT_TRUE(agent->ready());
    const std::string victim = dir() + "/protected/data";
    auto writer = [&](const char* comm, std::string path = "") {
        if (path.empty()) path = victim;
        pid_t pid = spawn([&] {
            prctl(PR_SET_NAME, comm);
            int fd = open(path.c_str(), O_WRONLY | O_APPEND);
            if (fd >= 0) {
                (void)!write(fd, "tampered", 8);
                close(fd);
            }
        });
        int st = wait_child(pid);
        return std::make_pair(pid, st);
    };
    auto [bad, bad_status] = writer("ks-tamper");
    EXPECT_TRUE(killed(bad_status)) << "the writer was not killed: " << bad_status;
    auto [good, good_status] = writer("ks-allowed");
    EXPECT_TRUE(WIFEXITED(good_status) && WEXITSTATUS(good_status) == 0) << good_status;
    std::string content;
    std::getline(std::ifstream(victim), content);
    EXPECT_EQ(content, "originaltampered");  // once, by the allowed program
    auto a = default_rules::wait_alerts(*agent, "Protect dir", bad);
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0]["hook"], "open_write");
    EXPECT_EQ(a[0]["stage"], "syscall_entry");
    EXPECT_EQ(a[0]["output"], "write to " + victim + " by ks-tamper");
    default_rules::settle();
    EXPECT_TRUE(default_rules::alerts_now(*agent, "Protect dir", good).empty());

    // Names that do not spell the file plainly are decided on its real path, after the
    // open: the excluded file through "./" is let through, the protected one through
    // "../" is not, nor is a relative name.
    auto [dotted, dotted_status] = writer("ks-tamper", dir() + "/protected/./public");
    EXPECT_TRUE(WIFEXITED(dotted_status) && WEXITSTATUS(dotted_status) == 0) << dotted_status;
    auto [up, up_status] = writer("ks-tamper", dir() + "/protected/../protected/data");
    EXPECT_TRUE(killed(up_status)) << up_status;
    auto up_alerts = default_rules::wait_alerts(*agent, "Protect dir", up);
    ASSERT_EQ(up_alerts.size(), 1u);
    EXPECT_EQ(up_alerts[0]["stage"], "after_call");
    EXPECT_EQ(up_alerts[0]["event"]["path"], victim);
    pid_t rel = spawn([&] {
        prctl(PR_SET_NAME, "ks-tamper");
        if (chdir((dir() + "/protected").c_str()) == 0) {
            int fd = open("data", O_WRONLY | O_APPEND);
            if (fd >= 0) (void)!write(fd, "relative", 8);
        }
    });
    EXPECT_TRUE(killed(wait_child(rel)));
    std::string after;
    std::getline(std::ifstream(victim), after);
    EXPECT_EQ(after, "originaltampered");  // nothing more was written
    default_rules::settle();
    EXPECT_TRUE(default_rules::alerts_now(*agent, "Protect dir", dotted).empty());
}

// The agent calls bpf() (every /metrics scrape reads maps) under a rule that kills bpf()
// callers named kscope: it lives; a test process named ks-bpf-caller dies. (While this
// test runs, any other process named kscope that calls bpf() would die too: the suite runs
// its tests one at a time.)
TEST_F(Enforce, TheAgentIsNeverActedOn) {
    auto agent = start("enforce");
    ASSERT_TRUE(agent->ready());
    for (int i = 0; i < 3; i++)
        EXPECT_GE(agent->metric("kscope_rules_loaded"), 1);
    EXPECT_EQ(kill(agent->process().pid(), 0), 0) << "the agent died";
    pid_t pid = spawn([] {
        prctl(PR_SET_NAME, "ks-bpf-caller");
        union bpf_attr attr {};
        syscall(SYS_bpf, BPF_PROG_GET_NEXT_ID, &attr, sizeof attr);
    });
    EXPECT_TRUE(killed(wait_child(pid)));
    auto a = default_rules::wait_alerts(*agent, "No bpf", pid);
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0]["hook"], "bpf");
    EXPECT_TRUE(default_rules::alerts_now(*agent, "No bpf", agent->process().pid()).empty());
}

// SIGHUP with a changed rules file: the next policy is written beside the active one and
// switched to, so a binary denied before and after is never let through meanwhile (a
// child execs it without pause across the reload), and the new rule acts after it.
TEST_F(Enforce, ReloadLeavesNoWindow) {
    auto agent = start("enforce");
    ASSERT_TRUE(agent->ready());
    std::filesystem::copy_file(dir() + "/bin/ks-marker", dir() + "/bin/ks-second");
    const std::string marker = dir() + "/bin/ks-marker";
    std::atomic<bool> stop{false};
    std::atomic<int> attempts{0}, escaped{0}, writes{0}, wrongly_killed{0};
    std::thread hammer([&] {
        while (!stop) {
            int st = run("/", {marker, dir() + "/escaped"});
            attempts++;
            if (!killed(st)) escaped++;
        }
    });
    // The exception of "Protect dir" holds across the switch too: its writer lives.
    std::thread allowed([&] {
        const std::string victim = dir() + "/protected/data";
        while (!stop) {
            pid_t pid = spawn([&] {
                prctl(PR_SET_NAME, "ks-allowed");
                int fd = open(victim.c_str(), O_WRONLY | O_APPEND);
                if (fd >= 0) close(fd);
            });
            writes++;
            if (killed(wait_child(pid))) wrongly_killed++;
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    std::ofstream(dir() + "/rules.yaml", std::ios::app)
        << "- rule: Kill second\n  desc: added by the reload\n"
           "  condition: evt.type in (execve, execveat) and proc.exepath = " << dir() << "/bin/ks-second\n"
           "  output: killed %proc.exepath\n  priority: CRITICAL\n  action: kill\n";
    ASSERT_EQ(kill(agent->process().pid(), SIGHUP), 0);
    EXPECT_TRUE(agent->process().wait_stderr("configuration reloaded", std::chrono::seconds(20)))
        << agent->process().stderr_text();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop = true;
    hammer.join();
    allowed.join();
    EXPECT_GT(attempts.load(), 10);
    EXPECT_EQ(escaped.load(), 0) << "of " << attempts.load();
    EXPECT_GT(writes.load(), 10);
    EXPECT_EQ(wrongly_killed.load(), 0) << "of " << writes.load();
    EXPECT_FALSE(std::filesystem::exists(dir() + "/escaped"));
    EXPECT_TRUE(killed(run("/", {dir() + "/bin/ks-second", dir() + "/second"})));
    EXPECT_FALSE(std::filesystem::exists(dir() + "/second"));
}

// Programs of kscope's enforcement attached anywhere, as bpftool lists them.
std::string enforcement_programs() {
    std::string out = shell("bpftool prog show 2>/dev/null | grep -o 'ks_enforce_[a-z0-9_]*' | sort -u");
    out += shell("bpftool cgroup tree 2>/dev/null | grep -o 'ks_enforce_[a-z0-9_]*' | sort -u");
    return out;
}

TEST_F(Enforce, NothingStaysAttachedAfterExitOrKill9) {
    for (int sig : {SIGTERM, SIGKILL}) {
        auto agent = start("enforce");
        ASSERT_TRUE(agent->ready());
        EXPECT_NE(enforcement_programs().find("ks_enforce_connect4"), std::string::npos)
            << "not attached while running: " << enforcement_programs();
        agent->process().stop(sig);
        std::string left;
        for (int i = 0; i < 50; i++) {
            left = enforcement_programs();
            if (left.empty())
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        EXPECT_EQ(left, "") << "after signal " << sig;
    }
}

}  // namespace
}  // namespace kscope::test
