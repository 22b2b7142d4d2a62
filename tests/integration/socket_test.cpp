// kscope socket against the real kernel: real socket/bind/listen calls from a child,
// exact fields.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "harness.h"
#include "probes/socket_probe.h"

namespace kscope::test {
namespace {

const std::string kComm = "kscope-sockets";

// Every event of the child that ran fn under `kscope socket --json -c kComm [extra]`.
std::vector<nlohmann::json> trace(const std::function<void()>& fn, std::vector<std::string> extra = {},
                                  std::vector<std::string> env = {}) {
    std::vector<std::string> args = {"socket", "--json", "-c", kComm};
    args.insert(args.end(), extra.begin(), extra.end());
    Kscope k(args, false, env);
    EXPECT_TRUE(k.ready()) << k.stderr_text();
    pid_t child = spawn([&] {
        std::ofstream("/proc/self/comm") << kComm;
        fn();
    });
    wait_child(child);
    k.stop();
    return events_for(k.json_lines(), "socket", child);
}

std::vector<nlohmann::json> with_syscall(const std::vector<nlohmann::json>& events, const std::string& syscall) {
    std::vector<nlohmann::json> out;
    for (const auto& e : events)
        if (e["syscall"] == syscall)
            out.push_back(e);
    return out;
}

// The child's fds, written to a file for the parent to compare.
struct FdLog {
    TempDir dir{"kscope-socket-test"};
    std::string file = dir.path() + "/fds";
    void write(std::initializer_list<int> fds) const {
        std::ofstream out(file);
        for (int fd : fds)
            out << fd << ' ';
    }
    std::vector<int> read() const {
        std::vector<int> fds;
        std::ifstream in(file);
        for (int fd; in >> fd;)
            fds.push_back(fd);
        return fds;
    }
};

TEST(SocketProbe, PacketSocketIsRaw) {
    REQUIRE_ROOT();
    FdLog log;
    auto events = trace([&] { log.write({socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL))}); });
    auto fds = log.read();
    ASSERT_EQ(fds.size(), 1u);
    ASSERT_GE(fds[0], 0);
    auto s = with_syscall(events, "socket");
    ASSERT_EQ(s.size(), 1u) << nlohmann::json(events).dump();
    EXPECT_EQ(s[0]["family"], "packet");
    EXPECT_EQ(s[0]["sock_type"], "raw");  // SOCK_CLOEXEC masked off
    EXPECT_EQ(s[0]["protocol"], htons(ETH_P_ALL));
    EXPECT_EQ(s[0]["ret"], fds[0]);
    EXPECT_EQ(s[0]["fd"], -1);
    EXPECT_EQ(s[0]["addr"], "");
    EXPECT_EQ(s[0]["error"], "");
    EXPECT_EQ(s[0]["comm"], kComm);
}

TEST(SocketProbe, BindAndListenOnLoopback) {
    REQUIRE_ROOT();
    FdLog log;
    const uint16_t port = free_port();
    auto events = trace([&] {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int bound = bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
        int listening = listen(fd, 7);
        log.write({fd, bound, listening});
    });
    auto fds = log.read();
    ASSERT_EQ(fds.size(), 3u);
    ASSERT_EQ(fds[1], 0) << "bind failed";
    ASSERT_EQ(fds[2], 0) << "listen failed";
    auto s = with_syscall(events, "socket");
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0]["family"], "ipv4");
    EXPECT_EQ(s[0]["sock_type"], "stream");
    EXPECT_EQ(s[0]["ret"], fds[0]);
    auto b = with_syscall(events, "bind");
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(b[0]["family"], "ipv4");
    EXPECT_EQ(b[0]["sock_type"], "stream");
    EXPECT_EQ(b[0]["protocol"], IPPROTO_TCP);
    EXPECT_EQ(b[0]["addr"], "127.0.0.1");
    EXPECT_EQ(b[0]["port"], port);
    EXPECT_EQ(b[0]["fd"], fds[0]);
    EXPECT_EQ(b[0]["ret"], 0);
    auto l = with_syscall(events, "listen");
    ASSERT_EQ(l.size(), 1u);
    EXPECT_EQ(l[0]["family"], "ipv4");
    EXPECT_EQ(l[0]["sock_type"], "stream");
    EXPECT_EQ(l[0]["protocol"], IPPROTO_TCP);
    EXPECT_EQ(l[0]["addr"], "127.0.0.1");
    EXPECT_EQ(l[0]["port"], port);
    EXPECT_EQ(l[0]["backlog"], 7);
    EXPECT_EQ(l[0]["fd"], fds[0]);
    EXPECT_EQ(l[0]["ret"], 0);
}

