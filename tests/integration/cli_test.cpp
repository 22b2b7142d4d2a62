// Whole-binary behaviour: doctor, bad input, missing privileges, clean detach.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <thread>

#include "harness.h"

namespace kscope::test {
namespace {

struct Output {
    int status;
    std::string text;  // stdout and stderr
};

Output run_shell(const std::string& cmd) {
    Output out{};
    FILE* p = popen((cmd + " 2>&1").c_str(), "r");
    std::array<char, 4096> buf{};
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0)
        out.text.append(buf.data(), n);
    out.status = pclose(p);
    return out;
}

const std::string kBin = KSCOPE_BINARY;

TEST(Cli, DoctorReportsEveryProbeAttachedAndExitsZero) {
    REQUIRE_ROOT();
    Output o = run_shell(kBin + " doctor");
    EXPECT_EQ(WEXITSTATUS(o.status), 0) << o.text;
    EXPECT_NE(o.text.find("attached tracepoint:sched:sched_process_exec"), std::string::npos) << o.text;
    EXPECT_NE(o.text.find("attached tracepoint:syscalls:sys_exit_execve"), std::string::npos) << o.text;
    EXPECT_NE(o.text.find("attached tracepoint:sched:sched_process_exit"), std::string::npos) << o.text;
    // This machine has no kprobes: doctor must say so rather than pretend.
    EXPECT_NE(o.text.find("kprobe"), std::string::npos);
    EXPECT_NE(o.text.find("kscope can run here."), std::string::npos);
}

TEST(Cli, WithoutPrivilegesSaysWhatIsMissing) {
    REQUIRE_ROOT();
    Output o = run_shell("setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all " + kBin + " exec");
    EXPECT_EQ(WEXITSTATUS(o.status), 1) << o.text;
    EXPECT_NE(o.text.find("needs root, or the CAP_BPF and CAP_PERFMON capabilities"), std::string::npos) << o.text;
}

TEST(Cli, BadFlagsAreRejectedWithAMessage) {
    Output unknown = run_shell(kBin + " exec --no-such-flag");
    EXPECT_NE(WEXITSTATUS(unknown.status), 0);
    EXPECT_NE(unknown.text.find("no-such-flag"), std::string::npos) << unknown.text;

    Output pid = run_shell(kBin + " exec -p notapid");
    EXPECT_NE(WEXITSTATUS(pid.status), 0);
    EXPECT_NE(pid.text.find("notapid"), std::string::npos) << pid.text;

    Output comm = run_shell(kBin + " exec -c abcdefghijklmnopqrstuvwxyz");
    EXPECT_EQ(WEXITSTATUS(comm.status), 2);
    EXPECT_NE(comm.text.find("1 to 15 characters"), std::string::npos) << comm.text;

    Output cg = run_shell(kBin + " exec --cgroup /no/such/cgroup");
    EXPECT_EQ(WEXITSTATUS(cg.status), 2);
    EXPECT_NE(cg.text.find("no such cgroup"), std::string::npos) << cg.text;
}

TEST(Cli, TableOutputHasAlignedHeaderAndRows) {
    REQUIRE_ROOT();
    Kscope k({"exec", "-T", "-c", "echo"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t child = run_exec("/bin/echo", {"/bin/echo", "two words", ""});
    pid_t failed = run_exec("/nonexistent/kscope-table", {"echo"});
    (void)failed;
    k.stop();
    std::string out = k.stdout_text();
    auto nl = out.find('\n');
    ASSERT_NE(nl, std::string::npos) << out;
    std::string header = out.substr(0, nl);
    EXPECT_EQ(header.rfind("TIME     PCOMM", 0), 0u) << header;
    auto args_col = header.find("ARGS");
    std::string row = out.substr(nl + 1, out.find('\n', nl + 1) - nl - 1);
    EXPECT_NE(row.find(" " + std::to_string(child) + " "), std::string::npos) << row;
    EXPECT_EQ(row.substr(args_col), "/bin/echo 'two words' ''") << out;
}

// Programs are owned by the process (no pinning): a SIGKILLed kscope leaves nothing.
TEST(Cli, NothingStaysAttachedAfterKillNine) {
    REQUIRE_ROOT();
    auto kscope_progs = [] {
        Output o = run_shell("bpftool prog show");
        int n = 0;
        for (size_t pos = 0; (pos = o.text.find("name ks_", pos)) != std::string::npos; pos++)
            n++;
        return n;
    };
    ASSERT_EQ(kscope_progs(), 0) << "another kscope is running";
    {
        Kscope k({"exec", "--json"});
        ASSERT_TRUE(k.ready()) << k.stderr_text();
        EXPECT_GT(kscope_progs(), 0);
        k.stop(SIGKILL);
    }
    int left = -1;
    for (int i = 0; i < 50 && left != 0; i++) {  // programs are freed shortly after the fds close
        left = kscope_progs();
        if (left)
            usleep(100'000);
    }
    EXPECT_EQ(left, 0);
    EXPECT_EQ(run_shell("ls /sys/fs/bpf 2>/dev/null | grep -c ks_").text, "0\n");
}

}  // namespace
}  // namespace kscope::test
