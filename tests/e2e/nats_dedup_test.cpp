// NATS de-duplication after a lost acknowledgement, for real: the agent's NATS exporter
// talks to Debian's nats-server (JetStream) through a TCP proxy in the test. The proxy
// forwards the first event's publish, lets the server store it and answer, then throws
// the answer (the acknowledgement) away and cuts the connection. The exporter cannot know
// the event was stored, so it sends it again on a new connection with the same
// Nats-Msg-Id; the server discards the copy: the stream holds every event exactly once.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "agent_harness.h"
#include "servers.h"

namespace kscope::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kNatsServer = "/usr/sbin/nats-server";

// A TCP proxy from a loopback port to upstream_port. On the first connection that
// publishes to subject_prefix, the server's next message to the client (the publish
// acknowledgement) is dropped and both sides are closed; everything else passes. The
// Nats-Msg-Id of every publish is recorded, per connection.
class AckDroppingProxy {
public:
    AckDroppingProxy(uint16_t upstream_port, std::string subject_prefix)
        : upstream_(upstream_port), prefix_(std::move(subject_prefix)) {
        listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || listen(listen_fd_, 8) != 0)
            return;
        socklen_t len = sizeof sa;
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&sa), &len);
        port_ = ntohs(sa.sin_port);
        acceptor_ = std::thread([this] { accept_loop(); });
    }
    ~AckDroppingProxy() {
        stopping_ = true;
        shutdown(listen_fd_, SHUT_RDWR);
        if (acceptor_.joinable())
            acceptor_.join();
        for (auto& t : pipes_)
            t.join();
        close(listen_fd_);
    }
    uint16_t port() const { return port_; }
    bool dropped_an_ack() const { return dropped_; }
    // Msg-ids published, as (connection number, id), in order.
    std::vector<std::pair<int, std::string>> published() {
        std::lock_guard lock(mu_);
        return published_;
    }
    std::string dropped_id() {
        std::lock_guard lock(mu_);
        return dropped_id_;
    }

private:
    void accept_loop() {
        for (int n = 0; !stopping_; n++) {
            int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0)
                return;
            int server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            sockaddr_in sa{};
            sa.sin_family = AF_INET;
            sa.sin_port = htons(upstream_);
            sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            if (connect(server, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
                close(client);
                close(server);
                continue;
            }
            pipes_.emplace_back([this, client, server, n] { pipe_loop(client, server, n); });
        }
    }

    // Publishes found in the client's bytes so far: their msg-ids; the rest stays in buf.
    void scan_publishes(std::string& buf, int conn, bool& published_ours) {
        for (size_t at; (at = buf.find("HPUB ")) != std::string::npos;) {
            const size_t end = buf.find("\r\n\r\n", at);  // the end of the headers
            if (end == std::string::npos)
                return;
            const std::string frame = buf.substr(at, end - at);
            buf.erase(0, end + 4);
            if (frame.compare(5, prefix_.size(), prefix_) != 0)
                continue;
            published_ours = true;
            const std::string key = "Nats-Msg-Id: ";
            const size_t id_at = frame.find(key);
            std::string id = id_at == std::string::npos ? "" : frame.substr(id_at + key.size());
            id = id.substr(0, id.find("\r\n"));
            std::lock_guard lock(mu_);
            published_.emplace_back(conn, id);
            last_id_ = id;
        }
    }

    void pipe_loop(int client, int server, int conn) {
        std::string from_client;
        bool published_ours = false;
        char buf[65536];
        while (!stopping_) {
            pollfd p[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
            if (poll(p, 2, 200) <= 0)
                continue;
            if (p[0].revents) {
                const ssize_t n = read(client, buf, sizeof buf);
                if (n <= 0 || write(server, buf, size_t(n)) != n)
                    break;
                from_client.append(buf, size_t(n));
                scan_publishes(from_client, conn, published_ours);
            }
            if (p[1].revents) {
                const ssize_t n = read(server, buf, sizeof buf);
                if (n <= 0)
                    break;
                const std::string data(buf, size_t(n));
                // The first answer to one of our publishes: stored by the server, never
                // seen by the client.
                if (published_ours && !dropped_.exchange(true)) {
                    if (data.find("MSG ") == std::string::npos) {
                        dropped_ = false;  // not the acknowledgement yet
                    } else {
                        std::lock_guard lock(mu_);
                        dropped_id_ = last_id_;
                        break;
                    }
                }
                if (write(client, buf, size_t(n)) != n)
                    break;
            }
        }
        close(client);
        close(server);
    }

    uint16_t upstream_, port_ = 0;
    std::string prefix_;
    int listen_fd_ = -1;
    std::atomic<bool> stopping_{false}, dropped_{false};
    std::thread acceptor_;
    std::vector<std::thread> pipes_;
    std::mutex mu_;
    std::vector<std::pair<int, std::string>> published_;
    std::string last_id_, dropped_id_;
};

