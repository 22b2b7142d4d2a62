// kscope agent end to end on this machine: probes -> store -> API and kscope query,
// surviving kill -9; /metrics; config and request errors.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <thread>

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent_harness.h"

namespace kscope::test {
namespace {

constexpr int kExecs = 20;
const std::string kExecOnly = "probes:\n  exec:\n    comms: [ksagent_true]\n";

void exec_times(const std::string& path, int n) {
    for (int i = 0; i < n; i++)
        ASSERT_EQ(wait_child(run_exec(path, {path, "run", std::to_string(i)})), 0);
}

// Polls the API until n events of the comm are there (the store commits every ~100 ms).
nlohmann::json wait_events(const Agent& a, const std::string& query, size_t n) {
    nlohmann::json rows;
    for (int i = 0; i < 50; i++) {
        std::string body;
        if (a.get("/api/v1/events?" + query, body) == 200) {
            rows = nlohmann::json::parse(body);
            if (rows.size() >= n)
                break;
        }
        usleep(100'000);
    }
    return rows;
}

// Reads GET <path> on the agent's live stream in a thread until enough(received) says so
// or an overall deadline passes. The deadline is the stream's whole lifetime: keepalives
// that reset a per-read timeout cannot stretch it, since a watchdog shuts the connection
// down when it comes.
class StreamReader {
public:
    using Enough = std::function<bool(const std::string&)>;
    StreamReader(uint16_t port, std::string path, Enough enough, std::chrono::seconds limit)
        : client_("127.0.0.1", port), enough_(std::move(enough)),
          deadline_(std::chrono::steady_clock::now() + limit) {
        client_.set_read_timeout(limit.count(), 0);
        reader_ = std::thread([this, path] {
            client_.Get(path.c_str(), [this](const char* data, size_t n) {
                std::lock_guard lock(mu_);
                received_.append(data, n);
                satisfied_ = satisfied_ || enough_(received_);
                cv_.notify_all();
                return !satisfied_ && !stopped_;
            });
            std::lock_guard lock(mu_);
            ended_ = true;
            cv_.notify_all();
        });
        watchdog_ = std::thread([this] {
            std::unique_lock lock(mu_);
            if (!cv_.wait_until(lock, deadline_, [this] { return ended_; })) {
                timed_out_ = true;
                lock.unlock();
                client_.stop();  // shuts the socket down: the blocked read returns
            }
        });
    }
    ~StreamReader() { finish(); }
    // Makes the reader leave at the next chunk it gets (keepalives come every second).
    void leave() {
        std::lock_guard lock(mu_);
        stopped_ = true;
    }
    // Waits (never past the deadline) for the stream to end; true if enough was seen.
    bool finish() {
        if (reader_.joinable())
            reader_.join();
        if (watchdog_.joinable())
            watchdog_.join();
        std::lock_guard lock(mu_);
        return satisfied_;
    }
    bool timed_out() {
        std::lock_guard lock(mu_);
        return timed_out_;
    }
    std::string received() {
        std::lock_guard lock(mu_);
        return received_;
    }

private:
    httplib::Client client_;
    Enough enough_;
    const std::chrono::steady_clock::time_point deadline_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::string received_;
    bool satisfied_ = false, stopped_ = false, ended_ = false, timed_out_ = false;
    std::thread reader_, watchdog_;
};

// Polls /metrics until it holds text; false after the deadline.
bool wait_metrics_text(const Agent& a, const std::string& text, std::chrono::seconds limit, std::string& metrics) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    do {
        if (a.get("/metrics", metrics) == 200 && metrics.find(text) != std::string::npos)
            return true;
        usleep(50'000);
    } while (std::chrono::steady_clock::now() < deadline);
    return false;
}

TEST(Agent, StoresEventsThatSurviveKill9) {
    REQUIRE_ROOT();
    TempDir tmp("kscope-agent-keep");
    const std::string& dir = tmp.path();
    const std::string prog = true_named(dir, "ksagent_true");
    {
        Agent a(kExecOnly, dir);
        ASSERT_TRUE(a.ready()) << a.process().stderr_text();
        exec_times(prog, kExecs);
        auto rows = wait_events(a, "type=exec&comm=ksagent_true&limit=1000", kExecs);
        ASSERT_EQ(rows.size(), size_t(kExecs));
        for (int i = 0; i < kExecs; i++) {
            EXPECT_EQ(rows[i]["type"], "exec");
            EXPECT_EQ(rows[i]["filename"], prog);
            EXPECT_EQ(rows[i]["argv"], nlohmann::json::array({prog, "run", std::to_string(i)}));
        }
        a.process().stop(SIGKILL);
    }
    {
        Agent again(kExecOnly, dir);
        ASSERT_TRUE(again.ready()) << again.process().stderr_text();
        auto rows = wait_events(again, "type=exec&comm=ksagent_true&limit=1000", kExecs);
        EXPECT_EQ(rows.size(), size_t(kExecs));
        again.process().stop(SIGTERM);
    }
    // kscope query reads the same store.
    Kscope q({"query", "--data-dir", dir, "--type", "exec", "-c", "ksagent_true", "--json", "--limit", "1000"}, false,
             {}, "");
    q.wait_exit(std::chrono::seconds(10));
    auto lines = q.json_lines();
    EXPECT_EQ(lines.size(), size_t(kExecs)) << q.stderr_text();
}

TEST(Agent, MetricsHealthAndApiErrors) {
    REQUIRE_ROOT();
    Agent a;
    ASSERT_TRUE(a.ready()) << a.process().stderr_text();
    std::string body;
    EXPECT_EQ(a.get("/healthz", body), 200);
    EXPECT_EQ(body, "ok\n");
    ASSERT_EQ(a.get("/metrics", body), 200);
    for (const char* want : {"# TYPE kscope_events_total counter", "kscope_events_total{probe=\"exec\"}",
                             "kscope_probe_up{probe=\"exec\"} 1", "kscope_syscalls_total{syscall=\"read\"}",
                             "# TYPE kscope_tcp_connect_latency_seconds histogram", "kscope_dns_queries_total",
                             "kscope_bpf_program_runs_total{probe=\"syscalls\",program=\"ks_sys_enter\"}",
                             "process_resident_memory_bytes", "kscope_events_dropped_total{probe=\"exec\",stage=\"queue\"} 0",
                             "kscope_file_io_bytes_total{file_type=\"regular\",op=\"read\"}",
                             "kscope_packet_drops_total", "kscope_tcp_resets_total{direction=\"sent\"}"})
        EXPECT_NE(body.find(want), std::string::npos) << want;
    EXPECT_EQ(a.get("/api/v1/events?limit=0", body), 400);
    EXPECT_NE(body.find("limit"), std::string::npos);
    EXPECT_EQ(a.get("/api/v1/events?pid=x", body), 400);
    EXPECT_EQ(a.get("/api/v1/events?since=yesterday", body), 400);
    EXPECT_EQ(a.get("/api/v1/events?nosuch=1", body), 400);
    EXPECT_EQ(a.get("/api/v1/events?since=10m&limit=5", body), 200);
    EXPECT_LE(nlohmann::json::parse(body).size(), 5u);
    EXPECT_EQ(a.process().stop(SIGTERM), 0);
}

TEST(Agent, StreamsLiveEventsAsServerSentEvents) {
    REQUIRE_ROOT();
    TempDir tmp("kscope-agent-sse");
    const std::string& dir = tmp.path();
    const std::string prog = true_named(dir, "ksagent_true");
    Agent a(kExecOnly, dir);
    ASSERT_TRUE(a.ready()) << a.process().stderr_text();
    // The whole stream gets 30 s, keepalives or not.
    StreamReader client(a.port(), "/api/v1/stream?type=exec&comm=ksagent_true",
                        [](const std::string& r) { return r.find("\"run\",\"4\"") != std::string::npos; },
                        std::chrono::seconds(30));
    // Subscribed once the agent counts the client; execs before that would not be streamed.
    std::string metrics;
    ASSERT_TRUE(wait_metrics_text(a, "\nkscope_stream_clients 1\n", std::chrono::seconds(10), metrics))
        << "the stream client was not counted within 10 s";
    exec_times(prog, 5);
    ASSERT_TRUE(client.finish()) << (client.timed_out() ? "no fifth event within 30 s: " : "stream ended early: ")
                                 << client.received();
    const std::string received = client.received();
    // Five "event: exec" / "data: {...}" pairs, in order, keepalive comments allowed between.
    size_t at = 0;
    for (int i = 0; i < 5; i++) {
        at = received.find("event: exec\ndata: {", at);
        ASSERT_NE(at, std::string::npos) << received;
        const size_t end = received.find('\n', at + 12);
        auto e = nlohmann::json::parse(received.substr(at + 18, end - at - 18));
        EXPECT_EQ(e["argv"], nlohmann::json::array({prog, "run", std::to_string(i)}));
        at = end;
    }
    std::string body;
    EXPECT_EQ(a.get("/api/v1/stream?limit=5", body), 400);  // limit means nothing for a stream
    a.process().stop(SIGTERM);
}

TEST(Agent, HttpsAndBearerToken) {
    REQUIRE_ROOT();
    TempDir tmp("kscope-agent-tls");
    const std::string& dir = tmp.path();
    const std::string cert = dir + "/cert.pem", key = dir + "/key.pem";
    ASSERT_EQ(std::system(("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                           "-addext subjectAltName=IP:127.0.0.1 -keyout " + key + " -out " + cert + " 2>/dev/null")
                              .c_str()),
              0);
    Agent a("http:\n  tls_cert: " + cert + "\n  tls_key: " + key + "\n  bearer_token: s3cret\n", dir);
    ASSERT_TRUE(a.ready()) << a.process().stderr_text();
    std::string body;
    EXPECT_EQ(https_get(a.port(), "/healthz", body, cert), 200);  // no token needed
    EXPECT_EQ(https_get(a.port(), "/metrics", body, cert), 401);
    EXPECT_EQ(https_get(a.port(), "/metrics", body, cert, "wrong"), 401);
    EXPECT_EQ(https_get(a.port(), "/api/v1/events", body, cert), 401);
    ASSERT_EQ(https_get(a.port(), "/metrics", body, cert, "s3cret"), 200);
    EXPECT_NE(body.find("kscope_events_total"), std::string::npos);
    EXPECT_EQ(https_get(a.port(), "/api/v1/events?limit=1", body, cert, "s3cret"), 200);
    EXPECT_EQ(http_get(a.port(), "/healthz", body), 0);  // plain HTTP is not served
    a.process().stop(SIGTERM);
}

TEST(Agent, BadConfigIsRefusedWithItsPlace) {
    REQUIRE_ROOT();
    TempDir tmp("kscope-agent-bad");
    const std::string& dir = tmp.path();
    Agent a("probes:\n  exec:\n    comm: [x]\n", dir);
    EXPECT_FALSE(a.ready());
    const int status = a.process().wait_exit(std::chrono::seconds(10));
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << status;
    EXPECT_NE(a.process().stderr_text().find(dir + "/agent.yaml:3:5: unknown key 'comm' in probes.exec"),
              std::string::npos)
        << a.process().stderr_text();
}

}  // namespace
}  // namespace kscope::test

namespace kscope::test {
namespace {

// SIGHUP applies a new file: probes turned on start, turned off stop, the exec probe that
// stays on keeps every event across the switch; a bad file changes nothing.
TEST(Agent, ReloadOnSighupKeepsTheProbesThatStayOn) {
    REQUIRE_ROOT();
    TempDir tmp("kscope-agent-reload");
    const std::string& dir = tmp.path();
    const std::string prog = true_named(dir, "ksagent_true");
    const std::string first = kExecOnly + "  dns: false\n  tcp: true\n";
    Agent a(first, dir);
    ASSERT_TRUE(a.ready()) << a.process().stderr_text();
    std::string metrics;
    ASSERT_EQ(a.get("/metrics", metrics), 200);
    EXPECT_NE(metrics.find("kscope_probe_up{probe=\"tcp\"} 1"), std::string::npos);
    EXPECT_EQ(metrics.find("kscope_probe_up{probe=\"dns\"}"), std::string::npos);

    // Execs keep coming from another thread while the agent reloads twice.
    std::atomic<bool> done{false};
    std::atomic<int> runs{0};
    std::thread load([&] {
        while (!done)
            if (wait_child(run_exec(prog, {prog, "run", std::to_string(runs++)})) != 0)
                break;
    });
    usleep(200'000);
    std::ofstream(dir + "/agent.yaml") << kExecOnly + "  dns: true\n  tcp: false\n";
    kill(a.process().pid(), SIGHUP);
    bool switched = false;
    for (int i = 0; i < 50 && !switched; i++) {
        usleep(100'000);
        a.get("/metrics", metrics);
        switched = metrics.find("kscope_probe_up{probe=\"dns\"} 1") != std::string::npos;
    }
    EXPECT_TRUE(switched) << metrics;
    EXPECT_EQ(metrics.find("kscope_probe_up{probe=\"tcp\"}"), std::string::npos);
    // A broken file: refused, the running configuration stays.
    std::ofstream(dir + "/agent.yaml") << "probes:\n  dns: maybe\n";
    kill(a.process().pid(), SIGHUP);
    usleep(500'000);
    done = true;
    load.join();
    ASSERT_EQ(a.get("/metrics", metrics), 200);
    EXPECT_NE(metrics.find("kscope_probe_up{probe=\"dns\"} 1"), std::string::npos);
    const int total = runs.load();
    auto rows = wait_events(a, "type=exec&comm=ksagent_true&limit=10000", size_t(total));
    EXPECT_EQ(rows.size(), size_t(total));
    for (size_t i = 0; i < rows.size(); i++)
        EXPECT_EQ(rows[i]["argv"][2], std::to_string(i));
    // The exec probe stayed on: its counter counts across the reloads.
    ASSERT_EQ(a.get("/metrics", metrics), 200);
    EXPECT_NE(metrics.find("kscope_events_total{probe=\"exec\"} " + std::to_string(total) + "\n"), std::string::npos)
        << metrics.substr(metrics.find("kscope_events_total{probe=\"exec\"}"), 60);
    a.process().stop(SIGTERM);
    EXPECT_NE(a.process().stderr_text().find("reload refused"), std::string::npos) << a.process().stderr_text();
}

}  // namespace
}  // namespace kscope::test

namespace kscope::test {
namespace {

// probes.exec.sample: 4 sends about one exec in four and counts the rest; logs as JSON.
TEST(Agent, SamplingIsCountedAndLogsCanBeJson) {
    REQUIRE_ROOT();
    TempDir tmp("kscope-agent-sample");
    const std::string& dir = tmp.path();
    const std::string prog = true_named(dir, "ksagent_true");
    Agent a("probes:\n  exec:\n    comms: [ksagent_true]\n    sample: 4\nlog:\n  format: json\n", dir);
    ASSERT_TRUE(a.ready()) << a.process().stderr_text();
    constexpr int kRuns = 200;
    exec_times(prog, kRuns);
    usleep(500'000);
    const int sampled_out = int(a.metric("kscope_events_sampled_out_total{probe=\"exec\"}"));
    ASSERT_GE(sampled_out, 0);
    auto rows = wait_events(a, "type=exec&comm=ksagent_true&limit=10000", size_t(kRuns - sampled_out));
    EXPECT_EQ(int(rows.size()) + sampled_out, kRuns);
    EXPECT_GT(rows.size(), 20u);   // ~50 expected
    EXPECT_LT(rows.size(), 100u);
    a.process().stop(SIGTERM);
    std::istringstream log(a.process().stderr_text());
    int lines = 0;
    for (std::string line; std::getline(log, line); lines++) {
        auto j = nlohmann::json::parse(line, nullptr, false);
        ASSERT_FALSE(j.is_discarded()) << line;
        EXPECT_TRUE(j.contains("ts") && j.contains("level") && j.contains("msg")) << line;
    }
    EXPECT_GT(lines, 3);
}

}  // namespace
}  // namespace kscope::test

namespace kscope::test {
namespace {

// Live-stream clients are capped (each holds a server thread); /metrics stays served.
TEST(Agent, StreamClientsAreCappedAndMetricsStayServed) {
    REQUIRE_ROOT();
    Agent a;
    ASSERT_TRUE(a.ready()) << a.process().stderr_text();
    // Each client reads until told to leave, 60 s at most whatever keepalives come.
    std::vector<std::unique_ptr<StreamReader>> clients;
    for (int i = 0; i < 16; i++)
        clients.push_back(std::make_unique<StreamReader>(
            a.port(), "/api/v1/stream?type=exec&comm=ks_no_such_comm", [](const std::string&) { return false; }, std::chrono::seconds(60)));
    std::string metrics;
    ASSERT_TRUE(wait_metrics_text(a, "\nkscope_stream_clients 16\n", std::chrono::seconds(20), metrics))
        << metrics.substr(0, std::min<size_t>(metrics.size(), 2000));
    std::string body;
    EXPECT_EQ(a.get("/api/v1/stream", body), 503);
    EXPECT_NE(body.find("live-stream clients"), std::string::npos);
    EXPECT_EQ(a.get("/healthz", body), 200);
    // Each client leaves at its next keepalive (one a second): well before its deadline.
    for (auto& c : clients)
        c->leave();
    for (auto& c : clients) {
        c->finish();
        EXPECT_FALSE(c->timed_out()) << "a client had to be cut off at its deadline";
    }
    EXPECT_TRUE(wait_metrics_text(a, "\nkscope_stream_clients 0\n", std::chrono::seconds(10), metrics));
    a.process().stop(SIGTERM);
}

}  // namespace
}  // namespace kscope::test
