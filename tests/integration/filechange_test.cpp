// kscope filechange against the real kernel: real chmod/chown/unlink/rename/link/symlink
// and memfd_create calls from a child, exact fields.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "harness.h"
#include "kscope/abi/filechange.h"
#include "probes/filechange_probe.h"

namespace kscope::test {
namespace {
namespace fs = std::filesystem;

const std::string kComm = "kscope-fchange";

// A scratch directory; the calls happen in a forked child named kComm, so the -c filter
// keeps every other process out.
class FileChangeProbe : public ::testing::Test {
protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("kscope filechange " + std::to_string(getpid()));
        fs::create_directories(dir / "sub");
        std::ofstream(dir / "f") << "x";
    }
    void TearDown() override { fs::remove_all(dir); }

    // Every event of the child that ran fn under `kscope filechange --json -c kComm`.
    std::vector<nlohmann::json> trace(const std::function<void()>& fn, std::vector<std::string> extra = {},
                                      std::vector<std::string> env = {}) {
        std::vector<std::string> args = {"filechange", "--json", "-c", kComm};
        args.insert(args.end(), extra.begin(), extra.end());
        Kscope k(args, false, env);
        EXPECT_TRUE(k.ready()) << k.stderr_text();
        pid_t child = spawn([&] {
            std::ofstream("/proc/self/comm") << kComm;
            fn();
        });
        wait_child(child);
        k.stop();
        std::vector<nlohmann::json> out;
        for (const auto& e : k.json_lines())
            if (e.value("pid", 0) == child)
                out.push_back(e);
        return out;
    }

    // The one event with this syscall; fails the test when there is not exactly one.
    static nlohmann::json only(const std::vector<nlohmann::json>& events, const std::string& syscall) {
        std::vector<nlohmann::json> found;
        for (const auto& e : events)
            if (e.value("syscall", "") == syscall)
                found.push_back(e);
        EXPECT_EQ(found.size(), 1u) << syscall << " in " << nlohmann::json(events).dump();
        return found.empty() ? nlohmann::json::object() : found[0];
    }

    std::string path(const std::string& name) const { return (dir / name).string(); }

