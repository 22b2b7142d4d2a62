// Learned baselines against the real agent: a Docker-style container (a docker-<id>.scope
// cgroup) runs two binaries while its workload learns; after `kscope baseline lock`, a
// third binary is an anomaly alert and a known one is not; a restarted agent keeps the
// baseline (and what it already reported); `kscope baseline reset` makes it learn again.
// A second case lets the learning window end by time and storms execs for a rate alert.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "default_rules_helpers.h"
#include "netns.h"
#include "wait_util.h"

namespace kscope::test {
namespace {

using default_rules::ContainerCgroup;
using default_rules::Held;
using default_rules::run_grandchild;
using nlohmann::json;

// The container's anomaly alerts stored so far.
std::vector<json> anomaly_alerts(const Agent& agent, const std::string& workload) {
    std::vector<json> out;
    std::string body;
    if (agent.get("/api/v1/alerts?limit=10000", body) != 200)
        return out;
    for (const auto& a : json::parse(body, nullptr, false))
        if (a.is_object() && a.value("source", "") == "anomaly" && a.value("workload", "") == workload)
            out.push_back(a);
    return out;
}

// Polls until an alert whose `key` is `value` is stored; every alert of the workload then.
std::vector<json> wait_alert(const Agent& agent, const std::string& workload, const std::string& key,
                             const std::string& value, int seconds = 10) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (true) {
        auto all = anomaly_alerts(agent, workload);
        for (const auto& a : all)
            if (a.value(key, "") == value)
                return all;
        if (std::chrono::steady_clock::now() >= deadline)
            return all;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

size_t count_with(const std::vector<json>& alerts, const std::string& key, const std::string& value) {
    return std::count_if(alerts.begin(), alerts.end(), [&](const json& a) { return a.value(key, "") == value; });
}

// `kscope baseline show <workload> --json` (one object), or null when there is none yet.
json baseline_of(const std::string& data_dir, const std::string& workload) {
    auto r = run_shell(std::string(KSCOPE_BINARY) + " baseline show --json --data-dir " + data_dir + " " + workload);
    if (r.status != 0)
        return nullptr;
    return json::parse(r.text, nullptr, false);
}

// The exec items of a workload's baseline: path -> learned.
std::map<std::string, bool> exec_items(const json& baseline) {
    std::map<std::string, bool> out;
    if (baseline.is_object())
        for (const auto& i : baseline["exec"])
            out[i["item"]] = i["learned"];
    return out;
}

// In a child: joins the container, runs each binary in a grandchild, in order.
int run_in(const ContainerCgroup& ctr, const std::vector<std::string>& binaries) {
    default_rules::set_comm("kscope-ctr-init");
    if (!ctr.join())
        return -1;
    for (const auto& b : binaries)
        if (run_grandchild(b, {b}) < 0)
            return -2;
    return 0;
}

constexpr const char* kConfig = R"(profiling: {enabled: false}
rules: {default: false}
anomaly: {enabled: true, learn: 1h, rates: false}
)";

TEST(AnomalyAgent, ContainerBaselineLocksAlertsOnNewBinaryAndSurvivesRestart) {
    REQUIRE_ROOT();
    ContainerCgroup ctr("a11ce5");
    ASSERT_TRUE(ctr.ok()) << "cgroup v2 is not mounted or not writable";
    TempDir bins("kscope-anomaly-bins"), data("kscope-anomaly-data");
    const std::string a = true_named(bins.path(), "kscope-an-a"), b = true_named(bins.path(), "kscope-an-b"),
                      c = true_named(bins.path(), "kscope-an-c"), d = true_named(bins.path(), "kscope-an-d");
    const std::string workload = "container:" + ctr.id();
    {
        Agent agent(kConfig, data.path());
        ASSERT_TRUE(agent.ready()) << agent.process().stderr_text();
        // Learning: a and b.
        Held learning([&] { return run_in(ctr, {a, b}); });
        ASSERT_EQ(learning.result(), 0);
        json baseline;
        for (int i = 0; i < 50 && exec_items(baseline).size() < 2; i++) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            baseline = baseline_of(data.path(), ctr.id());  // the bare id names the container too
        }
        ASSERT_EQ(exec_items(baseline), (std::map<std::string, bool>{{a, true}, {b, true}})) << baseline.dump();
        EXPECT_EQ(baseline["state"], "learning");
        EXPECT_TRUE(anomaly_alerts(agent, workload).empty());

        const std::string locked = shell(std::string(KSCOPE_BINARY) + " baseline lock --data-dir " + data.path() + " " +
                                         workload);
        EXPECT_NE(locked.find("1 workload baselines locked"), std::string::npos) << locked;
        ASSERT_TRUE(agent.wait_metric("kscope_anomaly_workloads{state=\"locked\"}", 1, 5))
            << "the agent did not pick up the lock\n" << agent.process().stderr_text();

        // Locked: a is known, c is new.
        Held after([&] { return run_in(ctr, {a, c}); });
        ASSERT_EQ(after.result(), 0);
        auto alerts = wait_alert(agent, workload, "new_item", c);
        default_rules::settle();
        alerts = anomaly_alerts(agent, workload);
        ASSERT_EQ(count_with(alerts, "new_item", c), 1u) << agent.process().stderr_text();
        EXPECT_EQ(count_with(alerts, "new_item", a), 0u) << "a known binary alerted";
        const json& alert = alerts[0];
        EXPECT_EQ(alert["type"], "alert");
        EXPECT_EQ(alert["source"], "anomaly");
        EXPECT_EQ(alert["anomaly"], "exec");
        EXPECT_EQ(alert["rule"], "New executable for workload");
        EXPECT_EQ(alert["priority"], "Warning");
        EXPECT_EQ(alert["action"], "alert");
        EXPECT_EQ(alert["workload"], workload);
        EXPECT_EQ(alert["new_item"], c);
        EXPECT_EQ(alert["baseline_size"], 2);
        EXPECT_EQ(alert["container_id"], ctr.id());
        EXPECT_EQ(alert["comm"], "kscope-an-c");
        EXPECT_EQ(alert["event"]["type"], "exec");
        EXPECT_EQ(alert["event"]["filename"], c);
        EXPECT_NE(alert["output"].get<std::string>().find("new executable " + c + " for " + workload),
                  std::string::npos) << alert["output"];
        EXPECT_EQ(agent.metric("kscope_anomaly_alerts_total{kind=\"exec\"}"), 1);
        EXPECT_EQ(agent.process().stop(SIGTERM), 0);
    }
    {
        // Restarted: the baseline and what was reported stay; only d is new.
        Agent agent(kConfig, data.path());
        ASSERT_TRUE(agent.ready()) << agent.process().stderr_text();
        Held again([&] { return run_in(ctr, {a, b, c, d}); });
        ASSERT_EQ(again.result(), 0);
        auto alerts = wait_alert(agent, workload, "new_item", d);
        default_rules::settle();
        alerts = anomaly_alerts(agent, workload);  // the store has the first agent's too
        ASSERT_EQ(alerts.size(), 2u) << json(alerts).dump();
        EXPECT_EQ(count_with(alerts, "new_item", c), 1u) << "c was reported again after the restart";
        EXPECT_EQ(alerts[1]["new_item"], d);
        EXPECT_EQ(alerts[1]["baseline_size"], 2);
        const json baseline = baseline_of(data.path(), workload);
        EXPECT_EQ(baseline["state"], "locked");
        EXPECT_EQ(baseline["baseline_size"], 2);
        EXPECT_EQ(exec_items(baseline), (std::map<std::string, bool>{{a, true}, {b, true}, {c, false}, {d, false}}))
            << baseline.dump();

        // Reset: the workload learns again from its next exec, with no alert.
        const std::string reset = shell(std::string(KSCOPE_BINARY) + " baseline reset --data-dir " + data.path() + " " +
                                        workload);
        EXPECT_NE(reset.find("1 workload baselines forgotten"), std::string::npos) << reset;
        ASSERT_TRUE(eventually([&] {  // the agent reloads within a second
            agent.process().wait_stderr("baselines changed in the store", std::chrono::milliseconds(50));
            return agent.process().stderr_text().find("baselines changed in the store") != std::string::npos;
        }, std::chrono::seconds(5))) << agent.process().stderr_text();
        Held relearn([&] { return run_in(ctr, {d}); });
        ASSERT_EQ(relearn.result(), 0);
        json fresh;
        for (int i = 0; i < 50 && exec_items(fresh).empty(); i++) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            fresh = baseline_of(data.path(), workload);
        }
        EXPECT_EQ(fresh["state"], "learning") << fresh.dump();
        EXPECT_EQ(exec_items(fresh), (std::map<std::string, bool>{{d, true}})) << fresh.dump();
        EXPECT_EQ(anomaly_alerts(agent, workload).size(), 2u);
    }
}

