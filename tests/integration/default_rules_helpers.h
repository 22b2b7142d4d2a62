// Shared by the default_rules_*_test.cpp files: every built-in rule (rules/default_rules.yaml)
// is triggered by the real action in a forked child against one `kscope agent` per file,
// and a near miss of it (the same action by an allowed program, on the host, or with a
// harmless path or argument) raises nothing. Cases are told apart by the child's pid.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "agent_harness.h"
#include "pipeline/cgroup_paths.h"

namespace kscope::test::default_rules {

using nlohmann::json;

// The probes the built-in rules read: open (off by default) plus the agent's defaults
// (exec, tcp, privilege, namespaces, filechange, socket...).
inline const char* kConfig = R"(probes:
  open: true
profiling:
  enabled: false
)";

// The non-root user the privilege cases switch to.
inline constexpr uid_t kNobody = 65534;

inline void set_comm(const char* name) { prctl(PR_SET_NAME, name); }

// This process's name (kscope_integrat: on the kscope_binaries list).
inline std::string own_comm() {
    std::string comm;
    std::ifstream in("/proc/self/comm");
    std::getline(in, comm);
    return comm;
}

// The alerts of `rule` (every rule when empty) raised for pid, as stored now.
inline std::vector<json> alerts_now(const Agent& agent, const std::string& rule, pid_t pid) {
    std::vector<json> out;
    std::string body;
    if (agent.get("/api/v1/alerts?limit=10000&pid=" + std::to_string(pid), body) != 200)
        return out;
    for (const auto& a : json::parse(body, nullptr, false))
        if (a.is_object() && a.value("pid", 0) == pid && (rule.empty() || a.value("rule", "") == rule))
            out.push_back(a);
    return out;
}

