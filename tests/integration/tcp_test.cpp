// kscope tcp against the real kernel: a server and a client in two network namespaces
// joined by veth exchange a known number of bytes.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>

#include "bpf/bpf_object.h"
#include "harness.h"
#include "netns.h"
#include "probes/probe.h"
#include "xdp_drop.skel.h"

namespace kscope::test {
namespace {

constexpr size_t kClientBytes = 1'000'000;
constexpr size_t kServerBytes = 500'000;

// Server in namespace a on port, client in b (IPv4): the client sends kClientBytes, the
// server answers kServerBytes.
TcpPeers exchange(const NetnsPair& net, uint16_t port) {
    return tcp_exchange(net, AF_INET, net.addr_a(), port, kClientBytes, kServerBytes);
}

TEST(TcpProbe, ConnectAcceptCloseAcrossNamespacesWithExactBytes) {
    REQUIRE_ROOT();
    NetnsPair net(1);
    ASSERT_TRUE(net.ok()) << "could not create network namespaces (ip netns)";
    Kscope k({"tcp", "--json", "--port", "5555", "--stats"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();

    auto [server, client] = exchange(net, 5555);
    usleep(100'000);
    k.stop();
    auto all = k.json_lines();

    const auto* conn = find_event(all, "tcp_connect", client);
    ASSERT_NE(conn, nullptr) << k.stdout_text();
    EXPECT_EQ((*conn)["family"], "ipv4");
    EXPECT_EQ((*conn)["saddr"], net.addr_b());
    EXPECT_EQ((*conn)["daddr"], net.addr_a());
    EXPECT_EQ((*conn)["dport"], 5555);
    EXPECT_EQ((*conn)["ret"], 0);
    EXPECT_EQ((*conn)["error"], "");
    EXPECT_GT((*conn)["latency_ns"].get<uint64_t>(), 0u);
    EXPECT_EQ((*conn)["ppid"], getpid());
    const int client_port = (*conn)["sport"];

    const auto* acc = find_event(all, "tcp_accept", server);
    ASSERT_NE(acc, nullptr) << k.stdout_text();
    EXPECT_EQ((*acc)["saddr"], net.addr_a());
    EXPECT_EQ((*acc)["sport"], 5555);
    EXPECT_EQ((*acc)["daddr"], net.addr_b());
    EXPECT_EQ((*acc)["dport"], client_port);

    const auto* cclose = find_event(all, "tcp_close", client);
    ASSERT_NE(cclose, nullptr) << k.stdout_text();
    EXPECT_EQ((*cclose)["bytes_sent"], kClientBytes);
    EXPECT_EQ((*cclose)["bytes_received"], kServerBytes);
    EXPECT_EQ((*cclose)["closed_by"], "local");
    EXPECT_EQ((*cclose)["sport"], client_port);
    EXPECT_GT((*cclose)["duration_ns"].get<uint64_t>(), 0u);

    const auto* sclose = find_event(all, "tcp_close", server);
    ASSERT_NE(sclose, nullptr) << k.stdout_text();
    EXPECT_EQ((*sclose)["bytes_sent"], kServerBytes);
    EXPECT_EQ((*sclose)["bytes_received"], kClientBytes);
    EXPECT_EQ((*sclose)["closed_by"], "remote");

    // In-kernel counters (for metrics) saw at least this connection on both sides.
    std::string err = k.stderr_text();
    auto at_least_one = [&](const std::string& what) {
        auto pos = err.find(what + " ");
        return pos != std::string::npos && std::stoul(err.substr(pos + what.size() + 1)) >= 1;
    };
    EXPECT_TRUE(at_least_one("opened")) << err;
    EXPECT_TRUE(at_least_one("accepted")) << err;
    EXPECT_TRUE(at_least_one("closed")) << err;
    EXPECT_NE(err.find("connect latency p50"), std::string::npos) << err;
}

TEST(TcpProbe, ConnectToAClosedPortIsRefused) {
    REQUIRE_ROOT();
    NetnsPair net(2);
    ASSERT_TRUE(net.ok());
    Kscope k({"tcp", "--json", "--connect"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t client = spawn([&] {
        if (!net.enter_b())
            _exit(20);
        _exit(tcp_socket(AF_INET, net.addr_a(), 5556, true) < 0 ? 0 : 1);
    });
    EXPECT_EQ(wait_child(client), 0);
    usleep(100'000);
    k.stop();
    const auto all = k.json_lines();
    const auto* conn = find_event(all, "tcp_connect", client);
    ASSERT_NE(conn, nullptr) << k.stdout_text();
    EXPECT_EQ((*conn)["ret"], -ECONNREFUSED);
    EXPECT_EQ((*conn)["error"], "ECONNREFUSED");
    EXPECT_EQ((*conn)["daddr"], net.addr_a());
    EXPECT_EQ((*conn)["dport"], 5556);
    for (const auto& e : all)
        EXPECT_EQ(e["type"], "tcp_connect");  // --connect leaves accepts and closes out
}

// Attaches the test's XDP dropper to namespace a's veth end: the first data segments to
// port are dropped there, so the client in b has to retransmit them. Generic (skb) mode
// works on any device; the program stays attached until the namespace goes.
bool drop_first_segments(const NetnsPair& net, uint16_t port) {
    pid_t child = spawn([&] {
        if (!net.enter_a())
            _exit(1);
        auto obj = BpfObject::open("xdp_drop", skeleton_elf(xdp_drop_bpf__elf_bytes));
        if (!obj || !obj->set_const<uint16_t>("drop_port", port) || !obj->load())
            _exit(2);
        auto fd = obj->program_fd("xdp_drop_some");
        unsigned ifindex = if_nametoindex(net.veth_a().c_str());
        if (!fd || !ifindex || bpf_xdp_attach(ifindex, *fd, XDP_FLAGS_SKB_MODE, nullptr) != 0)
            _exit(3);
        _exit(0);
    });
    return wait_child(child) == 0;
}

TEST(RetransProbe, DroppedSegmentsAreRetransmittedAndReportedWithTheirFlow) {
    REQUIRE_ROOT();
    NetnsPair net(6);
    ASSERT_TRUE(net.ok());
    ASSERT_TRUE(drop_first_segments(net, 5580)) << "could not attach the XDP dropper";
    Kscope k({"retrans", "--json"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    auto [server, client] = exchange(net, 5580);
    usleep(100'000);
    k.stop();
    int retransmits = 0;
    for (const auto& e : k.json_lines()) {
        if (e["type"] != "tcp_retransmit" || e["dport"] != 5580)
            continue;
        retransmits++;
        EXPECT_EQ(e["pid"], client);  // the owner, though retransmits run from a timer
        EXPECT_EQ(e["saddr"], net.addr_b());
        EXPECT_EQ(e["daddr"], net.addr_a());
        EXPECT_EQ(e["family"], "ipv4");
        EXPECT_EQ(e["state"], "ESTABLISHED");
    }
    EXPECT_GE(retransmits, 1) << k.stdout_text();
    (void)server;
}

TEST(RetransProbe, ResetsSentAndReceivedAndTheSummary) {
    REQUIRE_ROOT();
    NetnsPair net(7);
    ASSERT_TRUE(net.ok());
    Kscope events({"retrans", "--json"});
    Kscope summary({"retrans", "--json", "--summary"});
    ASSERT_TRUE(events.ready() && summary.ready()) << events.stderr_text() << summary.stderr_text();
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    pid_t server = spawn([&] {
        if (!net.enter_a())
            _exit(10);
        int ls = tcp_socket(AF_INET, net.addr_a(), 5590, false);
        if (ls < 0 || listen(ls, 1) != 0 || write(ready[1], "r", 1) != 1)
            _exit(11);
        int c = accept(ls, nullptr, nullptr);
        linger abort_on_close{1, 0};  // close() sends a RST instead of a FIN
        setsockopt(c, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
        close(c);
        _exit(0);
    });
    char byte;
    ASSERT_EQ(read(ready[0], &byte, 1), 1);
    pid_t client = spawn([&] {
        if (!net.enter_b())
            _exit(20);
        int fd = tcp_socket(AF_INET, net.addr_a(), 5590, true);
        char buf[16];
        _exit(fd >= 0 && read(fd, buf, sizeof buf) < 0 && errno == ECONNRESET ? 0 : 21);
    });
    EXPECT_EQ(wait_child(server), 0);
    EXPECT_EQ(wait_child(client), 0);
    usleep(100'000);
    events.stop();
    summary.stop();

    auto all = events.json_lines();
    const auto* sent = find_event(all, "tcp_reset_sent", server);
    ASSERT_NE(sent, nullptr) << events.stdout_text();
    EXPECT_EQ((*sent)["saddr"], net.addr_a());
    EXPECT_EQ((*sent)["sport"], 5590);
    const auto* received = find_event(all, "tcp_reset_received", client);
    ASSERT_NE(received, nullptr) << events.stdout_text();
    EXPECT_EQ((*received)["daddr"], net.addr_a());
    EXPECT_EQ((*received)["dport"], 5590);
    EXPECT_EQ((*received)["state"], "ESTABLISHED");

    bool client_row = false;
    for (const auto& r : summary.json_lines()) {
        EXPECT_EQ(r["type"], "tcp_flow_summary");
        if (r["pid"] == client && r["dport"] == 5590) {
            client_row = true;
            EXPECT_EQ(r["resets_received"], 1);
            EXPECT_EQ(r["retransmits"], 0);
        }
    }
    EXPECT_TRUE(client_row) << summary.stdout_text();
}

TEST(TcptopProbe, CountsExactBytesPerProcessAndFlow) {
    REQUIRE_ROOT();
    NetnsPair net(5);
    ASSERT_TRUE(net.ok());
    Kscope k({"tcptop", "--json", "--interval", "0.3", "--top", "0"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    auto [server, client] = exchange(net, 5560);
    usleep(400'000);
    k.stop();
    uint64_t client_tx = 0, client_rx = 0, server_tx = 0, server_rx = 0;
    for (const auto& r : k.json_lines()) {
        EXPECT_EQ(r["type"], "tcp_traffic");
        if (r["pid"] == client) {
            EXPECT_EQ(r["saddr"], net.addr_b());
            EXPECT_EQ(r["daddr"], net.addr_a());
            EXPECT_EQ(r["dport"], 5560);
            client_tx += r["tx_bytes"].get<uint64_t>();
            client_rx += r["rx_bytes"].get<uint64_t>();
        } else if (r["pid"] == server) {
            EXPECT_EQ(r["sport"], 5560);
            server_tx += r["tx_bytes"].get<uint64_t>();
            server_rx += r["rx_bytes"].get<uint64_t>();
        }
    }
    EXPECT_EQ(client_tx, kClientBytes);
    EXPECT_EQ(client_rx, kServerBytes);
    EXPECT_EQ(server_tx, kServerBytes);
    EXPECT_EQ(server_rx, kClientBytes);
}

}  // namespace
}  // namespace kscope::test