// In a child of the container: connects to each port on 127.0.0.1, listens on each of
// `listens`, creates a file in each directory.
int network_and_files(const std::vector<uint16_t>& connects, const std::vector<uint16_t>& listens,
                      const std::vector<std::string>& dirs) {
    for (uint16_t port : connects) {
        int fd = tcp_socket(AF_INET, "127.0.0.1", port, /*connect_it=*/true);
        if (fd < 0)
            return -errno;
        close(fd);
    }
    for (uint16_t port : listens) {
        int fd = tcp_socket(AF_INET, "127.0.0.1", port, /*connect_it=*/false);
        if (fd < 0 || listen(fd, 4) != 0)
            return -errno;
        close(fd);
    }
    for (const auto& dir : dirs) {
        int fd = open((dir + "/file").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0)
            return -errno;
        close(fd);
    }
    return 0;
}

// A listening socket on a free loopback port (connects complete through its backlog).
struct Listener {
    Listener() {
        fd = tcp_socket(AF_INET, "127.0.0.1", 0, /*connect_it=*/false);
        sockaddr_in sa{};
        socklen_t len = sizeof sa;
        if (fd >= 0 && listen(fd, 16) == 0 && getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) == 0)
            port = ntohs(sa.sin_port);
    }
    ~Listener() { close(fd); }
    int fd = -1;
    uint16_t port = 0;
};

