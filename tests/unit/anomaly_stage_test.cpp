// The anomaly stage over synthetic events (no store): workloads from containers and from
// the parent's executable, items of each kind as they are named, alerts with their
// fields, the per-workload alert limit, and a rate rise judged on the clock (a burst,
// then nothing).
#include <gtest/gtest.h>
#include <fcntl.h>

#include "pipeline/anomaly_stage.h"
#include "util/clock.h"

namespace kscope {
namespace {

constexpr uint64_t kSec = 1'000'000'000ull;

CommonFields common(uint64_t ts, uint32_t pid, const std::string& container = "", uint32_t ppid = 1) {
    CommonFields c;
    c.ts_ns = ts;
    c.pid = pid;
    c.ppid = ppid;
    c.comm = "test";
    c.container_id = container;
    return c;
}

Event exec(uint64_t ts, uint32_t pid, const std::string& path, const std::string& container = "", uint32_t ppid = 1) {
    ExecEvent e;
    e.common = common(ts, pid, container, ppid);
    e.filename = path;
    return e;
}

std::vector<AlertEvent> alerts_of(const std::vector<Event>& events) {
    std::vector<AlertEvent> out;
    for (const auto& e : events)
        out.push_back(std::get<AlertEvent>(e));
    return out;
}

struct Stage {
    explicit Stage(AnomalyConfig c) : stage(c, nullptr) { EXPECT_TRUE(stage.start().ok()); }
    std::vector<AlertEvent> inspect(const Event& e) {
        std::vector<Event> out;
        stage.inspect(e, cache, out);
        return alerts_of(out);
    }
    AnomalyStage stage;
    ProcessCache cache;
};

TEST(AnomalyStage, ItemsOfEachKindPerWorkload) {
    AnomalyConfig c;
    c.enabled = true;
    c.learn_s = 10;
    c.rates = false;
    Stage s(c);
    ProcessInfo parent;
    parent.pid = 50;
    parent.exe = "/usr/sbin/nginx";
    s.cache.upsert(parent);
    ProcessInfo worker = parent;
    worker.pid = 51;
    s.cache.upsert(worker);
    const uint64_t t0 = 1000 * kSec;
    // Learning: an exec by nginx (its child), a connect, a listen, a write.
    EXPECT_TRUE(s.inspect(exec(t0, 60, "/bin/sh", "", 50)).empty());
    TcpEvent connect;
    connect.common = common(t0 + kSec, 51);
    connect.event = "connect";
    connect.daddr = "::ffff:10.0.0.7";
    connect.dport = 5432;
    EXPECT_TRUE(s.inspect(connect).empty());
    SocketEvent listen;
    listen.common = common(t0 + kSec, 51);
    listen.syscall = "listen";
    listen.family = "ipv4";
    listen.port = 80;
    EXPECT_TRUE(s.inspect(listen).empty());
    OpenEvent write;
    write.common = common(t0 + kSec, 51);
    write.resolved_path = "/var/log/nginx/access.log";
    write.open_flags = O_WRONLY | O_APPEND;
    write.ret = 3;
    EXPECT_TRUE(s.inspect(write).empty());

    // Locked: the same things are known; new ones alert once each.
    const uint64_t t1 = t0 + 20 * kSec;
    connect.common.ts_ns = t1;
    connect.daddr = "10.0.0.7";  // as the mapped address above: the same peer
    EXPECT_TRUE(s.inspect(connect).empty());
    write.common.ts_ns = t1;
    write.resolved_path = "/var/log/nginx/error.log";
    EXPECT_TRUE(s.inspect(write).empty());
    DnsEvent dns;
    dns.common = common(t1, 51);
    dns.event = "response";
    dns.name = "db.internal";
    dns.addresses = {"10.0.0.9"};
    EXPECT_TRUE(s.inspect(dns).empty());
    connect.daddr = "10.0.0.9";
    auto peer = s.inspect(connect);
    ASSERT_EQ(peer.size(), 1u);
    EXPECT_EQ(peer[0].source, "anomaly");
    EXPECT_EQ(peer[0].workload, "/usr/sbin/nginx");
    EXPECT_EQ(peer[0].anomaly, "peer");
    EXPECT_EQ(peer[0].new_item, "db.internal:5432");
    EXPECT_EQ(peer[0].baseline_size, 4u);
    EXPECT_TRUE(s.inspect(connect).empty());  // once
    write.resolved_path = "/tmp/x/payload";
    auto dir = s.inspect(write);
    ASSERT_EQ(dir.size(), 1u);
    EXPECT_EQ(dir[0].new_item, "/tmp/x");
    EXPECT_EQ(dir[0].priority, "Notice");
    connect.daddr = "fd00::9";
    auto v6 = s.inspect(connect);
    ASSERT_EQ(v6.size(), 1u);
    EXPECT_EQ(v6[0].new_item, "[fd00::9]:5432");
    // A container is its own workload, with its own window.
    EXPECT_TRUE(s.inspect(exec(t1, 70, "/usr/bin/curl", "abc")).empty());
}

TEST(AnomalyStage, AlertsPerMinuteBoundEachWorkload) {
    AnomalyConfig c;
    c.enabled = true;
    c.learn_s = 1;
    c.rates = false;
    c.alerts_per_minute = 3;
    Stage s(c);
    const uint64_t t0 = 1000 * kSec;
    (void)s.inspect(exec(t0, 2, "/bin/a", "ctr"));
    size_t alerts = 0;
    for (int i = 0; i < 10; i++)
        alerts += s.inspect(exec(t0 + 5 * kSec, 3 + i, "/bin/new" + std::to_string(i), "ctr")).size();
    EXPECT_EQ(alerts, 3u);
    // A minute later the bucket is full again.
    EXPECT_EQ(s.inspect(exec(t0 + 70 * kSec, 20, "/bin/later", "ctr")).size(), 1u);
    PrometheusText m;
    s.stage.append_metrics(m);
    EXPECT_NE(m.text().find("kscope_anomaly_alerts_suppressed_total 7"), std::string::npos) << m.text();
    EXPECT_NE(m.text().find("kscope_anomaly_alerts_total{kind=\"exec\"} 11"), std::string::npos) << m.text();
}

TEST(AnomalyStage, ABurstThenSilenceIsJudgedOnTheClock) {
    AnomalyConfig c;
    c.enabled = true;
    c.learn_s = 3600;
    c.rate.interval_ns = kSec;
    c.rate.warmup = 3;
    c.rate.min_rate = 5;
    Stage s(c);
    // Times just behind the wall clock, as the agent's events are.
    const uint64_t t0 = epoch_now_ns() - 30 * kSec;
    uint32_t pid = 100;
    for (int second = 0; second < 8; second++)
        for (int i = 0; i < 2; i++)
            EXPECT_TRUE(s.inspect(exec(t0 + second * kSec + i * kSec / 3, pid++, "/bin/true", "ctr")).empty());
    for (int i = 0; i < 60; i++)
        EXPECT_TRUE(s.inspect(exec(t0 + 8 * kSec + i * kSec / 100, pid++, "/bin/true", "ctr")).empty());
    // Nothing follows the burst: the stage's tick closes its interval.
    std::vector<Event> out;
    s.stage.tick(out);
    auto alerts = alerts_of(out);
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].anomaly, "exec_rate");
    EXPECT_EQ(alerts[0].workload, "container:ctr");
    EXPECT_NEAR(alerts[0].rate, 60, 1);
    EXPECT_NEAR(alerts[0].expected_rate, 2, 0.5);
    EXPECT_EQ(alerts[0].common.pid, pid - 1);  // the last process counted
    EXPECT_FALSE(alerts[0].trigger);
}

}  // namespace
}  // namespace kscope
