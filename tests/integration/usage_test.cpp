// What a user typing commands meets: mistakes explained in words with exit code 2,
// flags that would do nothing refused, --duration honoured by every tool, kscope's own
// activity left out, and syscall rows that agree with themselves.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "harness.h"

namespace kscope::test {
namespace {

struct Output {
    int code;
    std::string text;  // stdout and stderr
};

Output run(const std::string& args) {
    ShellResult r = run_shell(std::string(KSCOPE_BINARY) + " " + args);
    return {WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1, std::move(r.text)};
}

void expect_usage_error(const std::string& args, const std::string& message) {
    Output o = run(args);
    EXPECT_EQ(o.code, 2) << args << "\n" << o.text;
    EXPECT_NE(o.text.find(message), std::string::npos) << args << "\n" << o.text;
    EXPECT_EQ(o.text.find("179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368"), std::string::npos)
        << args;
    EXPECT_EQ(o.text.find("tracing"), std::string::npos) << args << ": started anyway\n" << o.text;
}

TEST(Usage, UnknownSubcommandIsNamedWithTheList) {
    Output o = run("frobnicate");
    EXPECT_EQ(o.code, 2);
    EXPECT_NE(o.text.find("unknown subcommand 'frobnicate'"), std::string::npos) << o.text;
    EXPECT_NE(o.text.find("subcommands: exec, exit, open, syscalls"), std::string::npos) << o.text;
    Output none = run("");
    EXPECT_EQ(none.code, 2);
    EXPECT_NE(none.text.find("subcommands: exec"), std::string::npos) << none.text;
    EXPECT_EQ(run("--help").code, 0);
}

TEST(Usage, BadNumbersAreExplainedInWords) {
    for (const char* bad : {"-1", "0", "abc", "nan"})
        expect_usage_error(std::string("exec --duration ") + bad,
                           std::string("--duration: '") + bad + "' must be a positive number of seconds");
    expect_usage_error("syscalls -i 0", "--interval: '0' must be a positive number of seconds");
    expect_usage_error("exec --count 0", "--count: '0' must be a whole number above 0");
    expect_usage_error("syscalls --top -1", "must be a whole number, 0 or more");
}

TEST(Usage, FlagsThatWouldDoNothingAreRefused) {
    for (const char* tool : {"filetop", "tcptop", "drops", "retrans"})
        expect_usage_error(std::string(tool) + " -x", "-x");
    expect_usage_error("drops -i 2", "--interval: needs --summary");
    expect_usage_error("drops --top 3", "--top: needs --summary");
    expect_usage_error("tcp --laddr bogus", "'bogus' is not an IPv4 or IPv6 address");
    expect_usage_error("tcp --raddr 10.0.0", "'10.0.0' is not an IPv4 or IPv6 address");
    expect_usage_error("dns --port 53,54,55,56,57", "--port: takes at most 4 ports (5 given)");
    expect_usage_error("query --type bogus --data-dir /tmp", "'bogus' is not an event type");
}

TEST(Usage, MissingPidIsAnErrorUnlessAllowed) {
    REQUIRE_ROOT();
    // A pid that cannot exist: above the kernel's largest pid_max.
    expect_usage_error("exec -p 4194303", "no process has pid 4194303 (add --allow-missing-pid");
    Output allowed = run("exec -p 4194303 --allow-missing-pid --duration 0.5");
    EXPECT_EQ(allowed.code, 0) << allowed.text;
    EXPECT_NE(allowed.text.find("warning: no process has pid 4194303 yet"), std::string::npos) << allowed.text;
}

// --duration ends interval tools in the middle of an interval.
TEST(Usage, DurationEndsIntervalToolsOnTime) {
    REQUIRE_ROOT();
    for (const char* tool : {"syscalls -i 5", "tcptop -i 5", "filetop -i 5", "drops --summary -i 5"}) {
        auto t0 = std::chrono::steady_clock::now();
        Output o = run(std::string(tool) + " --duration 1.5 --json");
        double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        EXPECT_EQ(o.code, 0) << tool << "\n" << o.text;
        EXPECT_GE(took, 1.5) << tool;
        EXPECT_LT(took, 4.0) << tool << " ran " << took << " s for --duration 1.5 with -i 5";
    }
}

// kscope's own reads of tracefs and its bpf() calls stay out unless asked for.
TEST(Usage, KscopeLeavesItselfOut) {
    REQUIRE_ROOT();
    for (bool include : {false, true}) {
        Kscope k({"syscalls", "-i", "0.5", "--count", "2", "--json", "--top", "0",
                  include ? "--include-self" : "--json"});
        ASSERT_TRUE(k.ready()) << k.stderr_text();
        ASSERT_NE(k.wait_exit(std::chrono::seconds(15)), -1);
        bool self = false;
        for (const auto& row : k.json_lines())
            self = self || row["pid"] == k.pid();
        EXPECT_EQ(self, include) << (include ? "--include-self left kscope out" : "kscope listed itself");
    }
}

// A forked shell that execs cat: the row shows "cat", the name the process has now,
// and errors equal the errnos listed.
TEST(Usage, SyscallRowsShowTheCurrentNameAndAgree) {
    REQUIRE_ROOT();
    TempDir tmp("kscope-usage");
    Kscope k({"syscalls", "-i", "1", "--count", "2", "--json", "--top", "0"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t child = spawn([&] {
        // The child's first syscalls run under the parent's name, then it becomes cat.
        for (int i = 0; i < 5; i++)
            access("/nonexistent/kscope-usage", F_OK);
        exec_now("/bin/cat", {"cat", "/nonexistent/kscope-usage-cat"});
    });
    wait_child(child);
    ASSERT_NE(k.wait_exit(std::chrono::seconds(15)), -1) << k.stderr_text();
    size_t rows_for_child = 0;
    for (const auto& row : k.json_lines()) {
        uint64_t errors = 0;
        for (const auto& [name, n] : row["errnos"].items())
            errors += n.get<uint64_t>();
        EXPECT_EQ(row["errors"].get<uint64_t>(), errors) << row.dump();
        EXPECT_LE(row["errors"].get<uint64_t>(), row["calls"].get<uint64_t>()) << row.dump();
        EXPECT_LE(row["p50_ns"].get<uint64_t>(), row["p99_ns"].get<uint64_t>()) << row.dump();
        EXPECT_LE(row["p99_ns"].get<uint64_t>(), row["max_ns"].get<uint64_t>()) << row.dump();
        EXPECT_GT(row["max_ns"].get<uint64_t>(), 0u) << row.dump();
        if (row["pid"] == child) {
            rows_for_child++;
            EXPECT_EQ(row["comm"], "cat") << row.dump();
        }
    }
    EXPECT_GT(rows_for_child, 0u);
}

}  // namespace
}  // namespace kscope::test
