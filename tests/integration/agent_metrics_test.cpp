// The values of the agent's in-kernel metric families after a known workload, as deltas
// over the workload. Where the probe can be narrowed to the workload (syscalls and file
// I/O by comm, DNS by a server port nobody else uses) the delta is exact; the TCP
// counters count every connection on the host, so they must rise by at least the
// workload (and by the connections the test's own /metrics requests make).
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <functional>
#include <map>

#include "agent_harness.h"
#include "dns_server.h"
#include "events/dns_message.h"
#include "netns.h"
#include "wait_util.h"

namespace kscope::test {
namespace {

using namespace std::chrono_literals;

const std::string kOnly = "probes:\n  exec: false\n  exit: false\n  open: false\n  drops: false\n";

// A sample's value; absent counts as 0 (a labelled series appears with its first count).
double value(const Agent& a, const std::string& series) {
    const double v = a.metric(series);
    return v < 0 ? 0 : v;
}

// Runs fn in a child named comm; true if it exited 0.
bool run_named(const char* comm, const std::function<bool()>& fn) {
    pid_t child = spawn([&] {
        prctl(PR_SET_NAME, comm);
        _exit(fn() ? 0 : 1);
    });
    return wait_child(child) == 0;
}

TEST(AgentMetrics, SyscallErrorsCountEveryFailedOpenatByErrno) {
    REQUIRE_ROOT();
    TempDir tmp("kscope-metrics-sys");
    const std::string file = tmp.path() + "/file";
    std::ofstream(file) << "x";
    const std::string through_file = file + "/x";
    Agent a(kOnly + "  tcp: false\n  dns: false\n  filetop: false\n  syscalls:\n    comms: [ksm_sys]\n");
    ASSERT_TRUE(a.ready()) << a.process().stderr_text();
    const std::string enoent = "kscope_syscall_errors_total{syscall=\"openat\",errno=\"ENOENT\"}";
    const std::string enotdir_series = "kscope_syscall_errors_total{syscall=\"openat\",errno=\"ENOTDIR\"}";
    const std::string calls = "kscope_syscalls_total{syscall=\"openat\"}";
    const double enoent0 = value(a, enoent), enotdir0 = value(a, enotdir_series), calls0 = value(a, calls);

    constexpr int kMissing = 37, kNotDir = 5;
    ASSERT_TRUE(run_named("ksm_sys", [&] {
        for (int i = 0; i < kMissing; i++)
            if (open("/nonexistent-kscope-metrics/x", O_RDONLY) != -1 || errno != ENOENT)
                return false;
        for (int i = 0; i < kNotDir; i++)  // a path through a regular file
            if (open(through_file.c_str(), O_RDONLY) != -1 || errno != ENOTDIR)
                return false;
        int fd = open("/dev/null", O_RDONLY);  // one that works
        return fd >= 0 && close(fd) == 0;
    }));
    // Counted at syscall exit, before the child was reaped: exact now.
    EXPECT_EQ(value(a, enoent) - enoent0, kMissing);
    EXPECT_EQ(value(a, enotdir_series) - enotdir0, kNotDir);
    EXPECT_EQ(value(a, calls) - calls0, kMissing + kNotDir + 1);
    a.process().stop(SIGTERM);
}

TEST(AgentMetrics, FileIoBytesAndOperationsOfARegularFile) {
    REQUIRE_ROOT();
    TempDir tmp("kscope-metrics-io");
    const std::string path = tmp.path() + "/data";
    Agent a(kOnly + "  tcp: false\n  dns: false\n  syscalls: false\n  filetop:\n    comms: [ksm_io]\n");
    ASSERT_TRUE(a.ready()) << a.process().stderr_text();
    auto series = [](const char* what, const char* op) {
        return std::string("kscope_file_io_") + what + "_total{file_type=\"regular\",op=\"" + op + "\"}";
    };
    const double wb0 = value(a, series("bytes", "write")), wo0 = value(a, series("operations", "write"));
    const double rb0 = value(a, series("bytes", "read")), ro0 = value(a, series("operations", "read"));

    constexpr size_t kChunk = 4096, kChunks = 25, kTail = 123;
    constexpr size_t kBytes = kChunk * kChunks + kTail;
    ASSERT_TRUE(run_named("ksm_io", [&] {
        std::vector<char> buf(kChunk, 'k');
        int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
        if (fd < 0)
            return false;
        for (size_t i = 0; i < kChunks; i++)
            if (write(fd, buf.data(), kChunk) != ssize_t(kChunk))
                return false;
        if (write(fd, buf.data(), kTail) != ssize_t(kTail) || lseek(fd, 0, SEEK_SET) != 0)
            return false;
        // Read it back in 3 calls of known sizes (no read at end of file).
        std::vector<char> in(kBytes);
        return read(fd, in.data(), 100'000) == 100'000 && read(fd, in.data(), 2'000) == 2'000 &&
               read(fd, in.data(), kBytes - 102'000) == ssize_t(kBytes - 102'000) && close(fd) == 0;
    }));
    EXPECT_EQ(value(a, series("bytes", "write")) - wb0, double(kBytes));
    EXPECT_EQ(value(a, series("operations", "write")) - wo0, double(kChunks + 1));
    EXPECT_EQ(value(a, series("bytes", "read")) - rb0, double(kBytes));
    EXPECT_EQ(value(a, series("operations", "read")) - ro0, 3);
    a.process().stop(SIGTERM);
}

TEST(AgentMetrics, DnsQueriesAndResponsesByRcodeOnItsOwnPort) {
    REQUIRE_ROOT();
    constexpr uint16_t kPort = 5392;  // only this test's server listens on it
    NetnsPair net(45);
    ASSERT_TRUE(net.ok());
    DnsServer server(net, kPort);  // before the agent: its readiness queries are not counted
    ASSERT_TRUE(server.ready()) << "dnsmasq did not answer on port " << kPort;
    Agent a(kOnly + "  tcp: false\n  syscalls: false\n  filetop: false\n  dns:\n    ports: [" +
            std::to_string(kPort) + "]\n");
    ASSERT_TRUE(a.ready()) << a.process().stderr_text();
    const std::string queries = "kscope_dns_queries_total";
    const std::string noerror = "kscope_dns_responses_total{rcode=\"NOERROR\"}";
    const std::string nxdomain = "kscope_dns_responses_total{rcode=\"NXDOMAIN\"}";
    const std::string latency = "kscope_dns_latency_seconds_count";
    const double q0 = value(a, queries), ok0 = value(a, noerror), nx0 = value(a, nxdomain), l0 = value(a, latency);

    constexpr int kFound = 6, kMissing = 4;
    pid_t client = spawn([&] {
        if (!net.enter_b())
            _exit(1);
        for (int i = 0; i < kFound; i++)
            if (!ask_dns_udp(AF_INET, net.addr_a(), kPort, encode_dns_query(uint16_t(100 + i), "web.kscope.test", 1)))
                _exit(2);
        for (int i = 0; i < kMissing; i++)
            if (!ask_dns_udp(AF_INET6, net.addr6_a(), kPort, encode_dns_query(uint16_t(200 + i), "nope.kscope.test", 1)))
                _exit(3);
        _exit(0);
    });
    ASSERT_EQ(wait_child(client), 0);
    // Counted by the packet programs as each packet passed, before the client saw it.
    EXPECT_EQ(value(a, queries) - q0, kFound + kMissing);
    EXPECT_EQ(value(a, noerror) - ok0, kFound);
    EXPECT_EQ(value(a, nxdomain) - nx0, kMissing);
    EXPECT_EQ(value(a, latency) - l0, kFound + kMissing);  // every answer matched its query
    a.process().stop(SIGTERM);
}

// Server in namespace a accepting n connections one after another; each client sends a
// byte and closes.
bool tcp_workload(const NetnsPair& net, uint16_t port, int n, int refused_port, int refused) {
    int ready[2];
    if (pipe(ready) != 0)
        return false;
    pid_t server = spawn([&] {
        if (!net.enter_a())
            _exit(10);
        int ls = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        inet_pton(AF_INET, net.addr_a().c_str(), &sa.sin_addr);
        if (bind(ls, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || listen(ls, n) != 0 ||
            write(ready[1], "r", 1) != 1)
            _exit(11);
        for (int i = 0; i < n; i++) {
            int c = accept(ls, nullptr, nullptr);
            char b;
            if (c < 0 || read(c, &b, 1) != 1 || read(c, &b, 1) != 0)
                _exit(12);
            close(c);
        }
        _exit(0);
    });
    char b;
    if (read(ready[0], &b, 1) != 1)
        return false;
    pid_t client = spawn([&] {
        if (!net.enter_b())
            _exit(20);
        auto connect_to = [&](int p) {
            int fd = socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in sa{};
            sa.sin_family = AF_INET;
            sa.sin_port = htons(uint16_t(p));
            inet_pton(AF_INET, net.addr_a().c_str(), &sa.sin_addr);
            if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
                close(fd);
                return -1;
            }
            return fd;
        };
        for (int i = 0; i < n; i++) {
            int fd = connect_to(port);
            if (fd < 0 || write(fd, "x", 1) != 1)
                _exit(21);
            close(fd);
        }
        for (int i = 0; i < refused; i++)
            if (connect_to(refused_port) >= 0 || errno != ECONNREFUSED)
                _exit(22);
        _exit(0);
    });
    const bool ok = wait_child(client) == 0;
    return wait_child(server) == 0 && ok;
}

TEST(AgentMetrics, TcpConnectionsOpenedAcceptedClosedAndFailed) {
    REQUIRE_ROOT();
    NetnsPair net(46);
    ASSERT_TRUE(net.ok());
    Agent a(kOnly + "  dns: false\n  syscalls: false\n  filetop: false\n  tcp: true\n");
    ASSERT_TRUE(a.ready()) << a.process().stderr_text();
    // Each read of /metrics is a loopback connection of its own, counted too: the
    // expected rise includes them, so the workload's own connections must be there.
    int gets = 0;
    auto read_all = [&] {
        std::string body;
        gets++;
        EXPECT_EQ(a.get("/metrics", body), 200);
        std::map<std::string, double> v;
        for (const char* name : {"kscope_tcp_connections_opened_total", "kscope_tcp_connections_accepted_total",
                                 "kscope_tcp_connections_closed_total", "kscope_tcp_connections_failed_total",
                                 "kscope_tcp_connect_latency_seconds_count"}) {
            auto at = body.find(std::string("\n") + name + " ");
            v[name] = at == std::string::npos ? -1 : std::stod(body.substr(at + strlen(name) + 2));
        }
        return v;
    };
    const auto before = read_all();
    gets = 0;
    constexpr int kConnections = 12, kRefused = 3;
    ASSERT_TRUE(tcp_workload(net, 57046, kConnections, 57047, kRefused));

    std::map<std::string, double> after;
    const bool risen = eventually([&] {
        after = read_all();
        auto delta = [&](const char* n) { return after[n] - before.at(n); };
        // Opened and accepted: the workload's and each /metrics read so far (the current
        // one included: it is established while it is served). Closed: both ends of each
        // workload connection and of the reads before this one.
        return delta("kscope_tcp_connections_opened_total") >= kConnections + gets &&
               delta("kscope_tcp_connections_accepted_total") >= kConnections + gets &&
               delta("kscope_tcp_connections_closed_total") >= 2 * kConnections + 2 * (gets - 1) &&
               delta("kscope_tcp_connections_failed_total") >= kRefused &&
               delta("kscope_tcp_connect_latency_seconds_count") >= kConnections + gets;
    }, 10s, 100ms);
    EXPECT_TRUE(risen);
    for (const auto& [name, v] : after)
        EXPECT_GE(v - before.at(name), 0) << name;
    EXPECT_GE(after["kscope_tcp_connections_opened_total"] - before.at("kscope_tcp_connections_opened_total"),
              kConnections + gets);
    EXPECT_GE(after["kscope_tcp_connections_accepted_total"] - before.at("kscope_tcp_connections_accepted_total"),
              kConnections + gets);
    EXPECT_GE(after["kscope_tcp_connections_closed_total"] - before.at("kscope_tcp_connections_closed_total"),
              2 * kConnections + 2 * (gets - 1));
    EXPECT_GE(after["kscope_tcp_connections_failed_total"] - before.at("kscope_tcp_connections_failed_total"),
              kRefused);
    a.process().stop(SIGTERM);
}

}  // namespace
}  // namespace kscope::test
