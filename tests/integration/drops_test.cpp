// kscope drops against the real kernel: a UDP datagram to a port with no socket is
// dropped with reason NO_SOCKET.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "netns.h"

namespace kscope::test {
namespace {

// From a child in namespace b: n datagrams to a:port, where nothing listens.
void send_udp(const NetnsPair& net, uint16_t port, int n) {
    pid_t child = spawn([&] {
        if (!net.enter_b())
            _exit(1);
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        inet_pton(AF_INET, net.addr_a().c_str(), &sa.sin_addr);
        for (int i = 0; i < n; i++)
            sendto(fd, "kscope", 6, 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
        usleep(50'000);
    });
    wait_child(child);
}

TEST(DropsProbe, UdpToAPortWithNoSocketIsNoSocket) {
    REQUIRE_ROOT();
    NetnsPair net(3);
    ASSERT_TRUE(net.ok());
    Kscope k({"drops", "--json"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    send_udp(net, 7777, 3);
    usleep(100'000);
    k.stop();
    int seen = 0;
    for (const auto& e : k.json_lines()) {
        if (e["dport"] != 7777)
            continue;
        seen++;
        EXPECT_EQ(e["type"], "drop");
        EXPECT_EQ(e["reason"], "NO_SOCKET");
        EXPECT_EQ(e["protocol"], "ipv4");
        EXPECT_EQ(e["l4_protocol"], "udp");
        EXPECT_EQ(e["saddr"], net.addr_b());
        EXPECT_EQ(e["daddr"], net.addr_a());
        EXPECT_NE(e["location"], "0x0");
    }
    EXPECT_EQ(seen, 3) << k.stdout_text();
}

TEST(DropsProbe, SummaryCountsByReason) {
    REQUIRE_ROOT();
    NetnsPair net(4);
    ASSERT_TRUE(net.ok());
    Kscope k({"drops", "--summary", "--json", "--interval", "0.3"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    send_udp(net, 7778, 5);
    usleep(400'000);
    k.stop();
    uint64_t no_socket = 0;
    for (const auto& e : k.json_lines()) {
        EXPECT_EQ(e["type"], "drop_summary");
        if (e["reason"] == "NO_SOCKET")
            no_socket += e["count"].get<uint64_t>();
    }
    EXPECT_GE(no_socket, 5u) << k.stdout_text();
}

}  // namespace
}  // namespace kscope::test
