// Lost events are counted exactly: a process makes N opens while kscope cannot keep up,
// and the loss report printed on exit accounts for every one that was not printed
// (delivered + lost == N). Two ways to fall behind, each forced for real:
// - the ring buffer: a 4 KiB ring while kscope is stopped with SIGSTOP;
// - the user-space queue (65536 events): stdout is a pipe nobody reads, so the printer
//   blocks while the reader thread keeps filling the queue from a ring big enough for all.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "harness.h"
#include "wait_util.h"

namespace kscope::test {
namespace {

using namespace std::chrono_literals;

// A child that makes opens (and closes) of /dev/null in rounds, each when asked.
class Opener {
public:
    Opener() {
        if (pipe2(to_, O_CLOEXEC) != 0 || pipe2(from_, O_CLOEXEC) != 0)
            return;
        pid_ = spawn([this] {
            close(to_[1]);
            close(from_[0]);
            for (int n; read(to_[0], &n, sizeof n) == ssize_t(sizeof n);) {
                for (int i = 0; i < n; i++) {
                    int fd = open("/dev/null", O_RDONLY);
                    if (fd < 0)
                        _exit(2);
                    close(fd);
                }
                if (write(from_[1], "d", 1) != 1)
                    _exit(3);
            }
            _exit(0);
        });
        close(to_[0]);
        close(from_[1]);
    }
    ~Opener() { finish(); }
    pid_t pid() const { return pid_; }
    // n opens; true once they are made.
    bool round(int n) {
        char done;
        return write(to_[1], &n, sizeof n) == ssize_t(sizeof n) && read(from_[0], &done, 1) == 1;
    }
    // Lets it exit; its wait status.
    int finish() {
        if (pid_ <= 0)
            return -1;
        close(to_[1]);
        close(from_[0]);
        const int status = wait_child(pid_);
        pid_ = -1;
        return status;
    }

private:
    int to_[2] = {-1, -1}, from_[2] = {-1, -1};
    pid_t pid_ = -1;
};

struct Report {
    bool found = false;
    uint64_t events = 0, ring_full = 0, skipped = 0, queue_full = 0, malformed = 0;
    uint64_t lost() const { return ring_full + skipped + queue_full; }
};

// The "open: ..." line of the loss report on stderr.
Report loss_report(const std::string& err) {
    static const std::regex line(
        R"(open: (\d+) events, (\d+) lost \(ring buffer full\), (\d+) lost \(program runs skipped by the kernel\), )"
        R"((\d+) lost \(queue full\), (\d+) malformed)");
    std::smatch m;
    Report r;
    if (!std::regex_search(err, m, line))
        return r;
    r.found = true;
    r.events = std::stoull(m[1]);
    r.ring_full = std::stoull(m[2]);
    r.skipped = std::stoull(m[3]);
    r.queue_full = std::stoull(m[4]);
    r.malformed = std::stoull(m[5]);
    return r;
}

// True once every thread of pid is stopped (state T).
bool all_threads_stopped(pid_t pid) {
    namespace fs = std::filesystem;
    std::error_code ec;
    int threads = 0;
    for (const auto& t : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
        std::ifstream in(t.path() / "stat");
        std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        auto close_paren = stat.rfind(')');
        if (close_paren == std::string::npos || close_paren + 2 >= stat.size() || stat[close_paren + 2] != 'T')
            return false;
        threads++;
    }
    return threads > 0;
}

TEST(Loss, RingBufferFullWhileTheReaderIsStoppedIsCountedExactly) {
    REQUIRE_ROOT();
    constexpr int kOpens = 3000;
    Opener opener;
    ASSERT_GT(opener.pid(), 0);
    const pid_t pid = opener.pid();
    Kscope k({"open", "--json", "-p", std::to_string(pid), "--ring-kib", "4"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();

    ASSERT_EQ(kill(k.pid(), SIGSTOP), 0);
    ASSERT_TRUE(eventually([&] { return all_threads_stopped(k.pid()); }, 5s));
    EXPECT_TRUE(opener.round(kOpens));  // all opens happen while nothing drains the 4 KiB ring
    EXPECT_EQ(opener.finish(), 0);
    ASSERT_EQ(kill(k.pid(), SIGCONT), 0);
    const int status = k.stop();  // the reader drains the ring once more before exiting
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status << k.stderr_text();

    const auto lines = k.json_lines();
    for (const auto& e : lines) {
        EXPECT_EQ(e["type"], "open");
        EXPECT_EQ(e["pid"], pid);
        EXPECT_EQ(e["path"], "/dev/null");
    }
    const Report r = loss_report(k.stderr_text());
    ASSERT_TRUE(r.found) << "no loss report on exit: " << k.stderr_text();
    EXPECT_EQ(r.events, lines.size()) << k.stderr_text();
    EXPECT_GT(lines.size(), 0u);                   // what fit in the ring
    EXPECT_GT(r.ring_full, uint64_t(kOpens) / 2);  // most did not fit
    EXPECT_EQ(r.queue_full, 0u);
    EXPECT_EQ(r.malformed, 0u);
    EXPECT_EQ(lines.size() + r.lost(), uint64_t(kOpens)) << k.stderr_text();
}

// Bytes waiting in the pipe that is fd 1 of pid (opened through /proc, never read here).
int pipe_fill(int pipe_fd) {
    int n = 0;
    return ioctl(pipe_fd, FIONREAD, &n) == 0 ? n : -1;
}

TEST(Loss, UserSpaceQueueFullWhileTheOutputIsBlockedIsCountedExactly) {
    REQUIRE_ROOT();
    constexpr int kQueue = 1 << 16;  // the CLI's queue capacity
    constexpr int kFirst = 2000;     // ~500 KB of JSON: more than the pipe holds
    constexpr int kSecond = kQueue + 10000;
    Opener opener;
    ASSERT_GT(opener.pid(), 0);
    const pid_t pid = opener.pid();
    // A 32 MiB ring holds every event (~100 bytes each): only the queue can overflow.
    Kscope k({"open", "--json", "-p", std::to_string(pid), "--ring-kib", "32768"}, /*stdout_pipe=*/true);
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    const int out = open(("/proc/" + std::to_string(k.pid()) + "/fd/1").c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(out, 0);
    const int capacity = fcntl(out, F_GETPIPE_SZ);
    ASSERT_GT(capacity, 0);

    // First round: the printer fills the pipe and blocks in write(), nobody reading.
    ASSERT_TRUE(opener.round(kFirst));
    EXPECT_TRUE(eventually([&] { return pipe_fill(out) == capacity; }, 10s)) << pipe_fill(out);
    // Second round: everything goes to the queue, which takes kQueue events at most.
    ASSERT_TRUE(opener.round(kSecond));
    EXPECT_EQ(opener.finish(), 0);
    close(out);

    ASSERT_EQ(kill(k.pid(), SIGINT), 0);
    size_t lines = 0;
    bool parsed_ok = true;
    for (std::string line; !(line = k.read_line(10s)).empty(); lines++)
        if (lines % 5000 == 0) {
            auto e = nlohmann::json::parse(line, nullptr, false);
            parsed_ok = parsed_ok && !e.is_discarded() && e["type"] == "open" && e["pid"] == pid;
        }
    const int status = k.wait_exit(30s);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status << k.stderr_text();
    EXPECT_TRUE(parsed_ok);

    const Report r = loss_report(k.stderr_text());
    ASSERT_TRUE(r.found) << "no loss report on exit: " << k.stderr_text();
    EXPECT_EQ(r.events, lines) << k.stderr_text();
    EXPECT_EQ(r.ring_full, 0u) << k.stderr_text();
    EXPECT_GE(r.queue_full, uint64_t(kSecond - kQueue)) << k.stderr_text();
    EXPECT_EQ(r.malformed, 0u);
    EXPECT_EQ(lines + r.lost(), uint64_t(kFirst + kSecond)) << k.stderr_text();
}

}  // namespace
}  // namespace kscope::test
