// The agent's event API filters pid, container, q and until (with since), and kscope
// query's --grep, --since, --until and --container, over real exec events stored by a
// running agent: one of them from a process in a cgroup named like a docker container.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "agent_harness.h"
#include "pipeline/cgroup_paths.h"
#include "wait_util.h"

namespace kscope::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// GET on the agent, parsed; an empty array on any error (the status is checked apart).
nlohmann::json rows(const Agent& a, const std::string& query) {
    std::string body;
    if (a.get("/api/v1/events?" + query, body) != 200)
        return nlohmann::json::array();
    auto j = nlohmann::json::parse(body, nullptr, false);
    return j.is_discarded() ? nlohmann::json::array() : j;
}

// pids of the rows, in order.
std::vector<pid_t> pids_of(const nlohmann::json& r) {
    std::vector<pid_t> out;
    for (const auto& e : r)
        out.push_back(e["pid"].get<pid_t>());
    return out;
}

// `kscope query --data-dir dir --json <args>`: its events (exit status checked).
std::vector<nlohmann::json> query(const std::string& dir, std::vector<std::string> args) {
    args.insert(args.begin(), {"query", "--data-dir", dir, "--json", "--limit", "1000"});
    Kscope q(args, false, {}, "");
    const int status = q.wait_exit(20s);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status << q.stderr_text();
    return q.json_lines();
}

std::vector<pid_t> pids_of(const std::vector<nlohmann::json>& lines) {
    std::vector<pid_t> out;
    for (const auto& e : lines)
        out.push_back(e["pid"].get<pid_t>());
    return out;
}

