// kscope open against the real kernel: real opens from this process, exact fields.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "harness.h"

namespace kscope::test {
namespace {
namespace fs = std::filesystem;

// A scratch directory with one existing file; opens happen in a forked child whose comm
// is unique, so the -c filter keeps other processes out.
class OpenTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("kscope open test " + std::to_string(getpid()));
        fs::create_directories(dir);
        std::ofstream(dir / "existing file") << "x";
    }
    void TearDown() override { fs::remove_all(dir); }

    // Runs fn in a child named "kscope-opener" under `kscope open --json -c kscope-opener`.
    // while_running: called with kscope's pid once it is tracing.
    std::vector<nlohmann::json> trace(const std::function<void()>& fn, std::vector<std::string> extra = {},
                                      std::vector<std::string> env = {},
                                      const std::function<void(pid_t)>& while_running = {}) {
        std::vector<std::string> args = {"open", "--json", "-c", "kscope-opener"};
        args.insert(args.end(), extra.begin(), extra.end());
        Kscope k(args, false, env);
        EXPECT_TRUE(k.ready()) << k.stderr_text();
        if (while_running)
            while_running(k.pid());
        pid_t child = spawn([&] {
            prctl_name();
            fn();
        });
        wait_child(child);
        k.stop();
        pid = child;
        err = k.stderr_text();
        return events_for(k.json_lines(), "open", child);
    }
    static void prctl_name() {
        std::ofstream("/proc/self/comm") << "kscope-opener";
    }

    fs::path dir;
    pid_t pid = 0;
    std::string err;  // kscope's stderr of the last trace()
};

// The "kscope open: <program> attached to <hook>" lines of a --verbose run, as
// program -> hook.
std::map<std::string, std::string> attached_programs(const std::string& err) {
    std::map<std::string, std::string> out;
    std::istringstream in(err);
    const std::string prefix = "kscope open: ", sep = " attached to ";
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(prefix, 0) != 0)
            continue;
        auto at = line.find(sep);
        if (at != std::string::npos)
            out[line.substr(prefix.size(), at - prefix.size())] = line.substr(at + sep.size());
    }
    return out;
}

// The args_from_regs constant the open probe of kscope `pid` was loaded with, read from
// its .rodata map (found through the map ids in the process's fdinfo); null if not found.
nlohmann::json args_from_regs_of(pid_t pid) {
    std::set<uint32_t> ids;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fdinfo", ec)) {
        std::ifstream in(entry.path());
        for (std::string line; std::getline(in, line);)
            if (line.rfind("map_id:", 0) == 0)
                ids.insert(uint32_t(std::stoul(line.substr(7))));
    }
    for (uint32_t id : ids) {
        auto map = nlohmann::json::parse(shell_stdout("bpftool map show id " + std::to_string(id) + " --json"), nullptr,
                                         false);
        if (map.is_discarded() || map.value("name", "") != "open.rodata")
            continue;
        auto dump = nlohmann::json::parse(shell_stdout("bpftool map dump id " + std::to_string(id) + " --json"),
                                          nullptr, false);
        if (dump.is_discarded() || !dump.is_array() || dump.empty())
            return nullptr;
        for (const auto& var : dump[0]["formatted"]["value"][".rodata"])
            if (var.contains("args_from_regs"))
                return var["args_from_regs"];
    }
    return nullptr;
}

const std::map<std::string, std::string> kExitPrograms = {
    {"ks_open_exit", "tracepoint:syscalls:sys_exit_open"},
    {"ks_openat_exit", "tracepoint:syscalls:sys_exit_openat"},
    {"ks_openat2_exit", "tracepoint:syscalls:sys_exit_openat2"},
    {"ks_creat_exit", "tracepoint:syscalls:sys_exit_creat"},
};
const std::map<std::string, std::string> kEntryPrograms = {
    {"ks_open_enter", "tracepoint:syscalls:sys_enter_open"},
    {"ks_openat_enter", "tracepoint:syscalls:sys_enter_openat"},
    {"ks_openat2_enter", "tracepoint:syscalls:sys_enter_openat2"},
    {"ks_creat_enter", "tracepoint:syscalls:sys_enter_creat"},
};

const nlohmann::json* find_path(const std::vector<nlohmann::json>& events, const std::string& path) {
    for (const auto& e : events)
        if (e["path"] == path)
            return &e;
    return nullptr;
}

