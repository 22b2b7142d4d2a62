// kscope open traces the legacy open(2) syscall (syscall(SYS_open, ...), which glibc's
// open() no longer makes) with "syscall":"open" and the same fields as openat; on both the
// saved-registers path and the entry-tracepoint path of older kernels.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "harness.h"
#include "wait_util.h"

namespace kscope::test {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

#ifdef SYS_open

const nlohmann::json* with_path(const std::vector<nlohmann::json>& events, const std::string& path) {
    for (const auto& e : events)
        if (e["path"] == path)
            return &e;
    return nullptr;
}

void legacy_open_fields(const std::vector<std::string>& env) {
    TempDir tmp("kscope-open-legacy");
    const fs::path dir = tmp.path();
    std::ofstream(dir / "existing") << "x";
    const std::string existing = (dir / "existing").string();
    const std::string missing = (dir / "missing").string();
    const std::string made = (dir / "made").string();

    Kscope k({"open", "--json", "-c", "ks-legacy-open"}, false, env);
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t child = spawn([&] {
        close(fds[0]);
        prctl(PR_SET_NAME, "ks-legacy-open");
        int got[4];
        got[0] = int(syscall(SYS_open, existing.c_str(), O_RDONLY | O_CLOEXEC));
        got[1] = int(syscall(SYS_open, missing.c_str(), O_RDONLY));
        got[2] = int(syscall(SYS_open, made.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0640));
        if (chdir(dir.c_str()) != 0)
            _exit(1);
        got[3] = int(syscall(SYS_open, "existing", O_RDWR));
        if (write(fds[1], got, sizeof got) != ssize_t(sizeof got))
            _exit(2);
        _exit(0);
    });
    close(fds[1]);
    int got[4] = {};
    ASSERT_EQ(read(fds[0], got, sizeof got), ssize_t(sizeof got));
    close(fds[0]);
    ASSERT_EQ(wait_child(child), 0);
    ASSERT_GE(got[0], 0);
    ASSERT_EQ(got[1], -1);
    ASSERT_GE(got[2], 0);
    ASSERT_GE(got[3], 0);

    EXPECT_TRUE(eventually([&] { return events_for(complete_json_lines(k), "open", child).size() >= 4; }, 10s))
        << k.stdout_text();
    k.stop();
    const auto events = events_for(k.json_lines(), "open", child);
    ASSERT_EQ(events.size(), 4u) << k.stdout_text();  // the child made no other open
    for (const auto& e : events) {
        EXPECT_EQ(e["syscall"], "open") << e.dump();
        EXPECT_EQ(e["dirfd"], AT_FDCWD) << e.dump();
        EXPECT_EQ(e["comm"], "ks-legacy-open");
        EXPECT_EQ(e["tid"], child);
        EXPECT_EQ(e["ppid"], getpid());
    }

    const auto* ok = with_path(events, existing);
    ASSERT_NE(ok, nullptr);
    EXPECT_EQ((*ok)["resolved_path"], existing);
    EXPECT_EQ((*ok)["resolution"], "as_passed");
    EXPECT_EQ((*ok)["flags"], "O_RDONLY|O_CLOEXEC");
    EXPECT_EQ((*ok)["mode"], "");
    EXPECT_EQ((*ok)["ret"], got[0]);
    EXPECT_EQ((*ok)["error"], "");

    const auto* bad = with_path(events, missing);
    ASSERT_NE(bad, nullptr);
    EXPECT_EQ((*bad)["ret"], -ENOENT);
    EXPECT_EQ((*bad)["error"], "ENOENT");
    EXPECT_EQ((*bad)["flags"], "O_RDONLY");

    const auto* created = with_path(events, made);
    ASSERT_NE(created, nullptr);
    EXPECT_EQ((*created)["flags"], "O_WRONLY|O_CREAT|O_EXCL");
    EXPECT_EQ((*created)["mode"], "0640");
    EXPECT_EQ((*created)["ret"], got[2]);

    const auto* rel = with_path(events, "existing");
    ASSERT_NE(rel, nullptr);
    EXPECT_EQ((*rel)["resolution"], "cwd");
    EXPECT_EQ((*rel)["resolved_path"], existing);
    EXPECT_EQ((*rel)["flags"], "O_RDWR");
    EXPECT_EQ((*rel)["ret"], got[3]);
}

TEST(OpenLegacy, SysOpenIsTracedWithItsFields) {
    REQUIRE_ROOT();
    legacy_open_fields({});
}

TEST(OpenLegacy, SysOpenOnTheEntryTracepointPath) {
    REQUIRE_ROOT();
    legacy_open_fields({"KSCOPE_DISABLE_HELPERS=task_pt_regs"});
}

#else
TEST(OpenLegacy, SysOpenIsTracedWithItsFields) { GTEST_SKIP() << "SKIPPED: no open(2) syscall on this architecture"; }
#endif

}  // namespace
}  // namespace kscope::test