// listen() without bind() takes an ephemeral port: the event has the one the kernel chose.
TEST(SocketProbe, ListenWithoutBindReportsTheEphemeralPort) {
    REQUIRE_ROOT();
    FdLog log;
    auto events = trace([&] {
        int fd = socket(AF_INET6, SOCK_STREAM, 0);
        listen(fd, 3);
        sockaddr_in6 sa{};
        socklen_t len = sizeof sa;
        getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
        log.write({ntohs(sa.sin6_port)});
    });
    auto port = log.read();
    ASSERT_EQ(port.size(), 1u);
    auto l = with_syscall(events, "listen");
    ASSERT_EQ(l.size(), 1u);
    EXPECT_EQ(l[0]["family"], "ipv6");
    EXPECT_EQ(l[0]["addr"], "::");
    EXPECT_EQ(l[0]["port"], port[0]);
    EXPECT_EQ(l[0]["backlog"], 3);
}

TEST(SocketProbe, UnixSocketBindAndListenPath) {
    REQUIRE_ROOT();
    TempDir dir("kscope-unix");
    const std::string path = dir.path() + "/listener.sock";
    auto events = trace([&] {
        int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
        sockaddr_un sa{};
        sa.sun_family = AF_UNIX;
        std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
        bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
        listen(fd, 1);
    });
    auto b = with_syscall(events, "bind");
    ASSERT_EQ(b.size(), 1u) << nlohmann::json(events).dump();
    EXPECT_EQ(b[0]["family"], "unix");
    EXPECT_EQ(b[0]["sock_type"], "seqpacket");
    EXPECT_EQ(b[0]["addr"], path);
    EXPECT_EQ(b[0]["port"], 0);
    EXPECT_EQ(b[0]["ret"], 0);
    auto l = with_syscall(events, "listen");
    ASSERT_EQ(l.size(), 1u);
    EXPECT_EQ(l[0]["family"], "unix");
    EXPECT_EQ(l[0]["addr"], path);
    EXPECT_EQ(l[0]["backlog"], 1);
}

TEST(SocketProbe, FailedListenAndDashX) {
    REQUIRE_ROOT();
    FdLog log;
    auto events = trace(
        [&] {
            socket(AF_INET, SOCK_DGRAM, 0);
            int fd = open("/dev/null", O_RDONLY);
            log.write({fd});
            listen(fd, 5);  // not a socket: ENOTSOCK
        },
        {"-x"});
    auto fds = log.read();
    ASSERT_EQ(fds.size(), 1u);
    ASSERT_EQ(events.size(), 1u) << nlohmann::json(events).dump();
    EXPECT_EQ(events[0]["syscall"], "listen");
    EXPECT_EQ(events[0]["error"], "ENOTSOCK");
    EXPECT_EQ(events[0]["ret"], -ENOTSOCK);
    EXPECT_EQ(events[0]["fd"], fds[0]);
    EXPECT_EQ(events[0]["family"], "");
}