TEST(AnomalyAgent, NewPeerListeningPortAndWriteDirectoryAfterTheLock) {
    REQUIRE_ROOT();
    ContainerCgroup ctr("9ee125");
    ASSERT_TRUE(ctr.ok()) << "cgroup v2 is not mounted or not writable";
    TempDir files("kscope-anomaly-files");
    const std::string known_dir = files.path() + "/known", new_dir = files.path() + "/new";
    std::filesystem::create_directories(known_dir);
    std::filesystem::create_directories(new_dir);
    Listener known_peer, new_peer;
    ASSERT_TRUE(known_peer.port && new_peer.port);
    const uint16_t known_listen = free_port(), new_listen = free_port();
    const std::string workload = "container:" + ctr.id();
    Agent agent(std::string("probes: {open: true}\n") + kConfig);
    ASSERT_TRUE(agent.ready()) << agent.process().stderr_text();

    Held learning([&] {
        return ctr.join() ? network_and_files({known_peer.port}, {known_listen}, {known_dir}) : -1;
    });
    ASSERT_EQ(learning.result(), 0);
    json baseline;
    auto learned = [&] {
        return baseline.is_object() && baseline["peer"].size() == 1 && baseline["listen"].size() == 1 &&
               baseline["write_dir"].size() == 1;
    };
    for (int i = 0; i < 50 && !learned(); i++) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        baseline = baseline_of(agent.data_dir(), workload);
    }
    ASSERT_TRUE(learned()) << baseline.dump();
    EXPECT_EQ(baseline["peer"][0]["item"], "127.0.0.1:" + std::to_string(known_peer.port));
    EXPECT_EQ(baseline["listen"][0]["item"], std::to_string(known_listen) + "/tcp");
    EXPECT_EQ(baseline["write_dir"][0]["item"], known_dir);
    (void)shell(std::string(KSCOPE_BINARY) + " baseline lock --data-dir " + agent.data_dir() + " " + workload);
    ASSERT_TRUE(agent.wait_metric("kscope_anomaly_workloads{state=\"locked\"}", 1, 5));

    Held after([&] {
        return ctr.join() ? network_and_files({known_peer.port, new_peer.port}, {known_listen, new_listen},
                                              {known_dir, new_dir})
                          : -1;
    });
    ASSERT_EQ(after.result(), 0);
    auto alerts = wait_alert(agent, workload, "anomaly", "write_dir");
    for (int i = 0; i < 30 && alerts.size() < 3; i++) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        alerts = anomaly_alerts(agent, workload);
    }
    default_rules::settle();
    alerts = anomaly_alerts(agent, workload);
    ASSERT_EQ(alerts.size(), 3u) << json(alerts).dump();
    std::map<std::string, json> by_kind;
    for (const auto& a : alerts)
        by_kind[a["anomaly"]] = a;
    EXPECT_EQ(by_kind["peer"]["new_item"], "127.0.0.1:" + std::to_string(new_peer.port));
    EXPECT_EQ(by_kind["peer"]["rule"], "New outbound peer for workload");
    EXPECT_EQ(by_kind["peer"]["event"]["type"], "tcp_connect");
    EXPECT_EQ(by_kind["listen"]["new_item"], std::to_string(new_listen) + "/tcp");
    EXPECT_EQ(by_kind["listen"]["rule"], "New listening port for workload");
    EXPECT_EQ(by_kind["write_dir"]["new_item"], new_dir);
    EXPECT_EQ(by_kind["write_dir"]["priority"], "Notice");
    for (const auto& [kind, a] : by_kind) {
        EXPECT_EQ(a["baseline_size"], 3) << a.dump();
        EXPECT_EQ(a["pid"], after.pid()) << a.dump();
    }
}

