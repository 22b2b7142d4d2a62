// kscope tcp over IPv6 (connect, accept, close with exact addresses, ports and bytes) and
// its selection flags --connect, --accept, --close, --laddr, --raddr, each checked against
// the same connections seen by an unfiltered instance: what the filter selects is there,
// what it leaves out is not.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>

#include "harness.h"
#include "netns.h"
#include "wait_util.h"

namespace kscope::test {
namespace {

using namespace std::chrono_literals;

constexpr size_t kClientBytes = 300'000;
constexpr size_t kServerBytes = 120'000;

// Server in namespace a on server_addr:port, client in b: the client sends kClientBytes,
// the server answers kServerBytes.
TcpPeers exchange(const NetnsPair& net, int family, const std::string& server_addr, uint16_t port) {
    return tcp_exchange(net, family, server_addr, port, kClientBytes, kServerBytes);
}

// The four events of one exchange: the client's connect and close, the server's accept
// and close.
bool has_all_four(const std::vector<nlohmann::json>& all, const TcpPeers& p) {
    return find_event(all, "tcp_connect", p.client) && find_event(all, "tcp_close", p.client) &&
           find_event(all, "tcp_accept", p.server) && find_event(all, "tcp_close", p.server);
}

TEST(TcpIpv6, ConnectAcceptCloseWithExactAddressesPortsAndBytes) {
    REQUIRE_ROOT();
    NetnsPair net(41);
    ASSERT_TRUE(net.ok()) << "could not create network namespaces (ip netns)";
    Kscope k({"tcp", "--json", "--port", "57041"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();

    const TcpPeers p = exchange(net, AF_INET6, net.addr6_a(), 57041);
    ASSERT_GT(p.client, 0);
    EXPECT_TRUE(eventually([&] { return has_all_four(complete_json_lines(k), p); }, 10s)) << k.stdout_text();
    k.stop();
    const auto all = k.json_lines();

    const auto* conn = find_event(all, "tcp_connect", p.client);
    ASSERT_NE(conn, nullptr) << k.stdout_text();
    EXPECT_EQ((*conn)["family"], "ipv6");
    EXPECT_EQ((*conn)["saddr"], net.addr6_b());
    EXPECT_EQ((*conn)["daddr"], net.addr6_a());
    EXPECT_EQ((*conn)["dport"], 57041);
    EXPECT_EQ((*conn)["ret"], 0);
    EXPECT_EQ((*conn)["error"], "");
    EXPECT_GT((*conn)["latency_ns"].get<uint64_t>(), 0u);
    EXPECT_EQ((*conn)["ppid"], getpid());
    const int client_port = (*conn)["sport"];
    EXPECT_GT(client_port, 0);

    const auto* acc = find_event(all, "tcp_accept", p.server);
    ASSERT_NE(acc, nullptr) << k.stdout_text();
    EXPECT_EQ((*acc)["family"], "ipv6");
    EXPECT_EQ((*acc)["saddr"], net.addr6_a());
    EXPECT_EQ((*acc)["sport"], 57041);
    EXPECT_EQ((*acc)["daddr"], net.addr6_b());
    EXPECT_EQ((*acc)["dport"], client_port);

    const auto* cclose = find_event(all, "tcp_close", p.client);
    ASSERT_NE(cclose, nullptr) << k.stdout_text();
    EXPECT_EQ((*cclose)["family"], "ipv6");
    EXPECT_EQ((*cclose)["saddr"], net.addr6_b());
    EXPECT_EQ((*cclose)["sport"], client_port);
    EXPECT_EQ((*cclose)["daddr"], net.addr6_a());
    EXPECT_EQ((*cclose)["dport"], 57041);
    EXPECT_EQ((*cclose)["bytes_sent"], kClientBytes);
    EXPECT_EQ((*cclose)["bytes_received"], kServerBytes);
    EXPECT_EQ((*cclose)["closed_by"], "local");
    EXPECT_GT((*cclose)["duration_ns"].get<uint64_t>(), 0u);

    const auto* sclose = find_event(all, "tcp_close", p.server);
    ASSERT_NE(sclose, nullptr) << k.stdout_text();
    EXPECT_EQ((*sclose)["family"], "ipv6");
    EXPECT_EQ((*sclose)["saddr"], net.addr6_a());
    EXPECT_EQ((*sclose)["sport"], 57041);
    EXPECT_EQ((*sclose)["daddr"], net.addr6_b());
    EXPECT_EQ((*sclose)["dport"], client_port);
    EXPECT_EQ((*sclose)["bytes_sent"], kServerBytes);
    EXPECT_EQ((*sclose)["bytes_received"], kClientBytes);
    EXPECT_EQ((*sclose)["closed_by"], "remote");
}

// One IPv4 and one IPv6 exchange, seen by six kscope instances at once.
TEST(TcpFlags, KindAndAddressFiltersKeepExactlyWhatTheySelect) {
    REQUIRE_ROOT();
    NetnsPair net(42);
    ASSERT_TRUE(net.ok()) << "could not create network namespaces (ip netns)";
    const std::string ports = "57042,57043";
    Kscope all_k({"tcp", "--json", "--port", ports});
    Kscope connect_k({"tcp", "--json", "--connect", "--port", ports});
    Kscope accept_k({"tcp", "--json", "--accept", "--port", ports});
    Kscope close_k({"tcp", "--json", "--close", "--port", ports});
    // The v4 client's local address and the v6 server's local address.
    Kscope laddr_k({"tcp", "--json", "--laddr", net.addr_b() + "," + net.addr6_a()});
    // Connections whose remote end is the v6 client: the v6 server's accept and close.
    Kscope raddr_k({"tcp", "--json", "--raddr", net.addr6_b(), "--accept", "--close"});
    for (Kscope* k : {&all_k, &connect_k, &accept_k, &close_k, &laddr_k, &raddr_k})
        ASSERT_TRUE(k->ready()) << k->stderr_text();

    const TcpPeers v4 = exchange(net, AF_INET, net.addr_a(), 57042);
    const TcpPeers v6 = exchange(net, AF_INET6, net.addr6_a(), 57043);
    ASSERT_GT(v4.client, 0);
    ASSERT_GT(v6.client, 0);
    // Once the unfiltered instance has all eight, every instance's ring holds them: the
    // final drain at stop() brings them through each filter.
    EXPECT_TRUE(eventually([&] {
        auto lines = complete_json_lines(all_k);
        return has_all_four(lines, v4) && has_all_four(lines, v6);
    }, 10s)) << all_k.stdout_text();
    for (Kscope* k : {&all_k, &connect_k, &accept_k, &close_k, &laddr_k, &raddr_k})
        k->stop();

    const auto all = all_k.json_lines();
    ASSERT_TRUE(has_all_four(all, v4) && has_all_four(all, v6)) << all_k.stdout_text();

    // The events of our four processes an instance printed, as "type pid" strings.
    const std::set<pid_t> ours = {v4.client, v4.server, v6.client, v6.server};
    auto seen = [&](const Kscope& k) {
        std::multiset<std::string> out;
        for (const auto& e : k.json_lines())
            if (ours.count(e["pid"].get<pid_t>()))
                out.insert(e["type"].get<std::string>() + " " + std::to_string(e["pid"].get<pid_t>()));
        return out;
    };
    auto ev = [](const char* type, pid_t pid) { return std::string(type) + " " + std::to_string(pid); };

    EXPECT_EQ(seen(all_k), (std::multiset<std::string>{
                               ev("tcp_connect", v4.client), ev("tcp_close", v4.client), ev("tcp_accept", v4.server),
                               ev("tcp_close", v4.server), ev("tcp_connect", v6.client), ev("tcp_close", v6.client),
                               ev("tcp_accept", v6.server), ev("tcp_close", v6.server)}));
    EXPECT_EQ(seen(connect_k), (std::multiset<std::string>{ev("tcp_connect", v4.client), ev("tcp_connect", v6.client)}));
    EXPECT_EQ(seen(accept_k), (std::multiset<std::string>{ev("tcp_accept", v4.server), ev("tcp_accept", v6.server)}));
    EXPECT_EQ(seen(close_k), (std::multiset<std::string>{ev("tcp_close", v4.client), ev("tcp_close", v4.server),
                                                         ev("tcp_close", v6.client), ev("tcp_close", v6.server)}));
    EXPECT_EQ(seen(laddr_k), (std::multiset<std::string>{ev("tcp_connect", v4.client), ev("tcp_close", v4.client),
                                                         ev("tcp_accept", v6.server), ev("tcp_close", v6.server)}));
    EXPECT_EQ(seen(raddr_k), (std::multiset<std::string>{ev("tcp_accept", v6.server), ev("tcp_close", v6.server)}));

    // Whatever else ran on this machine meanwhile, each filter held for every line.
    for (const auto& e : connect_k.json_lines())
        EXPECT_EQ(e["type"], "tcp_connect") << e.dump();
    for (const auto& e : accept_k.json_lines())
        EXPECT_EQ(e["type"], "tcp_accept") << e.dump();
    for (const auto& e : close_k.json_lines())
        EXPECT_EQ(e["type"], "tcp_close") << e.dump();
    for (const auto& e : laddr_k.json_lines())
        EXPECT_TRUE(e["saddr"] == net.addr_b() || e["saddr"] == net.addr6_a()) << e.dump();
    for (const auto& e : raddr_k.json_lines()) {
        EXPECT_EQ(e["daddr"], net.addr6_b()) << e.dump();
        EXPECT_NE(e["type"], "tcp_connect") << e.dump();
    }
}

}  // namespace
}  // namespace kscope::test

namespace kscope::test {
namespace {

using namespace std::chrono_literals;

// --laddr/--raddr name addresses, whatever their spelling: an IPv6 address written in
// full and in capitals selects the same connection as its short form; a word that is no
// address is refused instead of silently selecting nothing.
TEST(TcpFlags, AddressFiltersMatchAddressesInAnySpelling) {
    REQUIRE_ROOT();
    NetnsPair net(47);
    ASSERT_TRUE(net.ok()) << "could not create network namespaces (ip netns)";
    const std::string client_long = "FD00:0231:0047:0000:0000:0000:0000:0002";  // addr6_b()
    const std::string server_long = "fd00:231:47:0::1";                          // addr6_a()
    Kscope laddr_k({"tcp", "--json", "--port", "57048", "--laddr", client_long});
    Kscope raddr_k({"tcp", "--json", "--port", "57048", "--raddr", server_long});
    ASSERT_TRUE(laddr_k.ready()) << laddr_k.stderr_text();
    ASSERT_TRUE(raddr_k.ready()) << raddr_k.stderr_text();

    const TcpPeers p = exchange(net, AF_INET6, net.addr6_a(), 57048);
    ASSERT_GT(p.client, 0);
    EXPECT_TRUE(eventually([&] {
        auto lines = complete_json_lines(laddr_k);
        return find_event(lines, "tcp_connect", p.client) && find_event(lines, "tcp_close", p.client);
    }, 10s)) << laddr_k.stdout_text();
    laddr_k.stop();
    raddr_k.stop();
    for (Kscope* k : {&laddr_k, &raddr_k}) {
        const auto all = k->json_lines();
        ASSERT_NE(find_event(all, "tcp_connect", p.client), nullptr) << k->stdout_text();
        ASSERT_NE(find_event(all, "tcp_close", p.client), nullptr) << k->stdout_text();
        EXPECT_EQ(find_event(all, "tcp_accept", p.server), nullptr) << k->stdout_text();
        EXPECT_EQ(find_event(all, "tcp_close", p.server), nullptr) << k->stdout_text();
        for (const auto& e : all) {
            EXPECT_EQ(e["saddr"], net.addr6_b()) << e.dump();
            EXPECT_EQ(e["daddr"], net.addr6_a()) << e.dump();
        }
    }

    for (const char* flag : {"--laddr", "--raddr"}) {
        Kscope bad({"tcp", "--json", flag, "10.231.47.1,not-an-address"}, false, {}, "");
        const int status = bad.wait_exit(10s);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << flag << " status " << status;
        EXPECT_NE(bad.stderr_text().find("not-an-address"), std::string::npos) << bad.stderr_text();
    }
}

}  // namespace
}  // namespace kscope::test