// Kernels without bpf_task_pt_regs keep the arguments from sys_enter: the same events.
TEST(SocketProbe, EntryProgramsPathGivesTheSameEvents) {
    REQUIRE_ROOT();
    const uint16_t port = free_port();
    auto events = trace(
        [&] {
            int fd = socket(AF_INET, SOCK_DGRAM, 0);
            sockaddr_in sa{};
            sa.sin_family = AF_INET;
            sa.sin_port = htons(port);
            sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
            int tcp = socket(AF_INET, SOCK_STREAM, 0);
            listen(tcp, 4);
        },
        {}, {"KSCOPE_DISABLE_HELPERS=task_pt_regs"});
    auto s = with_syscall(events, "socket");
    ASSERT_EQ(s.size(), 2u) << nlohmann::json(events).dump();
    EXPECT_EQ(s[0]["sock_type"], "dgram");
    auto b = with_syscall(events, "bind");
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(b[0]["addr"], "127.0.0.1");
    EXPECT_EQ(b[0]["port"], port);
    EXPECT_EQ(b[0]["sock_type"], "dgram");
    auto l = with_syscall(events, "listen");
    ASSERT_EQ(l.size(), 1u);
    EXPECT_EQ(l[0]["backlog"], 4);
    EXPECT_EQ(l[0]["addr"], "0.0.0.0");
    EXPECT_NE(l[0]["port"], 0);
}

TEST(SocketProbe, MetricsCountEveryCallWhateverTheFilters) {
    REQUIRE_ROOT();
    SocketProbe probe;
    ProbeOptions options;
    options.filter.pids = {1};
    ASSERT_TRUE(probe.load(options).ok());
    for (const auto& h : probe.attach())
        ASSERT_TRUE(h.attached) << h.hook << ": " << h.error;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    listen(fd, 1);
    close(fd);
    PrometheusText m;
    probe.append_metrics(m);
    probe.detach();
    for (const char* series : {"kscope_socket_events_total{syscall=\"socket\"}",
                               "kscope_socket_events_total{syscall=\"listen\"}"}) {
        auto at = m.text().find("\n" + std::string(series) + " ");
        ASSERT_NE(at, std::string::npos) << series << " in\n" << m.text();
        EXPECT_GE(std::stod(m.text().substr(at + std::strlen(series) + 2)), 1) << series;
    }
    EXPECT_NE(m.text().find("kscope_socket_events_total{syscall=\"bind\"}"), std::string::npos);
}

TEST(SocketCli, TableAndJsonCount) {
    REQUIRE_ROOT();
    auto listener = [] {
        return spawn([] {
            std::ofstream("/proc/self/comm") << kComm;
            int fd = socket(AF_INET, SOCK_STREAM, 0);
            listen(fd, 9);
        });
    };
    Kscope table({"socket", "-c", kComm});
    ASSERT_TRUE(table.ready()) << table.stderr_text();
    pid_t child = listener();
    wait_child(child);
    table.stop();
    std::string out = table.stdout_text();
    auto nl = out.find('\n');
    ASSERT_NE(nl, std::string::npos) << out;
    EXPECT_EQ(out.substr(0, nl), "PCOMM                PID    UID TYPE             DETAILS");
    // The event's own fields, by name.
    EXPECT_NE(out.find(" socket           backlog=0 family=ipv4 fd=-1 port=0 protocol=0 ret="), std::string::npos)
        << out;
    EXPECT_NE(out.find("sock_type=stream syscall=socket\n"), std::string::npos) << out;
    EXPECT_NE(out.find(" socket           addr=0.0.0.0 backlog=9 family=ipv4 fd="), std::string::npos) << out;
    EXPECT_NE(out.find("protocol=6 ret=0 sock_type=stream syscall=listen\n"), std::string::npos) << out;

    Kscope json({"socket", "--json", "-c", kComm, "--count", "2"});
    ASSERT_TRUE(json.ready()) << json.stderr_text();
    child = listener();
    wait_child(child);
    ASSERT_NE(json.wait_exit(std::chrono::seconds(10)), -1) << "kscope did not stop after --count 2";
    auto lines = json.json_lines();
    ASSERT_EQ(lines.size(), 2u) << json.stdout_text();
    EXPECT_EQ(lines[0]["syscall"], "socket");
    EXPECT_EQ(lines[1]["syscall"], "listen");
    EXPECT_EQ(lines[1]["backlog"], 9);
}

}  // namespace
}  // namespace kscope::test