TEST_F(OpenTest, ExistingFileWithSpaceInPath) {
    REQUIRE_ROOT();
    const std::string path = (dir / "existing file").string();
    const fs::path fd_file = dir / "fd";
    auto events = trace([&] {
        int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
        std::ofstream(fd_file) << fd;  // the fd the child got, for the parent to compare
    });
    int fd_seen = -1;
    std::ifstream(fd_file) >> fd_seen;
    ASSERT_GE(fd_seen, 0);
    const auto* e = find_path(events, path);
    ASSERT_NE(e, nullptr) << "no event for " << path;
    EXPECT_EQ((*e)["syscall"], "openat");  // glibc's open() is openat(AT_FDCWD, ...)
    EXPECT_EQ((*e)["resolved_path"], path);
    EXPECT_EQ((*e)["resolution"], "as_passed");
    EXPECT_EQ((*e)["dirfd"], AT_FDCWD);
    EXPECT_EQ((*e)["flags"], "O_RDONLY|O_CLOEXEC");
    EXPECT_EQ((*e)["mode"], "");
    EXPECT_EQ((*e)["ret"], fd_seen);
    EXPECT_EQ((*e)["error"], "");
    EXPECT_EQ((*e)["comm"], "kscope-opener");
    EXPECT_EQ((*e)["ppid"], getpid());
}

TEST_F(OpenTest, MissingFileIsEnoent) {
    REQUIRE_ROOT();
    const std::string path = (dir / "missing").string();
    auto events = trace([&] { open(path.c_str(), O_RDONLY); });
    const auto* e = find_path(events, path);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ((*e)["ret"], -ENOENT);
    EXPECT_EQ((*e)["error"], "ENOENT");
    EXPECT_EQ((*e)["flags"], "O_RDONLY");
}

TEST_F(OpenTest, ExclusiveCreateOfExistingFileIsEexist) {
    REQUIRE_ROOT();
    const std::string path = (dir / "existing file").string();
    auto events = trace([&] { open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0640); });
    const auto* e = find_path(events, path);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ((*e)["ret"], -EEXIST);
    EXPECT_EQ((*e)["error"], "EEXIST");
    EXPECT_EQ((*e)["flags"], "O_WRONLY|O_CREAT|O_EXCL");
    EXPECT_EQ((*e)["mode"], "0640");
}

TEST_F(OpenTest, RelativePathResolvedAgainstCwd) {
    REQUIRE_ROOT();
    auto events = trace([&] {
        if (chdir(dir.c_str()) != 0)
            _exit(1);
        open("existing file", O_RDONLY);
        open("../no such dir/x", O_RDONLY);
    });
    const auto* e = find_path(events, "existing file");
    ASSERT_NE(e, nullptr);
    EXPECT_EQ((*e)["resolution"], "cwd");
    EXPECT_EQ((*e)["resolved_path"], (dir / "existing file").string());
    EXPECT_GE((*e)["ret"].get<int>(), 0);
    const auto* up = find_path(events, "../no such dir/x");
    ASSERT_NE(up, nullptr);
    EXPECT_EQ((*up)["resolved_path"], (dir.parent_path() / "no such dir/x").string());
    EXPECT_EQ((*up)["error"], "ENOENT");
}

TEST_F(OpenTest, RelativePathResolvedAgainstDirfdAcrossMounts) {
    REQUIRE_ROOT();
    // /proc is its own mount: the walk must cross into the parent mount to reach "/".
    auto events = trace([&] {
        int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY);
        openat(dfd, "existing file", O_RDONLY);
        close(dfd);  // closed at once: resolution happened in the kernel already
        int proc = open("/proc/self", O_RDONLY | O_DIRECTORY);
        openat(proc, "status", O_RDONLY);
        openat(12345, "x", O_RDONLY);  // not an open fd
    });
    const auto* e = find_path(events, "existing file");
    ASSERT_NE(e, nullptr);
    EXPECT_EQ((*e)["resolution"], "dirfd");
    EXPECT_EQ((*e)["resolved_path"], (dir / "existing file").string());
    EXPECT_NE((*e)["dirfd"], AT_FDCWD);
    const auto* status = find_path(events, "status");
    ASSERT_NE(status, nullptr);
    EXPECT_EQ((*status)["resolved_path"], "/proc/" + std::to_string(pid) + "/status");
    const auto* bad = find_path(events, "x");
    ASSERT_NE(bad, nullptr);
    EXPECT_EQ((*bad)["resolution"], "bad_dirfd");
    EXPECT_EQ((*bad)["resolved_path"], "");
    EXPECT_EQ((*bad)["error"], "EBADF");
}