TEST(AnomalyAgent, LearningEndsByTimeAndAnExecStormIsARateAlert) {
    REQUIRE_ROOT();
    ContainerCgroup ctr("5707e4");
    ASSERT_TRUE(ctr.ok()) << "cgroup v2 is not mounted or not writable";
    TempDir bins("kscope-anomaly-bins");
    const std::string a = true_named(bins.path(), "kscope-an-a"), b = true_named(bins.path(), "kscope-an-b");
    const std::string workload = "container:" + ctr.id();
    Agent agent(R"(profiling: {enabled: false}
rules: {default: false}
anomaly: {enabled: true, learn: 2s, rate_interval: 1s, rate_warmup: 3, rate_threshold: 4, rate_min: 10}
)");
    ASSERT_TRUE(agent.ready()) << agent.process().stderr_text();
    // Two execs a second for five seconds (learning a, and the usual rate), then sixty at
    // once, then b: the window has ended, so b is new.
    Held workload_run([&] {
        default_rules::set_comm("kscope-ctr-init");
        if (!ctr.join())
            return -1;
        for (int i = 0; i < 10; i++) {
            if (run_grandchild(a, {a}) < 0)
                return -2;
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
        }
        for (int i = 0; i < 60; i++)
            if (run_grandchild(a, {a}) < 0)
                return -3;
        std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the storm's interval closes
        return run_grandchild(a, {a}) < 0 || run_grandchild(b, {b}) < 0 ? -4 : 0;
    });
    ASSERT_EQ(workload_run.result(), 0);
    auto alerts = wait_alert(agent, workload, "new_item", b);
    default_rules::settle();
    alerts = anomaly_alerts(agent, workload);
    EXPECT_EQ(count_with(alerts, "new_item", b), 1u) << json(alerts).dump();
    EXPECT_EQ(count_with(alerts, "new_item", a), 0u) << json(alerts).dump();
    ASSERT_EQ(count_with(alerts, "anomaly", "exec_rate"), 1u) << json(alerts).dump();
    for (const auto& alert : alerts) {
        if (alert["anomaly"] != "exec_rate")
            continue;
        EXPECT_EQ(alert["rule"], "Exec rate rise for workload");
        EXPECT_EQ(alert["priority"], "Notice");
        EXPECT_GE(alert["rate_per_second"].get<double>(), 10) << alert.dump();
        EXPECT_LT(alert["expected_per_second"].get<double>(), 4) << alert.dump();
        EXPECT_GT(alert["expected_per_second"].get<double>(), 0.5) << alert.dump();
        EXPECT_EQ(alert["baseline_size"], 1);
        EXPECT_FALSE(alert.contains("new_item"));
    }
}

}  // namespace
}  // namespace kscope::test