    fs::path dir;
};

TEST_F(FileChangeProbe, ChmodSetuidOfARelativePathFromTheCwd) {
    REQUIRE_ROOT();
    auto events = trace([&] {
        if (chdir(dir.c_str()) != 0)
            _exit(1);
        syscall(SYS_chmod, "f", 04755);
    });
    struct stat st {};
    ASSERT_EQ(stat(path("f").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 04755u);
    auto e = only(events, "chmod");
    EXPECT_EQ(e["type"], "file_change");
    EXPECT_EQ(e["path"], "f");
    EXPECT_EQ(e["resolved_path"], path("f"));
    EXPECT_EQ(e["new_path"], "");
    EXPECT_EQ(e["resolved_new_path"], "");
    EXPECT_EQ(e["mode"], "4755");
    EXPECT_EQ(e["mode_bits"], nlohmann::json::array({"S_ISUID"}));
    EXPECT_EQ(e["owner_uid"], -1);
    EXPECT_EQ(e["owner_gid"], -1);
    EXPECT_EQ(e["fd"], -1);
    EXPECT_EQ(e["ret"], 0);
    EXPECT_EQ(e["error"], "");
    EXPECT_EQ(e["comm"], kComm);
    EXPECT_EQ(e["ppid"], getpid());
    EXPECT_EQ(e["uid"], 0);
}

TEST_F(FileChangeProbe, FchmodResolvesTheFdsFile) {
    REQUIRE_ROOT();
    const fs::path fd_file = dir / "fd";
    auto events = trace([&] {
        int fd = open(path("f").c_str(), O_RDONLY);
        std::ofstream(fd_file) << fd;
        fchmod(fd, 02750);
    });
    int fd = -1;
    std::ifstream(fd_file) >> fd;
    ASSERT_GE(fd, 0);
    auto e = only(events, "fchmod");
    EXPECT_EQ(e["path"], path("f"));
    EXPECT_EQ(e["resolved_path"], path("f"));
    EXPECT_EQ(e["fd"], fd);
    EXPECT_EQ(e["mode"], "2750");
    EXPECT_EQ(e["mode_bits"], nlohmann::json::array({"S_ISGID"}));
    EXPECT_EQ(e["ret"], 0);
}

TEST_F(FileChangeProbe, ChownFchownatAndLchown) {
    REQUIRE_ROOT();
    auto events = trace([&] {
        syscall(SYS_chown, path("f").c_str(), 1234, 5678);
        int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY);
        fchownat(dfd, "f", -1, 4321, 0);
        close(dfd);  // resolved in the kernel already
        syscall(SYS_lchown, path("f").c_str(), 42, -1);
    });
    auto chown = only(events, "chown");
    EXPECT_EQ(chown["path"], path("f"));
    EXPECT_EQ(chown["resolved_path"], path("f"));
    EXPECT_EQ(chown["owner_uid"], 1234);
    EXPECT_EQ(chown["owner_gid"], 5678);
    EXPECT_EQ(chown["mode"], "");
    EXPECT_EQ(chown["mode_bits"], nlohmann::json::array());
    EXPECT_EQ(chown["ret"], 0);
    auto at = only(events, "fchownat");
    EXPECT_EQ(at["path"], "f");
    EXPECT_EQ(at["resolved_path"], path("f"));
    EXPECT_EQ(at["owner_uid"], -1);
    EXPECT_EQ(at["owner_gid"], 4321);
    auto l = only(events, "lchown");
    EXPECT_EQ(l["owner_uid"], 42);
    EXPECT_EQ(l["owner_gid"], -1);
    struct stat st {};
    ASSERT_EQ(stat(path("f").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 42u);
    EXPECT_EQ(st.st_gid, 4321u);
}

TEST_F(FileChangeProbe, UnlinkAndUnlinkat) {
    REQUIRE_ROOT();
    std::ofstream(dir / "sub" / "g") << "y";
    auto events = trace([&] {
        syscall(SYS_unlink, path("f").c_str());
        int dfd = open((dir / "sub").c_str(), O_RDONLY | O_DIRECTORY);
        unlinkat(dfd, "g", 0);
    });
    EXPECT_FALSE(fs::exists(dir / "f"));
    EXPECT_FALSE(fs::exists(dir / "sub" / "g"));
    auto u = only(events, "unlink");
    EXPECT_EQ(u["path"], path("f"));
    EXPECT_EQ(u["resolved_path"], path("f"));
    EXPECT_EQ(u["ret"], 0);
    auto at = only(events, "unlinkat");
    EXPECT_EQ(at["path"], "g");
    EXPECT_EQ(at["resolved_path"], path("sub/g"));
    EXPECT_EQ(at["ret"], 0);
}

TEST_F(FileChangeProbe, RenameResolvesBothPaths) {
    REQUIRE_ROOT();
    auto events = trace([&] {
        if (chdir((dir / "sub").c_str()) != 0)
            _exit(1);
        syscall(SYS_rename, "../f", "moved");
        int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY);
        syscall(SYS_renameat2, AT_FDCWD, "moved", dfd, "back", 0);
    });
    EXPECT_TRUE(fs::exists(dir / "back"));
    auto r = only(events, "rename");
    EXPECT_EQ(r["path"], "../f");
    EXPECT_EQ(r["resolved_path"], path("f"));
    EXPECT_EQ(r["new_path"], "moved");
    EXPECT_EQ(r["resolved_new_path"], path("sub/moved"));
    EXPECT_EQ(r["ret"], 0);
    auto r2 = only(events, "renameat2");
    EXPECT_EQ(r2["resolved_path"], path("sub/moved"));
    EXPECT_EQ(r2["new_path"], "back");
    EXPECT_EQ(r2["resolved_new_path"], path("back"));
}

TEST_F(FileChangeProbe, LinkAndSymlink) {
    REQUIRE_ROOT();
    auto events = trace([&] {
        if (chdir(dir.c_str()) != 0)
            _exit(1);
        syscall(SYS_link, "f", path("hard").c_str());
        syscall(SYS_symlink, "../elsewhere/target text", "soft");
    });
    EXPECT_TRUE(fs::exists(dir / "hard"));
    EXPECT_EQ(fs::read_symlink(dir / "soft"), "../elsewhere/target text");
    auto l = only(events, "link");
    EXPECT_EQ(l["path"], "f");
    EXPECT_EQ(l["resolved_path"], path("f"));
    EXPECT_EQ(l["new_path"], path("hard"));
    EXPECT_EQ(l["resolved_new_path"], path("hard"));
    auto s = only(events, "symlink");
    EXPECT_EQ(s["path"], "../elsewhere/target text");  // the target text, not looked up
    EXPECT_EQ(s["resolved_path"], "");
    EXPECT_EQ(s["new_path"], "soft");
    EXPECT_EQ(s["resolved_new_path"], path("soft"));
    EXPECT_EQ(s["ret"], 0);
}

TEST_F(FileChangeProbe, FailedChmodIsEnoentAndDashXShowsOnlyIt) {
    REQUIRE_ROOT();
    auto events = trace(
        [&] {
            syscall(SYS_chmod, path("f").c_str(), 0600);
            syscall(SYS_chmod, path("missing").c_str(), 0644);
        },
        {"-x"});
    ASSERT_EQ(events.size(), 1u) << nlohmann::json(events).dump();
    EXPECT_EQ(events[0]["syscall"], "chmod");
    EXPECT_EQ(events[0]["path"], path("missing"));
    EXPECT_EQ(events[0]["resolved_path"], path("missing"));
    EXPECT_EQ(events[0]["mode"], "0644");
    EXPECT_EQ(events[0]["ret"], -ENOENT);
    EXPECT_EQ(events[0]["error"], "ENOENT");
}

TEST_F(FileChangeProbe, MemfdCreate) {
    REQUIRE_ROOT();
    const fs::path fd_file = dir / "fd";
    auto events = trace([&] { std::ofstream(fd_file) << memfd_create("kscope-test", MFD_CLOEXEC); });
    int fd = -1;
    std::ifstream(fd_file) >> fd;
    ASSERT_GE(fd, 0);
    ASSERT_EQ(events.size(), 1u) << nlohmann::json(events).dump();
    const auto& e = events[0];
    EXPECT_EQ(e["type"], "memfd_create");
    EXPECT_EQ(e["syscall"], "memfd_create");
    EXPECT_EQ(e["name"], "kscope-test");
    EXPECT_EQ(e["flags"], MFD_CLOEXEC);
    EXPECT_EQ(e["ret"], fd);
    EXPECT_EQ(e["error"], "");
}

// Kernels without bpf_task_pt_regs keep the arguments from sys_enter; the same calls
// give the same events.
TEST_F(FileChangeProbe, EntryProgramsPathGivesTheSameEvents) {
    REQUIRE_ROOT();
    auto events = trace(
        [&] {
            if (chdir(dir.c_str()) != 0)
                _exit(1);
            syscall(SYS_chmod, "f", 01777);
            syscall(SYS_renameat, AT_FDCWD, "f", AT_FDCWD, "sub/f2");
        },
        {}, {"KSCOPE_DISABLE_HELPERS=task_pt_regs"});
    auto c = only(events, "chmod");
    EXPECT_EQ(c["resolved_path"], path("f"));
    EXPECT_EQ(c["mode_bits"], nlohmann::json::array({"S_ISVTX"}));
    auto r = only(events, "renameat");
    EXPECT_EQ(r["resolved_path"], path("f"));
    EXPECT_EQ(r["resolved_new_path"], path("sub/f2"));
}

// The per-syscall counters count every call, also those the filters leave out.
TEST_F(FileChangeProbe, MetricsCountEveryCallWhateverTheFilters) {
    REQUIRE_ROOT();
    FilechangeProbe probe;
    ProbeOptions options;
    options.filter.pids = {1};  // init: none of the calls below are its
    ASSERT_TRUE(probe.load(options).ok());
    for (const auto& h : probe.attach())
        ASSERT_TRUE(h.attached) << h.hook << ": " << h.error;
    for (int i = 0; i < 3; i++)
        syscall(SYS_chmod, path("f").c_str(), 0600);
    int fd = memfd_create("kscope-metrics", 0);
    close(fd);
    PrometheusText m;
    probe.append_metrics(m);
    probe.detach();
    const std::string& text = m.text();
    auto value = [&](const std::string& series) {  // the sample's line, not its HELP or TYPE
        auto at = text.find("\n" + series + " ");
        EXPECT_NE(at, std::string::npos) << series << " in\n" << text;
        return at == std::string::npos ? -1.0 : std::stod(text.substr(at + series.size() + 2));
    };
    EXPECT_GE(value("kscope_file_change_events_total{syscall=\"chmod\"}"), 3);
    EXPECT_GE(value("kscope_memfd_create_events_total"), 1);
    EXPECT_NE(text.find("kscope_file_change_events_total{syscall=\"renameat2\"}"), std::string::npos);
    EXPECT_EQ(text.find("kscope_file_change_events_total{syscall=\"memfd_create\"}"), std::string::npos);
}

// The human table: the shared header, one DETAILS row per event; --json with --count
// stops by itself after that many events.
TEST_F(FileChangeProbe, CliTableAndJsonCount) {
    REQUIRE_ROOT();
    auto chmod_child = [&] {
        return spawn([&] {
            std::ofstream("/proc/self/comm") << kComm;
            syscall(SYS_chmod, path("f").c_str(), 04711);
        });
    };
    Kscope table({"filechange", "-c", kComm});
    ASSERT_TRUE(table.ready()) << table.stderr_text();
    pid_t child = chmod_child();
    wait_child(child);
    table.stop();
    std::string out = table.stdout_text();
    auto nl = out.find('\n');
    ASSERT_NE(nl, std::string::npos) << out;
    EXPECT_EQ(out.substr(0, nl), "PCOMM                PID    UID TYPE             DETAILS");
    std::string row = out.substr(nl + 1, out.find('\n', nl + 1) - nl - 1);
    EXPECT_EQ(row.rfind(kComm, 0), 0u) << row;
    EXPECT_NE(row.find(" " + std::to_string(child) + " "), std::string::npos) << row;
    // The event's own fields, by name.
    EXPECT_NE(row.find(" file_change      fd=-1 mode=4711 mode_bits=[\"S_ISUID\"] owner_gid=-1 owner_uid=-1 path=" +
                       path("f") + " resolved_path=" + path("f") + " ret=0 syscall=chmod"),
              std::string::npos)
        << row;

    Kscope json({"filechange", "--json", "-c", kComm, "--count", "1"});
    ASSERT_TRUE(json.ready()) << json.stderr_text();
    child = chmod_child();
    wait_child(child);
    ASSERT_NE(json.wait_exit(std::chrono::seconds(10)), -1) << "kscope did not stop after --count 1";
    auto lines = json.json_lines();
    ASSERT_EQ(lines.size(), 1u) << json.stdout_text();
    EXPECT_EQ(lines[0]["type"], "file_change");
    EXPECT_EQ(lines[0]["pid"], child);
    EXPECT_EQ(lines[0]["mode"], "4711");
}

}  // namespace
}  // namespace kscope::test