// Polls up to `seconds` for the alerts of `rule` for pid; every one found (maybe none).
inline std::vector<json> wait_alerts(const Agent& agent, const std::string& rule, pid_t pid, int seconds = 5) {
    std::vector<json> found;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (true) {
        found = alerts_now(agent, rule, pid);
        if (!found.empty() || std::chrono::steady_clock::now() >= deadline)
            return found;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

// After a positive control of the same batch alerted: a second more, so that a near miss's
// missing alert is a real miss and not latency.
inline void settle() { std::this_thread::sleep_for(std::chrono::seconds(1)); }

// What every alert carries: the rule, Falco's priority, the triggering process and event.
inline void expect_alert(const json& a, const std::string& rule, const std::string& priority, pid_t pid,
                         const std::string& event_type, const std::string& output_piece) {
    EXPECT_EQ(a["type"], "alert") << a.dump();
    EXPECT_EQ(a["rule"], rule) << a.dump();
    EXPECT_EQ(a["priority"], priority) << a.dump();
    EXPECT_EQ(a["source"], "rule") << a.dump();
    EXPECT_EQ(a["pid"], pid) << a.dump();
    EXPECT_EQ(a["event"]["type"], event_type) << a.dump();
    EXPECT_EQ(a["event"]["pid"], pid) << a.dump();
    EXPECT_NE(a.value("output", "").find(output_piece), std::string::npos)
        << "output lacks '" << output_piece << "': " << a["output"];
}

// A forked child that makes its action, reports a number (0 or a pid: done; negative:
// -errno of what failed), then stays alive until released: its /proc entry (name,
// command line, cgroup) is there while the agent looks the process up.
class Held {
public:
    explicit Held(const std::function<int()>& fn) {
        if (pipe2(report_, O_CLOEXEC) != 0 || pipe2(release_, O_CLOEXEC) != 0)
            throw std::runtime_error("pipe");
        pid_ = fork();
        if (pid_ == 0) {
            close(report_[0]);
            close(release_[1]);
            int r = fn();
            if (write(report_[1], &r, sizeof r) != sizeof r)
                _exit(3);
            char c;
            while (read(release_[0], &c, 1) > 0) {
            }
            _exit(0);
        }
        close(report_[1]);
        close(release_[0]);
    }
    ~Held() { release(); }
    Held(const Held&) = delete;
    Held& operator=(const Held&) = delete;

    pid_t pid() const { return pid_; }
    // The child's report (waits for it); -10000 if it died first.
    int result() {
        if (!have_) {
            if (read(report_[0], &result_, sizeof result_) != sizeof result_)
                result_ = -10000;
            have_ = true;
        }
        return result_;
    }
    // Lets the child exit and reaps it.
    void release() {
        if (release_[1] >= 0) {
            result();
            close(release_[1]);
            release_[1] = -1;
            wait_child(pid_);
            close(report_[0]);
        }
    }

private:
    pid_t pid_ = -1;
    int report_[2] = {-1, -1}, release_[2] = {-1, -1};
    int result_ = 0;
    bool have_ = false;
};

// -errno when ret < 0 (a libc call that set errno), else ok (0 by default).
inline int check(long ret, int ok = 0) { return ret < 0 ? -errno : ok; }

// In a child: forks a grandchild that execs path with argv, waits for it; the grandchild's
// pid, or -errno.
inline int run_grandchild(const std::string& path, const std::vector<std::string>& argv) {
    pid_t pid = fork();
    if (pid < 0)
        return -errno;
    if (pid == 0)
        exec_now(path, argv);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? pid : -1000 - status;
}

// Forks a child that runs fn (ending in an exec); reaps it. Its pid.
inline pid_t run_exec_child(const std::function<void()>& fn, int* status = nullptr) {
    pid_t pid = spawn([&] {
        fn();
        _exit(126);  // fn did not exec
    });
    int st = wait_child(pid);
    if (status)
        *status = st;
    return pid;
}

// A cgroup v2 directory named as Docker's systemd driver names a container's scope, so the
// agent gives its processes a container id; removed at the end (once empty).
class ContainerCgroup {
public:
    // filler: six hex digits that tell apart the containers of one test process.
    explicit ContainerCgroup(std::string_view filler = "c0ffee") {
        // 64 hex digits, the first (the short id) distinct per run: this pid in decimal.
        id_ = std::to_string(getpid());
        while (id_.size() < 64)
            id_ += filler[id_.size() % 6];
        if (auto mount = cgroup2_mount_point()) {
            path_ = *mount + "/docker-" + id_ + ".scope";
            std::filesystem::create_directories(path_);
        }
    }
    ~ContainerCgroup() {
        if (!path_.empty())
            rmdir(path_.c_str());
    }
    bool ok() const { return !path_.empty() && std::filesystem::exists(path_ + "/cgroup.procs"); }
    const std::string& id() const { return id_; }   // the full 64-digit id
    std::string short_id() const { return id_.substr(0, 12); }  // as container.id renders it
    const std::string& path() const { return path_; }
    // In a (forked) child: moves the calling process into the cgroup.
    bool join() const {
        std::ofstream procs(path_ + "/cgroup.procs");
        procs << getpid() << std::flush;
        return bool(procs);
    }

private:
    std::string id_, path_;
};

// One agent for a whole test file (its start costs a second or two): a fixture base,
// one static agent per Suite type.
template <class Suite>
class AgentSuite : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (geteuid() == 0)
            agent_ = new Agent(kConfig);
    }
    static void TearDownTestSuite() {
        delete agent_;
        agent_ = nullptr;
    }
    void SetUp() override {
        if (geteuid() != 0)
            GTEST_SKIP() << "SKIPPED: integration tests load BPF programs and need root";
        ASSERT_TRUE(agent_ && agent_->ready()) << (agent_ ? agent_->process().stderr_text() : "");
    }
    static const Agent& agent() { return *agent_; }

    // The one alert of rule for pid (waits for it); an empty object when there is none.
    static json one_alert(const std::string& rule, pid_t pid) {
        auto found = wait_alerts(*agent_, rule, pid);
        EXPECT_EQ(found.size(), 1u) << "rule '" << rule << "', pid " << pid << ":\n"
                                    << json(found).dump(1);
        return found.empty() ? json::object() : found[0];
    }
    // Near misses: after settle(), none of these pids has an alert of rule.
    static void expect_no_alert(const std::string& rule, const std::vector<pid_t>& pids) {
        settle();
        for (pid_t pid : pids)
            EXPECT_TRUE(alerts_now(*agent_, rule, pid).empty())
                << "near miss pid " << pid << " alerted: " << json(alerts_now(*agent_, rule, pid)).dump(1);
    }

    static inline Agent* agent_ = nullptr;
};

}  // namespace kscope::test::default_rules
