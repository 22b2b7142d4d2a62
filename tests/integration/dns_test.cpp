// kscope dns against the real kernel and a real DNS server: Debian's dnsmasq answers in a
// network namespace the test makes; a child process in the other namespace asks it over
// UDP (IPv4 and IPv6) and TCP, for a name it has and one it has not.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <regex>
#include <vector>

#include "dns_server.h"
#include "events/dns_message.h"
#include "harness.h"
#include "netns.h"

namespace kscope::test {
namespace {

bool wait_readable(int fd, int ms) {
    pollfd p{fd, POLLIN, 0};
    return poll(&p, 1, ms) == 1;
}

bool ask_tcp(const std::string& server, const std::vector<uint8_t>& query) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(53);
    inet_pton(AF_INET, server.c_str(), &sa.sin_addr);
    std::vector<uint8_t> msg = {uint8_t(query.size() >> 8), uint8_t(query.size())};
    msg.insert(msg.end(), query.begin(), query.end());
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0 &&
              write(fd, msg.data(), msg.size()) == ssize_t(msg.size()) && wait_readable(fd, 2000);
    uint8_t buf[1500];
    ok = ok && read(fd, buf, sizeof buf) >= 14;
    close(fd);
    return ok;
}

// The events of one process, by type.
std::vector<nlohmann::json> of_pid(const std::vector<nlohmann::json>& all, const char* type, pid_t pid) {
    std::vector<nlohmann::json> out;
    for (const auto& e : all)
        if (e["type"] == type && e["pid"] == pid)
            out.push_back(e);
    return out;
}

TEST(DnsProbe, LookupsOfAnExistingAndAMissingNameOverUdp) {
    REQUIRE_ROOT();
    NetnsPair net(8);
    ASSERT_TRUE(net.ok());
    // The kernel's counters count every DNS packet on the host, whatever its namespace:
    // a port no other DNS traffic uses keeps them to this test's workload.
    constexpr uint16_t kPort = 10053;
    DnsServer server(net, kPort);
    ASSERT_TRUE(server.ready()) << "dnsmasq did not answer";
    Kscope k({"dns", "--json", "--stats", "--port", std::to_string(kPort)});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t client = spawn([&] {
        if (!net.enter_b() ||
            !ask_dns_udp(AF_INET, net.addr_a(), kPort, encode_dns_query(0x1234, "web.kscope.test", 1)) ||
            !ask_dns_udp(AF_INET, net.addr_a(), kPort, encode_dns_query(0x1235, "missing.kscope.test", 1)))
            _exit(1);
    });
    ASSERT_EQ(wait_child(client), 0);
    usleep(100'000);
    k.stop();
    auto all = k.json_lines();
    auto queries = of_pid(all, "dns_query", client);
    auto responses = of_pid(all, "dns_response", client);
    ASSERT_EQ(queries.size(), 2u) << k.stdout_text();
    ASSERT_EQ(responses.size(), 2u) << k.stdout_text();
    for (const auto& e : queries) {
        EXPECT_EQ(e["family"], "ipv4");
        EXPECT_EQ(e["transport"], "udp");
        EXPECT_EQ(e["saddr"], net.addr_b());
        EXPECT_EQ(e["daddr"], net.addr_a());
        EXPECT_EQ(e["dport"], kPort);
        EXPECT_EQ(e["query_type"], "A");
    }
    EXPECT_EQ(queries[0]["name"], "web.kscope.test");
    EXPECT_EQ(queries[0]["id"], 0x1234);
    EXPECT_EQ(queries[1]["name"], "missing.kscope.test");

    const auto& found = responses[0];
    EXPECT_EQ(found["name"], "web.kscope.test");
    EXPECT_EQ(found["id"], 0x1234);
    EXPECT_EQ(found["rcode"], "NOERROR");
    EXPECT_EQ(found["answers"], 1);
    EXPECT_EQ(found["addresses"], nlohmann::json::array({"10.1.2.3"}));
    EXPECT_EQ(found["sport"], queries[0]["sport"]);
    EXPECT_EQ(found["daddr"], net.addr_a());
    EXPECT_GT(found["latency_ns"].get<uint64_t>(), 0u);
    EXPECT_LT(found["latency_ns"].get<uint64_t>(), 2'000'000'000u);
    EXPECT_GE(found["ts"].get<uint64_t>(), queries[0]["ts"].get<uint64_t>());

    const auto& missing = responses[1];
    EXPECT_EQ(missing["name"], "missing.kscope.test");
    EXPECT_EQ(missing["rcode"], "NXDOMAIN");
    EXPECT_EQ(missing["answers"], 0);
    EXPECT_EQ(missing["addresses"], nlohmann::json::array());
    EXPECT_GT(missing["latency_ns"].get<uint64_t>(), 0u);
    // The kernel's own counters (the metrics), printed by --stats as "dns: queries Q,
    // responses R (RCODE N, ...), unmatched U, malformed M; ...": exactly this workload.
    const std::string err = k.stderr_text();
    std::smatch m;
    const std::regex counters(R"(dns: queries (\d+), responses (\d+) \(([^)]*)\), unmatched (\d+), malformed (\d+);)");
    ASSERT_TRUE(std::regex_search(err, m, counters)) << err;
    EXPECT_EQ(m[1], "2") << m[0];
    EXPECT_EQ(m[2], "2") << m[0];
    EXPECT_EQ(m[4], "0") << m[0];
    EXPECT_EQ(m[5], "0") << m[0];
    std::map<std::string, int> by_rcode;
    const std::string list = m[3];
    const std::regex item(R"(([^ ,]+) (\d+))");
    for (auto it = std::sregex_iterator(list.begin(), list.end(), item); it != std::sregex_iterator(); ++it)
        by_rcode[(*it)[1]] = std::stoi((*it)[2]);
    EXPECT_EQ(by_rcode, (std::map<std::string, int>{{"NOERROR", 1}, {"NXDOMAIN", 1}})) << m[0];
}

TEST(DnsProbe, LookupOnLoopback) {
    REQUIRE_ROOT();
    NetnsPair net(11);
    ASSERT_TRUE(net.ok());
    DnsServer server(net, 53);
    ASSERT_TRUE(server.ready()) << "dnsmasq did not answer";
    Kscope k({"dns", "--json", "--responses"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t client = spawn([&] {
        if (!net.enter_a() || !ask_dns_udp(AF_INET, "127.0.0.1", 53, encode_dns_query(0x6666, "web.kscope.test", 1)))
            _exit(1);
    });
    ASSERT_EQ(wait_child(client), 0);
    usleep(100'000);
    k.stop();
    auto responses = of_pid(k.json_lines(), "dns_response", client);
    ASSERT_EQ(responses.size(), 1u) << k.stdout_text();
    EXPECT_EQ(responses[0]["saddr"], "127.0.0.1");
    EXPECT_EQ(responses[0]["daddr"], "127.0.0.1");
    EXPECT_EQ(responses[0]["name"], "web.kscope.test");
    EXPECT_EQ(responses[0]["rcode"], "NOERROR");
    EXPECT_EQ(responses[0]["addresses"], nlohmann::json::array({"10.1.2.3"}));
    EXPECT_GT(responses[0]["latency_ns"].get<uint64_t>(), 0u);
    EXPECT_TRUE(of_pid(k.json_lines(), "dns_query", client).empty());  // --responses
}

TEST(DnsProbe, TcpAndIpv6LookupsAndFailuresOnly) {
    REQUIRE_ROOT();
    NetnsPair net(9);
    ASSERT_TRUE(net.ok());
    DnsServer server(net, 53);
    ASSERT_TRUE(server.ready()) << "dnsmasq did not answer";
    Kscope all_events({"dns", "--json"});
    Kscope failures({"dns", "--json", "-x"});
    ASSERT_TRUE(all_events.ready()) << all_events.stderr_text();
    ASSERT_TRUE(failures.ready()) << failures.stderr_text();
    pid_t client = spawn([&] {
        if (!net.enter_b() || !ask_tcp(net.addr_a(), encode_dns_query(0x2222, "web.kscope.test", 28)) ||
            !ask_dns_udp(AF_INET6, net.addr6_a(), 53, encode_dns_query(0x3333, "web.kscope.test", 28)) ||
            !ask_dns_udp(AF_INET6, net.addr6_a(), 53, encode_dns_query(0x4444, "gone.kscope.test", 28)))
            _exit(1);
    });
    ASSERT_EQ(wait_child(client), 0);
    usleep(100'000);
    all_events.stop();
    failures.stop();

    auto responses = of_pid(all_events.json_lines(), "dns_response", client);
    ASSERT_EQ(responses.size(), 3u) << all_events.stdout_text();
    EXPECT_EQ(responses[0]["transport"], "tcp");
    EXPECT_EQ(responses[0]["family"], "ipv4");
    EXPECT_EQ(responses[0]["id"], 0x2222);
    EXPECT_EQ(responses[0]["query_type"], "AAAA");
    EXPECT_EQ(responses[0]["addresses"], nlohmann::json::array({"fd00::5"}));
    EXPECT_GT(responses[0]["latency_ns"].get<uint64_t>(), 0u);
    EXPECT_EQ(responses[1]["transport"], "udp");
    EXPECT_EQ(responses[1]["family"], "ipv6");
    EXPECT_EQ(responses[1]["saddr"], net.addr6_b());
    EXPECT_EQ(responses[1]["daddr"], net.addr6_a());
    EXPECT_EQ(responses[1]["rcode"], "NOERROR");
    EXPECT_EQ(responses[1]["addresses"], nlohmann::json::array({"fd00::5"}));
    EXPECT_EQ(responses[2]["rcode"], "NXDOMAIN");

    // -x: only the failed answer, no queries.
    auto failed = failures.json_lines();
    ASSERT_EQ(failed.size(), 1u) << failures.stdout_text();
    EXPECT_EQ(failed[0]["type"], "dns_response");
    EXPECT_EQ(failed[0]["name"], "gone.kscope.test");
    EXPECT_EQ(failed[0]["rcode"], "NXDOMAIN");
    EXPECT_EQ(failed[0]["pid"], client);
}

// A server that answers with a name pointing at itself, and a runt packet to port 53:
// both counted as malformed, nothing crashes, the good query is still reported.
TEST(DnsProbe, MalformedPacketsAreCounted) {
    REQUIRE_ROOT();
    NetnsPair net(10);
    ASSERT_TRUE(net.ok());
    Kscope k({"dns", "--json", "--stats"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t child = spawn([&] {
        if (!net.enter_a())
            _exit(1);
        int server = socket(AF_INET, SOCK_DGRAM, 0);
        int client = socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(53);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(server, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
            _exit(2);
        auto query = encode_dns_query(0x5555, "loop.kscope.test", 1);
        sendto(client, query.data(), query.size(), 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
        uint8_t buf[512];
        sockaddr_in from{};
        socklen_t from_len = sizeof from;
        if (recvfrom(server, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &from_len) <= 0)
            _exit(3);
        // Header (response, NOERROR, one question) + a name that is a pointer to itself.
        const uint8_t reply[] = {0x55, 0x55, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 0x0C, 0, 1, 0, 1};
        sendto(server, reply, sizeof reply, 0, reinterpret_cast<sockaddr*>(&from), from_len);
        if (!wait_readable(client, 2000) || recv(client, buf, sizeof buf, 0) != sizeof reply)
            _exit(4);
        sendto(client, "runt", 4, 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    });
    ASSERT_EQ(wait_child(child), 0);
    usleep(100'000);
    k.stop();
    auto queries = of_pid(k.json_lines(), "dns_query", child);
    ASSERT_EQ(queries.size(), 1u) << k.stdout_text();
    EXPECT_EQ(queries[0]["name"], "loop.kscope.test");
    EXPECT_EQ(of_pid(k.json_lines(), "dns_response", child).size(), 0u);
    const std::string err = k.stderr_text();
    EXPECT_NE(err.find("1 malformed"), std::string::npos) << err;  // the looping answer (user space)
    EXPECT_NE(err.find("malformed 1"), std::string::npos) << err;  // the runt (kernel)
}

}  // namespace
}  // namespace kscope::test
