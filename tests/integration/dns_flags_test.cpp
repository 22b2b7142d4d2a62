// kscope dns --port (a dnsmasq on a port other than 53) and --name (only that name's
// queries and answers), against the same lookups seen by instances with other flags.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns_server.h"
#include "events/dns_message.h"
#include "harness.h"
#include "netns.h"
#include "wait_util.h"

namespace kscope::test {
namespace {

using namespace std::chrono_literals;

constexpr uint16_t kPort = 5391;

std::vector<nlohmann::json> of_pid(const std::vector<nlohmann::json>& all, const char* type, pid_t pid) {
    return events_for(all, type, pid);
}

TEST(DnsFlags, PortSelectsAServerOnAnotherPortAndNameSelectsOneName) {
    REQUIRE_ROOT();
    NetnsPair net(43);
    ASSERT_TRUE(net.ok());
    DnsServer server(net, kPort);
    ASSERT_TRUE(server.ready()) << "dnsmasq did not answer on port " << kPort;

    Kscope on_port({"dns", "--json", "--port", std::to_string(kPort)});
    Kscope two_ports({"dns", "--json", "--port", "53," + std::to_string(kPort)});
    Kscope default_port({"dns", "--json"});
    Kscope one_name({"dns", "--json", "--port", std::to_string(kPort), "--name", "web.kscope.test"});
    for (Kscope* k : {&on_port, &two_ports, &default_port, &one_name})
        ASSERT_TRUE(k->ready()) << k->stderr_text();

    pid_t client = spawn([&] {
        if (!net.enter_b() ||
            !ask_dns_udp(AF_INET, net.addr_a(), kPort, encode_dns_query(0x1111, "web.kscope.test", 1)) ||
            !ask_dns_udp(AF_INET, net.addr_a(), kPort, encode_dns_query(0x1112, "missing.kscope.test", 1)) ||
            !ask_dns_udp(AF_INET6, net.addr6_a(), kPort, encode_dns_query(0x1113, "web.kscope.test", 28)))
            _exit(1);
    });
    ASSERT_EQ(wait_child(client), 0);
    // Every instance got the packets when the first has printed all six; stop() drains.
    EXPECT_TRUE(eventually([&] {
        auto lines = complete_json_lines(on_port);
        return of_pid(lines, "dns_query", client).size() == 3 && of_pid(lines, "dns_response", client).size() == 3;
    }, 10s)) << on_port.stdout_text();
    for (Kscope* k : {&on_port, &two_ports, &default_port, &one_name})
        k->stop();

    // --port 5391: the three queries and answers, with the server's port.
    for (Kscope* k : {&on_port, &two_ports}) {
        const auto all = k->json_lines();
        auto queries = of_pid(all, "dns_query", client);
        auto responses = of_pid(all, "dns_response", client);
        ASSERT_EQ(queries.size(), 3u) << k->stdout_text();
        ASSERT_EQ(responses.size(), 3u) << k->stdout_text();
        const uint16_t ids[] = {0x1111, 0x1112, 0x1113};
        const char* names[] = {"web.kscope.test", "missing.kscope.test", "web.kscope.test"};
        const char* rcodes[] = {"NOERROR", "NXDOMAIN", "NOERROR"};
        for (int i = 0; i < 3; i++) {
            EXPECT_EQ(queries[i]["dport"], kPort);
            EXPECT_EQ(queries[i]["id"], ids[i]);
            EXPECT_EQ(queries[i]["name"], names[i]);
            EXPECT_EQ(responses[i]["dport"], kPort);
            EXPECT_EQ(responses[i]["id"], ids[i]);
            EXPECT_EQ(responses[i]["name"], names[i]);
            EXPECT_EQ(responses[i]["rcode"], rcodes[i]);
            EXPECT_EQ(responses[i]["sport"], queries[i]["sport"]);
            EXPECT_GT(responses[i]["latency_ns"].get<uint64_t>(), 0u);
        }
        EXPECT_EQ(queries[0]["daddr"], net.addr_a());
        EXPECT_EQ(queries[2]["daddr"], net.addr6_a());
        EXPECT_EQ(queries[2]["family"], "ipv6");
        EXPECT_EQ(responses[0]["addresses"], nlohmann::json::array({"10.1.2.3"}));
        EXPECT_EQ(responses[2]["addresses"], nlohmann::json::array({"fd00::5"}));
    }

    // Port 53 only (the default): nothing of this client.
    for (const auto& e : default_port.json_lines()) {
        EXPECT_NE(e["pid"], client) << e.dump();
        EXPECT_TRUE(e["dport"] == 53) << e.dump();
    }

    // --name web.kscope.test: its two queries and two answers, nothing of the missing name.
    const auto named = one_name.json_lines();
    auto queries = of_pid(named, "dns_query", client);
    auto responses = of_pid(named, "dns_response", client);
    ASSERT_EQ(queries.size(), 2u) << one_name.stdout_text();
    ASSERT_EQ(responses.size(), 2u) << one_name.stdout_text();
    EXPECT_EQ(queries[0]["id"], 0x1111);
    EXPECT_EQ(queries[1]["id"], 0x1113);
    EXPECT_EQ(responses[0]["id"], 0x1111);
    EXPECT_EQ(responses[1]["id"], 0x1113);
    for (const auto& e : named)
        EXPECT_EQ(e["name"], "web.kscope.test") << e.dump();
}

}  // namespace
}  // namespace kscope::test
