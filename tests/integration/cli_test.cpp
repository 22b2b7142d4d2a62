// Whole-binary behaviour: doctor, bad input, missing privileges, clean detach.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <regex>
#include <sstream>
#include <thread>

#include "harness.h"

namespace kscope::test {
namespace {

const std::string kBin = KSCOPE_BINARY;

// Doctor's rows are "  [<mark>] <name padded> <detail>"; the mark of a check that passed
// is "ok". Returns the mark and the whole line of the row named name ("" when absent).
struct DoctorRow {
    std::string mark, line;
};
DoctorRow doctor_row(const std::string& text, const std::string& name) {
    static const std::regex row(R"(^\s*\[([^\]]*)\]\s+(\S.*?)(\s{2,}.*|\s*)$)");
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        std::smatch m;
        // Names may hold one space ("tc (sched_cls)", "ring buffer map"); the detail
        // starts after the padding.
        if (std::regex_match(line, m, row) && m[2].str() == name)
            return {std::regex_replace(m[1].str(), std::regex(R"(\s+$)"), ""), line};
    }
    return {};
}

TEST(Cli, DoctorReportsEveryProbeAttachedAndExitsZero) {
    REQUIRE_ROOT();
    ShellResult o = run_shell(kBin + " doctor");
    EXPECT_TRUE(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 0) << o.text;
    EXPECT_NE(o.text.find("attached tracepoint:sched:sched_process_exec"), std::string::npos) << o.text;
    EXPECT_NE(o.text.find("attached tracepoint:syscalls:sys_exit_execve"), std::string::npos) << o.text;
    EXPECT_NE(o.text.find("attached tracepoint:sched:sched_process_exit"), std::string::npos) << o.text;
    EXPECT_EQ(o.text.find("FAILED"), std::string::npos) << "a hook did not attach:\n" << o.text;
    // What the probes stand on passes.
    for (const char* check : {"kernel", "BTF", "privileges", "tracefs", "tracepoint", "raw_tracepoint", "ring buffer map"}) {
        DoctorRow r = doctor_row(o.text, check);
        ASSERT_FALSE(r.line.empty()) << "no row for " << check << ":\n" << o.text;
        EXPECT_EQ(r.mark, "ok") << r.line;
    }
    // Every probe row passes.
    for (const char* probe : {"exec", "exit", "open", "syscalls", "filetop", "tcp", "drops", "tcptop", "dns"}) {
        DoctorRow r = doctor_row(o.text, probe);
        ASSERT_FALSE(r.line.empty()) << "no row for probe " << probe << ":\n" << o.text;
        EXPECT_EQ(r.mark, "ok") << r.line;
    }
    // This machine has no kprobes (nor fentry/LSM): doctor says so, and since no probe
    // needs them it is not a failure.
    for (const char* optional : {"kprobe", "fentry", "lsm"}) {
        DoctorRow r = doctor_row(o.text, optional);
        ASSERT_FALSE(r.line.empty()) << "no row for " << optional << ":\n" << o.text;
        EXPECT_TRUE(r.line.find("FAIL") == std::string::npos) << "doctor fails an optional hook: " << r.line;
    }
    EXPECT_NE(o.text.find("kscope can run here."), std::string::npos) << o.text;
}

TEST(Cli, WithoutPrivilegesSaysWhatIsMissing) {
    REQUIRE_ROOT();
    ShellResult o = run_shell("setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all " + kBin + " exec");
    EXPECT_EQ(WEXITSTATUS(o.status), 1) << o.text;
    EXPECT_NE(o.text.find("needs root, or the CAP_BPF and CAP_PERFMON capabilities"), std::string::npos) << o.text;
}

TEST(Cli, BadFlagsAreRejectedWithAMessage) {
    ShellResult unknown = run_shell(kBin + " exec --no-such-flag");
    EXPECT_NE(WEXITSTATUS(unknown.status), 0);
    EXPECT_NE(unknown.text.find("no-such-flag"), std::string::npos) << unknown.text;

    ShellResult pid = run_shell(kBin + " exec -p notapid");
    EXPECT_NE(WEXITSTATUS(pid.status), 0);
    EXPECT_NE(pid.text.find("notapid"), std::string::npos) << pid.text;

    ShellResult comm = run_shell(kBin + " exec -c abcdefghijklmnopqrstuvwxyz");
    EXPECT_EQ(WEXITSTATUS(comm.status), 2);
    EXPECT_NE(comm.text.find("1 to 15 characters"), std::string::npos) << comm.text;

    ShellResult cg = run_shell(kBin + " exec --cgroup /no/such/cgroup");
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

// BPF program ids a process holds through its fds (programs and links name them in
// fdinfo as "prog_id:").
std::set<uint32_t> prog_ids_held_by(pid_t pid) {
    std::set<uint32_t> ids;
    const std::string dir = "/proc/" + std::to_string(pid) + "/fdinfo";
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        std::ifstream in(entry.path());
        for (std::string line; std::getline(in, line);)
            if (line.rfind("prog_id:", 0) == 0)
                ids.insert(uint32_t(std::stoul(line.substr(8))));
    }
    return ids;
}

// Ids of every BPF program loaded on the host.
std::set<uint32_t> loaded_prog_ids() {
    std::set<uint32_t> ids;
    auto j = nlohmann::json::parse(run_shell("bpftool prog show --json 2>/dev/null").text, nullptr, false);
    if (j.is_array())
        for (const auto& p : j)
            ids.insert(p["id"].get<uint32_t>());
    return ids;
}

// Programs are owned by the process (no pinning): a SIGKILLed kscope leaves nothing.
// Only this kscope's own programs are followed: other kscopes may run on the host.
TEST(Cli, NothingStaysAttachedAfterKillNine) {
    REQUIRE_ROOT();
    std::set<uint32_t> ours;
    {
        Kscope k({"exec", "--json"});
        ASSERT_TRUE(k.ready()) << k.stderr_text();
        ours = prog_ids_held_by(k.pid());
        ASSERT_GE(ours.size(), 5u) << "the exec probe has five programs";
        auto loaded = loaded_prog_ids();
        for (uint32_t id : ours)
            ASSERT_TRUE(loaded.count(id)) << "program " << id << " not listed by bpftool";
        k.stop(SIGKILL);
    }
    // The kernel frees a dead process's programs asynchronously (after an RCU grace
    // period): poll for up to 10 s.
    auto still_loaded = [&] {
        std::set<uint32_t> left;
        auto loaded = loaded_prog_ids();
        for (uint32_t id : ours)
            if (loaded.count(id))
                left.insert(id);
        return left;
    };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    auto left = still_loaded();
    while (!left.empty() && std::chrono::steady_clock::now() < deadline) {
        usleep(100'000);
        left = still_loaded();
    }
    EXPECT_TRUE(left.empty()) << left.size() << " of " << ours.size() << " programs still loaded 10 s after SIGKILL, first id "
                              << *left.begin();
    EXPECT_EQ(run_shell("ls /sys/fs/bpf 2>/dev/null | grep -c ks_").text, "0\n");
}

}  // namespace
}  // namespace kscope::test
