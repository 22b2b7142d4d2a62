// kscope profile and offcpu against the real kernel, on a program built -O2
// -fomit-frame-pointer (as Debian builds its packages): stacks must be complete (reach
// main), named (also stripped, through a build-id debug file, and after the process
// exited), and the outputs readable by the tools people use.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "harness.h"

namespace kscope::test {
namespace {

const std::string kTarget = PROFILE_TARGET;

// "comm;frame;...;leaf COUNT" lines -> stack -> count.
std::map<std::string, uint64_t> parse_folded(const std::string& text) {
    std::map<std::string, uint64_t> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        auto sp = line.rfind(' ');
        if (sp == std::string::npos)
            continue;
        out[line.substr(0, sp)] += std::stoull(line.substr(sp + 1));
    }
    return out;
}

uint64_t weight(const std::map<std::string, uint64_t>& folded, const std::string& part) {
    uint64_t n = 0;
    for (const auto& [stack, count] : folded)
        if (stack.find(part) != std::string::npos)
            n += count;
    return n;
}

uint64_t total(const std::map<std::string, uint64_t>& folded) { return weight(folded, ""); }

// Samples whose stack holds both parts.
uint64_t weight_both(const std::map<std::string, uint64_t>& folded, const std::string& a, const std::string& b) {
    uint64_t n = 0;
    for (const auto& [stack, count] : folded)
        if (stack.find(a) != std::string::npos && stack.find(b) != std::string::npos)
            n += count;
    return n;
}

// Profiles the target (started by fn after kscope is ready) and returns the folded stacks.
std::map<std::string, uint64_t> profile_of(std::vector<std::string> args, const std::function<pid_t()>& start,
                                           std::string* stderr_text = nullptr) {
    args.insert(args.begin(), "profile");
    args.push_back("--folded");
    Kscope k(args, false, {}, "sampling at");
    EXPECT_TRUE(k.ready()) << k.stderr_text();
    pid_t child = start();
    EXPECT_NE(k.wait_exit(std::chrono::seconds(30)), -1) << k.stderr_text();
    if (child > 0)
        wait_child(child);
    if (stderr_text)
        *stderr_text = k.stderr_text();
    return parse_folded(k.stdout_text());
}

TEST(Profile, CompleteStacksOnCodeWithoutFramePointers) {
    REQUIRE_ROOT();
    // Started first, so -p has a process; its tables are loaded before sampling begins.
    pid_t target = spawn([] { exec_now(kTarget, {"profile_target", "3", "1"}); });
    auto folded = profile_of({"-p", std::to_string(target), "--duration", "3.5", "--stats"}, [] { return -1; });
    wait_child(target);
    const uint64_t all = total(folded);
    ASSERT_GT(all, 150u) << "too few samples";
    // At least 90% of the samples reach main (frame-pointer walking gets ~0% here).
    EXPECT_GE(double(weight(folded, ";main;")) / all, 0.9) << all;
    EXPECT_GE(double(weight(folded, "_start;__libc_start_main;__libc_start_call_main;main;")) / all, 0.9);
    // work -> hot_a / hot_b, 70/30 within a few points.
    const double a = double(weight(folded, ";main;work;hot_a;spin"));
    const double b = double(weight(folded, ";main;work;hot_b;spin"));
    ASSERT_GT(a + b, 0);
    EXPECT_NEAR(a / (a + b), 0.70, 0.08) << a << " / " << b;
    // The comparator runs under libc's qsort: its callers above libc's frames are named.
    const uint64_t cmp = weight(folded, ";compare_values");
    EXPECT_GT(cmp, 10u);
    EXPECT_EQ(weight_both(folded, "_start;__libc_start_main;__libc_start_call_main;main;sort_phase;qsort_r;msort_with_tmp",
                          ";compare_values"),
              cmp);
}

TEST(Profile, KernelFramesAreNamed) {
    REQUIRE_ROOT();
    // dd spends its time in the kernel copying /dev/zero.
    auto folded = profile_of({"-c", "dd", "--duration", "1.5"}, [] {
        return spawn([] { exec_now("/bin/dd", {"dd", "if=/dev/zero", "of=/dev/null", "bs=1M", "count=400000"}); });
    });
    uint64_t kernel_named = 0;
    for (const auto& [stack, n] : folded)
        if (stack.find("_[k]") != std::string::npos &&
            (stack.find("ksys_read_[k]") != std::string::npos || stack.find("vfs_read_[k]") != std::string::npos))
            kernel_named += n;
    EXPECT_GT(kernel_named, 10u) << "no named kernel frames";
    for (const auto& [stack, n] : folded)
        EXPECT_EQ(stack.find("0xffff"), std::string::npos) << "unnamed kernel frame: " << stack;
}

// A process that ran for 1 s and exited 2 s before the report is still named.
TEST(Profile, ProcessThatExitedBeforeTheReportIsNamed) {
    REQUIRE_ROOT();
    auto folded = profile_of({"-c", "profile_target", "--duration", "3"}, [] {
        return spawn([] { exec_now(kTarget, {"profile_target", "1"}); });
    });
    const uint64_t all = total(folded);
    ASSERT_GT(all, 40u);
    EXPECT_GE(double(weight(folded, ";main;work;")) / all, 0.85) << all;
    EXPECT_GT(weight(folded, ";hot_a;spin"), 0u);
}

// The same program stripped, its symbols in a debug file under /usr/lib/debug/.build-id.
TEST(Profile, StrippedBinaryIsNamedThroughItsBuildIdDebugFile) {
    REQUIRE_ROOT();
    TempDir dir("kscope-profile-strip");
    const std::string stripped = dir.path() + "/profile_target";
    const std::string debug = dir.path() + "/profile_target.debug";
    ASSERT_EQ(std::system(("objcopy --only-keep-debug " + kTarget + " " + debug + " && objcopy --strip-all " + kTarget +
                           " " + stripped)
                              .c_str()),
              0);
    const std::string notes = shell("readelf -n " + stripped);
    auto at = notes.find("Build ID: ");
    ASSERT_NE(at, std::string::npos) << notes;
    const std::string id = notes.substr(at + 10, notes.find('\n', at) - at - 10);
    ASSERT_GT(id.size(), 2u);
    const std::string build_id_dir = "/usr/lib/debug/.build-id/" + id.substr(0, 2);
    const std::string debug_link = build_id_dir + "/" + id.substr(2) + ".debug";
    std::filesystem::create_directories(build_id_dir);
    std::filesystem::copy_file(debug, debug_link, std::filesystem::copy_options::overwrite_existing);
    struct Cleanup {
        std::string path;
        ~Cleanup() { std::filesystem::remove(path); }
    } cleanup{debug_link};
    ASSERT_EQ(shell("nm " + stripped).find(" hot_a"), std::string::npos) << "not stripped";

    pid_t target = spawn([&] { exec_now(stripped, {"profile_target", "2"}); });
    auto folded = profile_of({"-p", std::to_string(target), "--duration", "2"}, [] { return -1; });
    wait_child(target);
    const uint64_t all = total(folded);
    ASSERT_GT(all, 80u);
    EXPECT_GE(double(weight(folded, ";main;work;")) / all, 0.85) << all;
    EXPECT_GT(weight(folded, ";work;hot_a;spin"), 0u);
}

// --pprof is read by Debian's go tool pprof; --flamegraph holds the hot functions.
TEST(Profile, PprofAndFlameGraphFiles) {
    REQUIRE_ROOT();
    if (shell("command -v go").empty())
        GTEST_SKIP() << "SKIPPED: go (golang-go) is not installed; scripts/bootstrap installs it";
    TempDir dir("kscope-profile-out");
    const std::string pprof = dir.path() + "/cpu.pb.gz", html = dir.path() + "/flame.html";
    pid_t target = spawn([] { exec_now(kTarget, {"profile_target", "2"}); });
    Kscope k({"profile", "-p", std::to_string(target), "--duration", "2", "--pprof", pprof, "--flamegraph", html},
             false, {}, "sampling at");
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    ASSERT_NE(k.wait_exit(std::chrono::seconds(30)), -1);
    wait_child(target);
    const std::string top =
        shell("HOME=" + dir.path() + " GOCACHE=" + dir.path() + "/gocache go tool pprof -top " + pprof);
    EXPECT_NE(top.find("hot_a"), std::string::npos) << top;
    EXPECT_NE(top.find("spin"), std::string::npos) << top;
    EXPECT_NE(top.find("main"), std::string::npos) << top;
    std::ifstream in(html);
    std::stringstream page;
    page << in.rdbuf();
    EXPECT_NE(page.str().find("hot_a"), std::string::npos);
    EXPECT_NE(page.str().find("work"), std::string::npos);
    EXPECT_EQ(page.str().find("http://"), std::string::npos) << "the page must be self-contained";
}

// offcpu: a process sleeping 8 x 100 ms in sleepy_wait shows that stack with ~0.8 s.
TEST(Offcpu, SleepingStackWithItsTime) {
    REQUIRE_ROOT();
    Kscope k({"offcpu", "-c", "profile_target", "--duration", "2.5", "--folded"}, false, {}, "tracing blocks");
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t target = spawn([] { exec_now(kTarget, {"profile_target", "sleep", "8", "100"}); });
    wait_child(target);
    ASSERT_NE(k.wait_exit(std::chrono::seconds(30)), -1);
    auto folded = parse_folded(k.stdout_text());
    const uint64_t us = weight(folded, ";main;sleepy_wait;");
    EXPECT_NEAR(double(us), 800'000, 120'000) << k.stdout_text();
    // The kernel part says why: the task slept in the kernel's nanosleep.
    EXPECT_GT(weight(folded, "nanosleep_[k]"), 700'000u) << k.stdout_text();
}

// Two saved profiles compared: what got hotter and cooler, in one HTML page.
TEST(Profile, DiffOfTwoSavedProfiles) {
    TempDir dir("kscope-profile-diff");
    const std::string before = dir.path() + "/before.folded", after = dir.path() + "/after.folded";
    std::ofstream(before) << "app;main;parse 70\napp;main;render 30\n";
    std::ofstream(after) << "app;main;parse 20\napp;main;render 80\n";
    const std::string out = dir.path() + "/diff.html";
    const std::string msg =
        shell(std::string(KSCOPE_BINARY) + " profile --diff " + before + " " + after + " --flamegraph " + out);
    EXPECT_EQ(msg, "");
    std::ifstream in(out);
    std::stringstream page;
    page << in.rdbuf();
    EXPECT_NE(page.str().find("parse"), std::string::npos);
    EXPECT_NE(page.str().find("render"), std::string::npos);
    EXPECT_NE(page.str().find("differential"), std::string::npos);
    // A file that is neither folded nor pprof names its line.
    std::ofstream(dir.path() + "/bad.folded") << "app;main\n";
    const std::string bad = shell(std::string(KSCOPE_BINARY) + " profile --diff " + dir.path() + "/bad.folded " + after);
    EXPECT_NE(bad.find("bad.folded"), std::string::npos) << bad;
    EXPECT_NE(bad.find("1"), std::string::npos) << bad;
}

TEST(Profile, BadFlags) {
    REQUIRE_ROOT();
    EXPECT_NE(shell(std::string(KSCOPE_BINARY) + " profile -U -K").find("choose one"), std::string::npos);
    EXPECT_NE(shell(std::string(KSCOPE_BINARY) + " profile -F 0").find("--frequency"), std::string::npos);
    // One report at the end: --count and -T would do nothing.
    EXPECT_NE(shell(std::string(KSCOPE_BINARY) + " profile --count 5").find("--count"), std::string::npos);
    EXPECT_NE(shell(std::string(KSCOPE_BINARY) + " offcpu -T").find("-T"), std::string::npos);
    EXPECT_NE(shell(std::string(KSCOPE_BINARY) + " profile --diff /no/such/a /no/such/b").find("/no/such/a"),
              std::string::npos);
}

}  // namespace
}  // namespace kscope::test
