// The agent's HTTP side as a user meets it: a taken address or an unusable data
// directory fails fast, before any probe attaches; every error has a JSON body; live
// streams end with a message when the agent stops; idle and slow clients starve nobody;
// malformed requests get 4xx.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "agent_harness.h"

namespace kscope::test {
namespace {

const std::string kQuiet = "probes:\n  exec:\n    comms: [ks_http_none]\n";

// A second agent on a taken address exits 1, and attaches nothing first.
TEST(AgentHttp, TakenAddressIsAnError) {
    REQUIRE_ROOT();
    Agent first(kQuiet);
    ASSERT_TRUE(first.ready()) << first.process().stderr_text();
    TempDir dir("kscope-agent-second");
    const auto t0 = std::chrono::steady_clock::now();
    Kscope second({"agent", "--listen", "127.0.0.1:" + std::to_string(first.port()), "--data-dir", dir.path()}, false,
                  {}, "cannot listen");
    int status = second.wait_exit(std::chrono::seconds(20));
    ASSERT_NE(status, -1) << "the second agent kept running on a taken address";
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << status;
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
    EXPECT_NE(second.stderr_text().find("cannot listen on 127.0.0.1:" + std::to_string(first.port())),
              std::string::npos)
        << second.stderr_text();
    EXPECT_EQ(second.stderr_text().find("probe exec running"), std::string::npos) << second.stderr_text();
    // The first one still answers every scrape.
    for (int i = 0; i < 5; i++) {
        std::string body;
        EXPECT_EQ(first.get("/healthz", body), 200);
    }
}

TEST(AgentHttp, DataDirThatCannotBeCreatedFailsBeforeProbes) {
    REQUIRE_ROOT();
    Kscope k({"agent", "--listen", "127.0.0.1:0", "--data-dir", "/proc/kscope-cannot-exist"}, false, {},
             "kscope-cannot-exist");
    int status = k.wait_exit(std::chrono::seconds(20));
    ASSERT_NE(status, -1);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << status;
    EXPECT_NE(k.stderr_text().find("/proc/kscope-cannot-exist"), std::string::npos) << k.stderr_text();
    EXPECT_EQ(k.stderr_text().find("running"), std::string::npos) << k.stderr_text();
}

// The kernel's backlog for the listening socket: ss shows it as Send-Q.
TEST(AgentHttp, ListenBacklogIsNotFive) {
    REQUIRE_ROOT();
    Agent a(kQuiet);
    ASSERT_TRUE(a.ready()) << a.process().stderr_text();
    std::string cmd = "ss -Hltn 'sport = :" + std::to_string(a.port()) + "'";
    FILE* p = popen(cmd.c_str(), "r");
    std::array<char, 512> line{};
    ASSERT_NE(fgets(line.data(), line.size(), p), nullptr);
    pclose(p);
    char state[32];
    unsigned recv_q = 0, send_q = 0;
    ASSERT_EQ(sscanf(line.data(), "%31s %u %u", state, &recv_q, &send_q), 3) << line.data();
    EXPECT_EQ(send_q, 511u) << line.data();
}

std::string json_error(const std::string& body) {
    auto j = nlohmann::json::parse(body, nullptr, false);
    EXPECT_TRUE(j.is_object() && j.contains("error")) << body;
    return j.is_object() ? j.value("error", std::string()) : std::string();
}

TEST(AgentHttp, EveryErrorHasAJsonBody) {
    REQUIRE_ROOT();
    Agent a(kQuiet);
    ASSERT_TRUE(a.ready()) << a.process().stderr_text();
    std::string body;
    EXPECT_EQ(a.get("/no/such/path", body), 404);
    EXPECT_EQ(json_error(body), "GET /no/such/path: no such endpoint");
    EXPECT_EQ(a.get("/api/v1/events?type=bogus", body), 400);
    EXPECT_NE(json_error(body).find("'bogus' is not an event type (exec, exit, open"), std::string::npos) << body;
    EXPECT_EQ(a.get("/api/v1/events?since=2000&until=1000", body), 400);
    EXPECT_EQ(json_error(body), "parameter since (2000) is later than until (1000)");
    EXPECT_EQ(a.get("/api/v1/events?since=1000&until=2000", body), 200);
    EXPECT_EQ(body, "[\n]\n");
    EXPECT_EQ(a.get("/api/v1/alerts/test", body), 405);
    EXPECT_EQ(json_error(body), "GET /api/v1/alerts/test: method not allowed (use POST)");

    httplib::Client c("127.0.0.1", a.port());
    auto res = c.Post("/metrics", "x", "text/plain");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 405);
    EXPECT_EQ(res->get_header_value("Allow"), "GET");
    EXPECT_EQ(json_error(res->body), "POST /metrics: method not allowed (use GET)");
}

// A raw TCP connection to the agent, for what an HTTP client library would not send.
int connect_to(uint16_t port) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

// The status of the answer to raw request bytes (0: none).
int raw_status(uint16_t port, const std::string& request) {
    const int fd = connect_to(port);
    if (fd < 0)
        return -1;
    timeval tv{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    // No half-close: cpp-httplib drops a request whose client already sent its FIN.
    (void)!send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    char buf[32] = {};
    size_t got = 0;
    while (got < 12) {
        const ssize_t n = recv(fd, buf + got, sizeof buf - 1 - got, 0);
        if (n <= 0)
            break;
        got += size_t(n);
    }
    close(fd);
    return got >= 12 && std::string(buf, 7) == "HTTP/1." ? std::atoi(buf + 9) : 0;
}

// Hundreds of clients that connect and say nothing, and a hundred that trickle a request
// header a byte at a time, do not keep /healthz or /metrics from answering within a second.
TEST(AgentHttp, IdleAndSlowClientsDoNotStarveHealthzAndMetrics) {
    REQUIRE_ROOT();
    Agent a(kQuiet);
    ASSERT_TRUE(a.ready()) << a.process().stderr_text();
    std::vector<int> idle, slow;
    for (int i = 0; i < 300; i++)
        if (int fd = connect_to(a.port()); fd >= 0)
            idle.push_back(fd);
    for (int i = 0; i < 100; i++)
        if (int fd = connect_to(a.port()); fd >= 0) {
            const std::string start = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ";
            (void)!send(fd, start.data(), start.size(), MSG_NOSIGNAL);
            slow.push_back(fd);
        }
    ASSERT_EQ(idle.size(), 300u);
    ASSERT_EQ(slow.size(), 100u);
    for (int round = 0; round < 4; round++) {
        for (int fd : slow)
            (void)!send(fd, "a", 1, MSG_NOSIGNAL);  // alive, never done
        for (const char* path : {"/healthz", "/metrics"}) {
            httplib::Client c("127.0.0.1", a.port());
            c.set_read_timeout(5, 0);
            const auto start = std::chrono::steady_clock::now();
            auto res = c.Get(path);
            const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            ASSERT_TRUE(res) << path;
            EXPECT_EQ(res->status, 200) << path;
            EXPECT_LT(took, 1.0) << path << " with 300 idle and 100 slow clients";
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(700));
    }
    for (int fd : idle)
        close(fd);
    for (int fd : slow)
        close(fd);
}

// Malformed or oversized requests get a 4xx, never a 5xx.
TEST(AgentHttp, MalformedRequestsGet4xx) {
    REQUIRE_ROOT();
    Agent a(kQuiet);
    ASSERT_TRUE(a.ready()) << a.process().stderr_text();
    const uint16_t p = a.port();
    EXPECT_EQ(raw_status(p, "BLAH\r\n\r\n"), 400);
    EXPECT_EQ(raw_status(p, "GET /metrics HTTP/9.9\r\n\r\n") / 100, 4);
    EXPECT_EQ(raw_status(p, "GET /" + std::string(10000, 'a') + " HTTP/1.1\r\n\r\n"), 414);
    EXPECT_EQ(raw_status(p, "GET /metrics HTTP/1.1\r\nX: " + std::string(9000, 'b') + "\r\n\r\n") / 100, 4);
    EXPECT_EQ(raw_status(p, "POST /api/v1/alerts/test HTTP/1.1\r\nContent-Length: 70000\r\n\r\n" +
                                std::string(70000, 'c')),
              413);
    EXPECT_EQ(raw_status(p, "GET /api/v1/events?limit=%zz HTTP/1.1\r\n\r\n") / 100, 4);
    EXPECT_EQ(raw_status(p, "GET /api/v1/events?pid=-1 HTTP/1.1\r\n\r\n"), 400);
    EXPECT_EQ(raw_status(p, "GET /api/v1/stream?max_rate=x HTTP/1.1\r\n\r\n"), 400);
    EXPECT_EQ(raw_status(p, "GET /api/v1/probes?x=1 HTTP/1.1\r\n\r\n"), 400);
    // And the server is still there.
    EXPECT_EQ(raw_status(p, "GET /healthz HTTP/1.1\r\n\r\n"), 200);
}

// A client of /api/v1/stream gets an end event and a properly ended body on SIGTERM.
TEST(AgentHttp, LiveStreamEndsCleanlyWhenTheAgentStops) {
    REQUIRE_ROOT();
    Agent a(kQuiet);
    ASSERT_TRUE(a.ready()) << a.process().stderr_text();
    std::string received;
    std::atomic<bool> done{false};
    bool complete = false;
    std::thread client([&] {
        httplib::Client c("127.0.0.1", a.port());
        c.set_read_timeout(20, 0);
        auto res = c.Get("/api/v1/stream?type=exec", [&](const char* data, size_t n) {
            received.append(data, n);
            return true;
        });
        complete = res && res->status == 200;
        done = true;
    });
    ASSERT_TRUE(a.wait_metric("kscope_stream_clients", 1, 10)) << "the stream client never subscribed";
    const auto t0 = std::chrono::steady_clock::now();
    int status = a.process().stop(SIGTERM);
    client.join();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(8));
    EXPECT_TRUE(complete) << "the stream was cut instead of ended";
    EXPECT_NE(received.find("event: end\ndata: {\"reason\":\"agent stopping\"}\n\n"), std::string::npos) << received;
}

TEST(AgentHttp, SighupWithoutConfigChangesNothingAndSaysSo) {
    REQUIRE_ROOT();
    Agent a;  // built-in defaults, no --config
    ASSERT_TRUE(a.ready()) << a.process().stderr_text();
    kill(a.process().pid(), SIGHUP);
    EXPECT_TRUE(a.process().wait_stderr("SIGHUP: nothing to reload, the agent was started without --config",
                                        std::chrono::seconds(10)))
        << a.process().stderr_text();
    std::string body;
    EXPECT_EQ(a.get("/healthz", body), 200);
    EXPECT_EQ(a.process().stderr_text().find("configuration reloaded"), std::string::npos);
}

}  // namespace
}  // namespace kscope::test
