// kscope top in a real terminal: tmux runs it (send-keys, capture-pane). A busy process
// shows with a CPU share near its true one; sort and filter keys work; the programs view
// lists top's own BPF programs; a resize redraws within the new size; q and SIGTERM give
// the terminal back (canonical mode and echo on again). --batch prints the same rows.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "harness.h"
#include "wait_util.h"

namespace kscope::test {
namespace {

// A child that burns one CPU under the name ks-top-busy until killed.
class Busy {
public:
    Busy() {
        pid_ = fork();
        if (pid_ == 0) {
            prctl(PR_SET_NAME, "ks-top-busy");
            volatile uint64_t n = 0;
            while (true)
                n = n + 1;
        }
    }
    ~Busy() {
        kill(pid_, SIGKILL);
        wait_child(pid_);
    }
    pid_t pid() const { return pid_; }
    // utime + stime in clock ticks.
    uint64_t ticks() const {
        std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
        std::string stat((std::istreambuf_iterator<char>(in)), {});
        std::istringstream rest(stat.substr(stat.rfind(')') + 2));
        std::string f;
        uint64_t u = 0, s = 0;
        for (int i = 3; i <= 15 && rest >> f; i++) {
            if (i == 14) u = std::stoull(f);
            if (i == 15) s = std::stoull(f);
        }
        return u + s;
    }

private:
    pid_t pid_;
};

// One tmux session running a command; removed at the end.
class Tmux {
public:
    Tmux(const std::string& command, int width, int height) : name_("kstop" + std::to_string(getpid())) {
        ok_ = run_shell("tmux new-session -d -s " + name_ + " -x " + std::to_string(width) + " -y " +
                        std::to_string(height) + " '" + command + "'").status == 0;
    }
    ~Tmux() { (void)run_shell("tmux kill-session -t " + name_ + " 2>/dev/null"); }
    bool ok() const { return ok_; }
    std::string screen() const { return shell_stdout("tmux capture-pane -p -t " + name_); }
    void keys(const std::string& keys) const { (void)run_shell("tmux send-keys -t " + name_ + " " + keys); }
    void resize(int width, int height) const {
        (void)run_shell("tmux resize-window -t " + name_ + " -x " + std::to_string(width) + " -y " + std::to_string(height));
    }
    bool wait_for(const std::string& text, int seconds = 10) const {
        return eventually([&] { return screen().find(text) != std::string::npos; }, std::chrono::seconds(seconds),
                          std::chrono::milliseconds(100));
    }

private:
    std::string name_;
    bool ok_ = false;
};

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
        out.push_back(l);
    return out;
}

// The CPU% column of the busy process's row, -1 if it is not on screen.
double busy_cpu(const std::string& screen, pid_t pid) {
    for (const auto& l : lines_of(screen)) {
        std::istringstream row(l);
        std::string p, comm;
        double cpu = -1;
        if (row >> p >> comm >> cpu && p == std::to_string(pid) && comm == "ks-top-busy")
            return cpu;
    }
    return -1;
}

std::string kscope_top(const std::string& args) {
    // After top: how it ended, and whether the terminal is canonical and echoing again.
    return std::string("bash -c \"") + KSCOPE_BINARY + " top " + args +
           "; echo EXITED rc=\\$?; stty -a | tr \\\" \\\" \\\"\\\\n\\\" | grep -x -e icanon -e -icanon -e echo -e -echo | "
           "tr \\\"\\\\n\\\" \\\" \\\"; echo; sleep 60\"";
}

void require_tmux() { ASSERT_EQ(run_shell("tmux -V").status, 0) << "tmux is needed (scripts/bootstrap installs it)"; }

TEST(TopTui, BusyProcessSortFilterViewsResizeAndQuit) {
    REQUIRE_ROOT();
    require_tmux();
    Busy busy;
    Tmux tmux(kscope_top("-i 1"), 100, 30);
    ASSERT_TRUE(tmux.ok());
    ASSERT_TRUE(tmux.wait_for("ks-top-busy")) << tmux.screen();
    // Its share over a refresh, against /proc over about the same second.
    const uint64_t t0 = busy.ticks();
    const auto c0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    const double truth = double(busy.ticks() - t0) / double(sysconf(_SC_CLK_TCK)) /
                         std::chrono::duration<double>(std::chrono::steady_clock::now() - c0).count() * 100;
    const double shown = busy_cpu(tmux.screen(), busy.pid());
    ASSERT_GT(shown, 0) << tmux.screen();
    EXPECT_NEAR(shown, truth, 15) << tmux.screen();
    EXPECT_GT(shown, 40) << "a spinning process should show a large share";
    EXPECT_NE(tmux.screen().find("sort: cpu"), std::string::npos);

    // Sort by name: the rows' names in order.
    tmux.keys("n");
    ASSERT_TRUE(tmux.wait_for("sort: name")) << tmux.screen();
    std::vector<std::string> names;
    bool in_rows = false;
    for (const auto& l : lines_of(tmux.screen())) {
        std::istringstream row(l);
        std::string pid, comm;
        if (l.find("PID") != std::string::npos && l.find("COMM") != std::string::npos) {
            in_rows = true;
            continue;
        }
        if (in_rows && row >> pid >> comm)
            names.push_back(comm);
    }
    ASSERT_GE(names.size(), 5u) << tmux.screen();
    EXPECT_TRUE(std::is_sorted(names.begin(), names.end())) << tmux.screen();

    // Filter by name: only the busy process is left.
    tmux.keys("/ ks-top-bu Enter");
    ASSERT_TRUE(tmux.wait_for("filter: ks-top-bu")) << tmux.screen();
    const auto screen = tmux.screen();
    EXPECT_GT(busy_cpu(screen, busy.pid()), 0) << screen;
    for (const auto& l : lines_of(screen)) {
        std::istringstream row(l);
        std::string pid, comm;
        if (row >> pid >> comm && std::all_of(pid.begin(), pid.end(), ::isdigit)) {
            EXPECT_EQ(comm, "ks-top-busy") << screen;
        }
    }

    // The programs view lists top's own syscalls program.
    tmux.keys("2");
    ASSERT_TRUE(tmux.wait_for("view: programs")) << tmux.screen();
    EXPECT_TRUE(tmux.wait_for("ks_sys_enter")) << tmux.screen();
    tmux.keys("3");
    EXPECT_TRUE(tmux.wait_for("kscope top --rules")) << tmux.screen();
    tmux.keys("1");

    // Smaller: redrawn within 80x24.
    tmux.resize(80, 24);
    ASSERT_TRUE(tmux.wait_for("view: processes")) << tmux.screen();
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    const auto small = lines_of(tmux.screen());
    EXPECT_LE(small.size(), 24u);
    for (const auto& l : small)
        EXPECT_LE(l.size(), 80u) << l;
    EXPECT_NE(tmux.screen().find("PID"), std::string::npos) << tmux.screen();

    tmux.keys("q");
    ASSERT_TRUE(tmux.wait_for("EXITED rc=0")) << tmux.screen();
    EXPECT_TRUE(tmux.wait_for("icanon echo")) << "the terminal was not restored:\n" << tmux.screen();
}

// Without an agent, --rules loads the built-in rules and the probes they need: a real
// action that breaks a rule shows in the third view, in audit (top never acts).
TEST(TopTui, RulesLoadedByTopShowTheirAlerts) {
    REQUIRE_ROOT();
    require_tmux();
    Tmux tmux(kscope_top("-i 1 --rules"), 120, 30);
    ASSERT_TRUE(tmux.ok());
    ASSERT_TRUE(tmux.wait_for("view: processes")) << tmux.screen();
    tmux.keys("3");
    ASSERT_TRUE(tmux.wait_for("rules on probes")) << tmux.screen();
    EXPECT_NE(tmux.screen().find("exec"), std::string::npos) << tmux.screen();
    // Default rule "Search private keys or passwords".
    ASSERT_EQ(run_shell("grep -r 'BEGIN OPENSSH PRIVATE' /nonexistent-kscope-top; true").status, 0);
    ASSERT_TRUE(tmux.wait_for("Search private keys")) << tmux.screen();
    EXPECT_NE(tmux.screen().find("Warning"), std::string::npos) << tmux.screen();
    EXPECT_NE(tmux.screen().find("grep"), std::string::npos) << tmux.screen();
    // At the wall-clock time it happened (this minute or the one before).
    auto hhmm = [](time_t t) {
        char buf[8];
        strftime(buf, sizeof buf, "%H:%M", localtime(&t));
        return std::string(buf);
    };
    const time_t now = time(nullptr);
    bool timed = false;
    for (const auto& l : lines_of(tmux.screen()))
        if (l.find("Search private keys") != std::string::npos)
            timed = l.rfind(hhmm(now), 0) == 0 || l.rfind(hhmm(now - 60), 0) == 0;
    EXPECT_TRUE(timed) << tmux.screen();
    tmux.keys("q");
    ASSERT_TRUE(tmux.wait_for("EXITED rc=0")) << tmux.screen();
    // Rules come from top or from an agent, not both.
    auto both = run_shell(std::string(KSCOPE_BINARY) + " top --batch -n 1 --rules --agent http://127.0.0.1:1");
    EXPECT_NE(both.status, 0) << both.text;
    EXPECT_NE(both.text.find("excludes"), std::string::npos) << both.text;
    // A rules file with an error names its place and top does not start.
    TempDir dir("kscope-top-rules");
    std::ofstream(dir.path() + "/bad.yaml") << "- rule: broken\n  condition: evt.type = execve and\n  output: x\n  priority: WARNING\n";
    auto bad = run_shell(std::string(KSCOPE_BINARY) + " top --batch -n 1 --rules-file " + dir.path() + "/bad.yaml");
    EXPECT_EQ(bad.status, 1 << 8) << bad.text;
    EXPECT_NE(bad.text.find(dir.path() + "/bad.yaml:"), std::string::npos) << bad.text;
}

TEST(TopTui, SigtermRestoresTheTerminal) {
    REQUIRE_ROOT();
    require_tmux();
    Tmux tmux(kscope_top("-i 1"), 100, 30);
    ASSERT_TRUE(tmux.ok());
    ASSERT_TRUE(tmux.wait_for("view: processes")) << tmux.screen();
    ASSERT_EQ(run_shell("pkill -TERM -f '^" + std::string(KSCOPE_BINARY) + " top -i 1'").status, 0);
    ASSERT_TRUE(tmux.wait_for("EXITED rc=0")) << tmux.screen();
    EXPECT_TRUE(tmux.wait_for("icanon echo")) << "the terminal was not restored:\n" << tmux.screen();
}

TEST(TopTui, BatchPrintsTheProcessTable) {
    REQUIRE_ROOT();
    Busy busy;
    auto r = run_shell(std::string(KSCOPE_BINARY) + " top --batch -n 2 -i 0.5 --filter ks-top-busy");
    ASSERT_EQ(r.status, 0) << r.text;
    EXPECT_NE(r.text.find("PID"), std::string::npos) << r.text;
    EXPECT_GT(busy_cpu(r.text, busy.pid()), 40) << r.text;
    // Without a terminal the live view refuses, saying why.
    auto live = run_shell(std::string(KSCOPE_BINARY) + " top < /dev/null");
    EXPECT_NE(live.status, 0);
    EXPECT_NE(live.text.find("--batch"), std::string::npos) << live.text;
}

}  // namespace
}  // namespace kscope::test