TEST_F(OpenTest, Openat2AndCreat) {
    REQUIRE_ROOT();
    const std::string created = (dir / "created").string();
    const std::string via2 = (dir / "existing file").string();
    auto events = trace([&] {
        syscall(SYS_creat, created.c_str(), 0600);
        open_how how{};
        how.flags = O_RDONLY | O_CLOEXEC;
        how.resolve = RESOLVE_NO_SYMLINKS;
        syscall(SYS_openat2, AT_FDCWD, via2.c_str(), &how, sizeof(how));
    });
    const auto* c = find_path(events, created);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ((*c)["syscall"], "creat");
    EXPECT_EQ((*c)["flags"], "O_WRONLY|O_CREAT|O_TRUNC");
    EXPECT_EQ((*c)["mode"], "0600");
    EXPECT_GE((*c)["ret"].get<int>(), 0);
    const auto* o = find_path(events, via2);
    ASSERT_NE(o, nullptr);
    EXPECT_EQ((*o)["syscall"], "openat2");
    EXPECT_EQ((*o)["flags"], "O_RDONLY|O_CLOEXEC");
    EXPECT_EQ((*o)["resolve_flags"], "RESOLVE_NO_SYMLINKS");
}

// Kernels before 5.15 have no bpf_task_pt_regs: the entry tracepoints keep the arguments
// in a per-thread map instead. Forced here, the same opens give the same fields.
TEST_F(OpenTest, EntryTracepointPathForOlderKernels) {
    REQUIRE_ROOT();
    const std::string path = (dir / "existing file").string();
    const std::string created = (dir / "made-by-creat").string();
    nlohmann::json from_regs;
    auto events = trace(
        [&] {
            open(path.c_str(), O_RDONLY | O_CLOEXEC);
            if (chdir(dir.c_str()) == 0)
                open("missing", O_WRONLY | O_CREAT | O_EXCL, 0600);
            syscall(SYS_creat, created.c_str(), 0640);
        },
        {"--verbose"}, {"KSCOPE_DISABLE_HELPERS=task_pt_regs"}, [&](pid_t k) { from_regs = args_from_regs_of(k); });
    // The exit programs were loaded to take the arguments from the entry programs' map.
    EXPECT_EQ(from_regs, false) << "args_from_regs in open.rodata";
    // The entry programs (which keep the arguments per thread) were loaded and attached
    // next to the exit programs: exactly these eight.
    std::map<std::string, std::string> want = kExitPrograms;
    want.insert(kEntryPrograms.begin(), kEntryPrograms.end());
    EXPECT_EQ(attached_programs(err), want) << err;
    const auto* e = find_path(events, path);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ((*e)["flags"], "O_RDONLY|O_CLOEXEC");
    EXPECT_GE((*e)["ret"].get<int>(), 0);
    const auto* rel = find_path(events, "missing");
    ASSERT_NE(rel, nullptr);
    EXPECT_EQ((*rel)["resolved_path"], (dir / "missing").string());
    EXPECT_EQ((*rel)["mode"], "0600");
    const auto* c = find_path(events, created);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ((*c)["syscall"], "creat");
    EXPECT_EQ((*c)["mode"], "0640");

    // Where bpf_task_pt_regs exists (this kernel), the default path attaches the exit
    // programs only: the check above is not satisfied by a run that ignores the switch.
    const std::string made = (dir / "made-by-creat").string();
    auto regs_events = trace([&] { syscall(SYS_creat, made.c_str(), 0600); }, {"--verbose"}, {},
                             [&](pid_t k) { from_regs = args_from_regs_of(k); });
    EXPECT_EQ(attached_programs(err), kExitPrograms) << err;
    EXPECT_EQ(from_regs, true) << "args_from_regs in open.rodata";
    const auto* r = find_path(regs_events, made);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ((*r)["mode"], "0600");
}

TEST_F(OpenTest, FailuresOnly) {
    REQUIRE_ROOT();
    const std::string good = (dir / "existing file").string();
    const std::string bad = (dir / "missing").string();
    auto events = trace(
        [&] {
            open(good.c_str(), O_RDONLY);
            open(bad.c_str(), O_RDONLY);
        },
        {"-x"});
    EXPECT_EQ(find_path(events, good), nullptr);
    EXPECT_NE(find_path(events, bad), nullptr);
    for (const auto& e : events)
        EXPECT_LT(e["ret"].get<int>(), 0) << e.dump();
}

}  // namespace
}  // namespace kscope::test