TEST(ApiFilters, PidContainerTextAndUntilOnTheApiAndInKscopeQuery) {
    REQUIRE_ROOT();
    auto mount = cgroup2_mount_point();
    ASSERT_TRUE(mount) << "cgroup v2 is not mounted";
    TempDir tmp("kscope-api-filters");
    const std::string& dir = tmp.path();
    const std::string prog = true_named(dir, "ksapi_true");
    const std::string cat = dir + "/ksapi_cat";
    fs::copy_file("/bin/cat", cat);
    fs::permissions(cat, fs::perms::owner_all);

    Agent a("probes:\n  exec:\n    comms: [ksapi_true, ksapi_cat]\n  exit: false\n  tcp: false\n  drops: false\n"
            "  dns: false\n  syscalls: false\n  filetop: false\n",
            dir);
    ASSERT_TRUE(a.ready()) << a.process().stderr_text();

    const std::string needle = "needle-" + std::to_string(getpid());
    const pid_t first = run_exec(prog, {prog, "first", "100%_sure"});
    const pid_t second = run_exec(prog, {prog, "second", needle});
    const pid_t third = run_exec(prog, {prog, "third"});

    // A "container": a cgroup named as docker names its scopes, made after the agent
    // started; the process in it stays until its event is stored.
    const std::string id = fmt::format("{:0>48}{:016x}", "c0ffee", uint64_t(getpid()) << 20 | (time(nullptr) & 0xfffff));
    const fs::path cgroup = fs::path(*mount) / ("docker-" + id + ".scope");
    ASSERT_TRUE(fs::create_directory(cgroup)) << cgroup;
    int stdin_pipe[2];
    ASSERT_EQ(pipe2(stdin_pipe, O_CLOEXEC), 0);
    const pid_t contained = spawn([&] {
        std::ofstream(cgroup / "cgroup.procs") << getpid() << std::flush;
        dup2(stdin_pipe[0], 0);
        close(stdin_pipe[1]);
        exec_now(cat, {cat});
    });
    close(stdin_pipe[0]);
    const bool stored = eventually([&] { return rows(a, "pid=" + std::to_string(contained)).size() == 1; }, 10s, 50ms);
    close(stdin_pipe[1]);  // cat reads EOF and exits
    wait_child(contained);
    rmdir(cgroup.c_str());
    ASSERT_TRUE(stored) << a.process().stderr_text();
    ASSERT_TRUE(eventually([&] { return rows(a, "type=exec&limit=1000").size() == 4; }, 10s, 50ms))
        << rows(a, "type=exec&limit=1000").dump();

    // pid: one process's events only.
    auto by_pid = rows(a, "pid=" + std::to_string(second));
    ASSERT_EQ(by_pid.size(), 1u) << by_pid.dump();
    EXPECT_EQ(by_pid[0]["pid"], second);
    EXPECT_EQ(by_pid[0]["argv"], nlohmann::json::array({prog, "second", needle}));
    EXPECT_EQ(rows(a, "pid=1&type=exec").size(), 0u);

    // container: the contained process only; the others have no container id.
    auto in_container = rows(a, "container=" + id);
    ASSERT_EQ(in_container.size(), 1u) << in_container.dump();
    EXPECT_EQ(in_container[0]["pid"], contained);
    EXPECT_EQ(in_container[0]["container_id"], id);
    EXPECT_EQ(in_container[0]["filename"], cat);
    EXPECT_EQ(rows(a, "container=" + std::string(64, 'f')).size(), 0u);
    for (const auto& e : rows(a, "type=exec&limit=1000")) {
        if (e["pid"] != contained) {
            EXPECT_EQ(e["container_id"], "") << e.dump();
        }
    }

    // q: text in the event's JSON; % and _ are plain characters, not patterns.
    EXPECT_EQ(pids_of(rows(a, "q=" + needle)), std::vector<pid_t>{second});
    EXPECT_EQ(pids_of(rows(a, "q=100%25_sure")), std::vector<pid_t>{first});
    EXPECT_EQ(pids_of(rows(a, "q=%25_s")), std::vector<pid_t>{first});
    EXPECT_EQ(rows(a, "q=_sure_").size(), 0u);
    EXPECT_EQ(rows(a, "q=no-such-text-" + std::to_string(getpid())).size(), 0u);

    // until (and since): ns since the epoch, inclusive; or a duration ago.
    const auto all = rows(a, "type=exec&limit=1000");
    const uint64_t ts1 = all[0]["ts"], ts2 = all[1]["ts"], ts3 = all[2]["ts"];
    ASSERT_LT(ts1, ts2);
    ASSERT_LT(ts2, ts3);
    EXPECT_EQ(pids_of(rows(a, "type=exec&until=" + std::to_string(ts2))), (std::vector<pid_t>{first, second}));
    EXPECT_EQ(pids_of(rows(a, "type=exec&until=" + std::to_string(ts2 - 1))), std::vector<pid_t>{first});
    EXPECT_EQ(pids_of(rows(a, "type=exec&since=" + std::to_string(ts2) + "&until=" + std::to_string(ts3))),
              (std::vector<pid_t>{second, third}));
    EXPECT_EQ(rows(a, "type=exec&until=1h").size(), 0u);          // an hour ago: before all of them
    EXPECT_EQ(rows(a, "type=exec&until=1h&since=2h").size(), 0u);
    EXPECT_EQ(pids_of(rows(a, "type=exec&since=1h&limit=2")), (std::vector<pid_t>{third, contained}));
    std::string body;
    EXPECT_EQ(a.get("/api/v1/events?until=tomorrow", body), 400);
    EXPECT_NE(body.find("until"), std::string::npos) << body;

    // kscope query reads the same store (while the agent runs): the same filters.
    EXPECT_EQ(pids_of(query(dir, {"--grep", needle})), std::vector<pid_t>{second});
    EXPECT_EQ(pids_of(query(dir, {"--type", "exec", "--since", std::to_string(ts2), "--until", std::to_string(ts3)})),
              (std::vector<pid_t>{second, third}));
    EXPECT_EQ(pids_of(query(dir, {"--type", "exec", "--until", std::to_string(ts1)})), std::vector<pid_t>{first});
    EXPECT_EQ(query(dir, {"--type", "exec", "--until", "1h"}).size(), 0u);
    EXPECT_EQ(pids_of(query(dir, {"--type", "exec", "--since", "1h"})),
              (std::vector<pid_t>{first, second, third, contained}));
    auto contained_rows = query(dir, {"--container", id});
    ASSERT_EQ(contained_rows.size(), 1u);
    EXPECT_EQ(contained_rows[0]["pid"], contained);
    EXPECT_EQ(contained_rows[0]["container_id"], id);
    EXPECT_EQ(query(dir, {"--container", std::string(64, 'f')}).size(), 0u);

    // A bad time is refused with exit status 2.
    Kscope bad({"query", "--data-dir", dir, "--until", "tomorrow"}, false, {}, "");
    const int status = bad.wait_exit(20s);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << status;
    EXPECT_NE(bad.stderr_text().find("until"), std::string::npos) << bad.stderr_text();
    a.process().stop(SIGTERM);
}

}  // namespace
}  // namespace kscope::test