TEST(NatsDedup, AResendAfterALostAcknowledgementIsStoredOnce) {
    REQUIRE_ROOT();
    ASSERT_TRUE(std::filesystem::exists(kNatsServer)) << "nats-server missing: scripts/bootstrap installs it";
    TempDir tmp("kscope-e2e-nats-dedup");
    const std::string& dir = tmp.path();
    const uint16_t port = free_port();
    ServerProcess nats("nats", {kNatsServer, "-js", "-a", "127.0.0.1", "-p", std::to_string(port), "-sd",
                                dir + "/jetstream"},
                       dir);
    ASSERT_TRUE(wait_tcp_open(port, 20)) << nats.log();
    AckDroppingProxy proxy(port, "kscope.events.");
    ASSERT_GT(proxy.port(), 0);

    Agent agent("probes:\n  exec:\n    comms: [kse2e_dedup]\n  exit: false\n  tcp: false\n  drops: false\n"
                "  dns: false\n  syscalls: false\n  filetop: false\n  privilege: false\n  namespaces: false\n  filechange: false\n  socket: false\nexporters:\n  nats:\n    url: nats://127.0.0.1:" +
                std::to_string(proxy.port()) + "\n");
    ASSERT_TRUE(agent.ready()) << agent.process().stderr_text();
    const std::string prog = true_named(dir, "kse2e_dedup");
    constexpr int kRuns = 10;
    for (int i = 0; i < kRuns; i++)
        ASSERT_EQ(wait_child(run_exec(prog, {prog, "run", std::to_string(i)})), 0);

    const std::string sent = "kscope_exporter_sent_total{exporter=\"nats\"}";
    ASSERT_TRUE(agent.wait_metric(sent, kRuns, 30)) << agent.metric(sent) << agent.process().stderr_text();
    ASSERT_TRUE(proxy.dropped_an_ack()) << "the proxy saw no acknowledgement to drop";
    EXPECT_GE(agent.metric("kscope_exporter_failures_total{exporter=\"nats\"}"), 1);
    EXPECT_EQ(agent.metric("kscope_exporter_dropped_total{exporter=\"nats\"}"), 0);

    // The message whose acknowledgement was lost went out again, with the same id, on a
    // later connection.
    const std::string lost = proxy.dropped_id();
    ASSERT_FALSE(lost.empty());
    std::vector<int> connections;
    for (const auto& [conn, id] : proxy.published())
        if (id == lost)
            connections.push_back(conn);
    ASSERT_GE(connections.size(), 2u) << "msg-id " << lost << " published " << connections.size() << " times";
    EXPECT_LT(connections[0], connections[1]);

    // The server kept one copy of each event.
    uint64_t messages = 0;
    auto seen = nats_stream_runs(port, &messages);
    EXPECT_EQ(messages, uint64_t(kRuns));
    EXPECT_EQ(seen.size(), size_t(kRuns));
    for (int i = 0; i < kRuns; i++)
        EXPECT_EQ(seen[i], 1) << "run " << i;
    agent.process().stop(SIGTERM);
}

}  // namespace
}  // namespace kscope::test
