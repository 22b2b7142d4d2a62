// Floods against the real agent: two network namespaces joined to this one by veth pairs,
// the agent's flood program on the host ends (generic XDP, and the tc fallback). From the
// first namespace a UDP flood (from one address) and a SYN flood (raw SYNs from another)
// hit a UDP and a TCP server here; both sources are alerted and then dropped, while
// the second namespace's TCP connections all succeed. Without mitigate the flood is only
// alerted. Traffic never leaves this machine.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <cstring>
#include <functional>
#include <thread>

#include <gtest/gtest.h>

#include "agent_harness.h"
#include "wait_util.h"

namespace kscope::test {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// ksfa<pid> (10.203.1.1 here, .2 and .3 there) and ksfb<pid> (10.203.2.1 here, .2 there).
class FloodNet {
public:
    FloodNet() : a_("ksfa" + std::to_string(getpid() % 1000000)), b_("ksfb" + std::to_string(getpid() % 1000000)) {
        ok_ = make(a_, "10.203.1", {".2", ".3"}) && make(b_, "10.203.2", {".2"});
    }
    ~FloodNet() {
        for (const auto& n : {a_, b_})
            (void)run_shell("ip link del " + n + " 2>/dev/null; ip netns del " + n + " 2>/dev/null");
    }
    bool ok() const { return ok_; }
    const std::string& a() const { return a_; }
    const std::string& b() const { return b_; }
    // In a forked child: moves it into namespace `ns`.
    static bool enter(const std::string& ns) {
        int fd = open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
        const bool ok = fd >= 0 && setns(fd, CLONE_NEWNET) == 0;
        if (fd >= 0)
            close(fd);
        return ok;
    }

private:
    static bool make(const std::string& name, const std::string& net, const std::vector<std::string>& there) {
        std::string cmd = "set -e; ip netns add " + name + "; ip link add " + name + " type veth peer name " + name +
                          "p netns " + name + "; ip addr add " + net + ".1/24 dev " + name + "; ip link set " + name +
                          " up; ip -n " + name + " link set lo up; ip -n " + name + " link set " + name + "p up";
        for (const auto& host : there)
            cmd += "; ip -n " + name + " addr add " + net + host + "/24 dev " + name + "p";
        auto r = run_shell(cmd);
        if (r.status != 0)
            ADD_FAILURE() << cmd << "\n" << r.text;
        return r.status == 0;
    }
    std::string a_, b_;
    bool ok_ = false;
};

sockaddr_in address(const std::string& ip, uint16_t port) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    inet_pton(AF_INET, ip.c_str(), &sa.sin_addr);
    return sa;
}

uint16_t checksum(const uint8_t* data, size_t len, uint32_t sum = 0) {
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += uint32_t(data[i]) << 8 | data[i + 1];
    if (len & 1)
        sum += uint32_t(data[len - 1]) << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return uint16_t(~sum);
}

// Shared with the forked flooders: they send until it is set (or 20 s passed).
std::atomic<bool>* shared_stop_flag() {
    static auto* flag = new (mmap(nullptr, sizeof(std::atomic<bool>), PROT_READ | PROT_WRITE,
                                  MAP_SHARED | MAP_ANONYMOUS, -1, 0)) std::atomic<bool>(false);
    return flag;
}

bool flooding(Clock::time_point end) { return !shared_stop_flag()->load() && Clock::now() < end; }

// In a child in namespace a: UDP datagrams from `from` to to:port until stopped.
int udp_flood(const std::string& from, const std::string& to, uint16_t port, double seconds) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    auto src = address(from, 0), dst = address(to, port);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0)
        return -errno;
    const char payload[32] = "kscope flood test";
    const auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    while (flooding(end))
        for (int i = 0; i < 64; i++)
            (void)sendto(fd, payload, sizeof payload, 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst);
    close(fd);
    return 0;
}

// In a child in namespace a: raw TCP SYNs (new source port each) from `from` to to:port,
// until stopped.
int syn_flood(const std::string& from, const std::string& to, uint16_t port, double seconds) {
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_TCP);
    auto src = address(from, 0), dst = address(to, port);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0)
        return -errno;
    const auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    uint16_t sport = 20000;
    while (flooding(end)) {
        for (int i = 0; i < 64; i++, sport = uint16_t(sport == 60000 ? 20000 : sport + 1)) {
            tcphdr tcp{};
            tcp.source = htons(sport);
            tcp.dest = htons(port);
            tcp.seq = htonl(uint32_t(sport) * 7919u);
            tcp.doff = 5;
            tcp.syn = 1;
            tcp.window = htons(64240);
            // Pseudo-header: addresses, protocol, TCP length.
            uint8_t pseudo[12 + sizeof tcp];
            std::memcpy(pseudo, &src.sin_addr, 4);
            std::memcpy(pseudo + 4, &dst.sin_addr, 4);
            pseudo[8] = 0;
            pseudo[9] = IPPROTO_TCP;
            pseudo[10] = 0;
            pseudo[11] = sizeof tcp;
            std::memcpy(pseudo + 12, &tcp, sizeof tcp);
            tcp.check = htons(checksum(pseudo, sizeof pseudo));
            (void)sendto(fd, &tcp, sizeof tcp, 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst);
        }
    }
    close(fd);
    return 0;
}

// In a child in namespace b: `n` TCP connections to to:port, 40 ms apart; how many were
// accepted (connected within 2 s).
int legit_connections(const std::string& to, uint16_t port, int n) {
    int ok = 0;
    auto dst = address(to, port);
    for (int i = 0; i < n; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) == 0 || errno == EINPROGRESS) {
            pollfd p{fd, POLLOUT, 0};
            int err = 0;
            socklen_t len = sizeof err;
            if (poll(&p, 1, 2000) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
                ok++;
        }
        close(fd);
        std::this_thread::sleep_for(std::chrono::milliseconds(40));
    }
    return ok;
}

// A forked child running fn; result() is its exit code (fn's value, 0..255) or -1. One
// still running when the test ends (an assertion failed) is killed and reaped.
class Child {
public:
    explicit Child(const std::function<int()>& fn) { pid_ = spawn([&] { _exit(fn() & 0xff); }); }
    ~Child() {
        if (!reaped_) {
            kill(pid_, SIGKILL);
            wait_child(pid_);
        }
    }
    int result() {
        if (!reaped_) {
            const int status = wait_child(pid_);
            result_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            reaped_ = true;
        }
        return result_;
    }

private:
    pid_t pid_;
    bool reaped_ = false;
    int result_ = -1;
};

std::vector<json> flood_alerts(const Agent& agent) {
    std::vector<json> out;
    std::string body;
    if (agent.get("/api/v1/alerts?limit=10000", body) == 200)
        for (const auto& a : json::parse(body, nullptr, false))
            if (a.is_object() && a.value("source", "") == "flood")
                out.push_back(a);
    return out;
}

const json* alert_from(const std::vector<json>& alerts, const std::string& saddr) {
    for (const auto& a : alerts)
        if (a.value("saddr", "") == saddr)
            return &a;
    return nullptr;
}

// Servers here: UDP on 10.203.1.1 (datagrams counted), TCP on 0.0.0.0 (accepting).
struct Servers {
    Servers() {
        udp = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        tcp = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        int one = 1;
        setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        auto u = address("10.203.1.1", 0), t = address("0.0.0.0", 0);
        socklen_t len = sizeof u;
        if (bind(udp, reinterpret_cast<sockaddr*>(&u), sizeof u) == 0 &&
            getsockname(udp, reinterpret_cast<sockaddr*>(&u), &len) == 0)
            udp_port = ntohs(u.sin_port);
        len = sizeof t;
        if (bind(tcp, reinterpret_cast<sockaddr*>(&t), sizeof t) == 0 && listen(tcp, 1024) == 0 &&
            getsockname(tcp, reinterpret_cast<sockaddr*>(&t), &len) == 0)
            tcp_port = ntohs(t.sin_port);
        thread = std::thread([this] {
            char buf[64];
            while (!stop) {
                pollfd p[2] = {{udp, POLLIN, 0}, {tcp, POLLIN, 0}};
                poll(p, 2, 50);
                while (recv(udp, buf, sizeof buf, 0) > 0)
                    received++;
                for (int c; (c = accept(tcp, nullptr, nullptr)) >= 0;)
                    close(c);
            }
        });
    }
    ~Servers() {
        stop = true;
        thread.join();
        close(udp);
        close(tcp);
    }
    int udp = -1, tcp = -1;
    uint16_t udp_port = 0, tcp_port = 0;
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> received{0};
    std::thread thread;
};

std::string flood_config(const FloodNet& net, const std::string& mode, bool mitigate) {
    return "profiling: {enabled: false}\nrules: {default: false}\nflood:\n  enabled: true\n  interfaces: [" + net.a() +
           ", " + net.b() + "]\n  mode: " + mode + "\n  udp_pps: 2000\n  syn_pps: 1000\n  pps: 1000000\n  mitigate: " +
           (mitigate ? "true" : "false") + "\n  cooldown: 30s\n";
}

// Floods from a's two addresses while b connects 50 times; checks the alerts, the drops
// (or that nothing is dropped) while the flood goes on, and that every one of b's
// connections succeeded.
void flood_and_check(const std::string& mode, bool mitigate) {
    FloodNet net;
    ASSERT_TRUE(net.ok());
    Servers servers;
    ASSERT_TRUE(servers.udp_port && servers.tcp_port);
    Agent agent(flood_config(net, mode, mitigate));
    ASSERT_TRUE(agent.ready()) << agent.process().stderr_text();
    ASSERT_EQ(agent.metric("kscope_flood_interface_up{interface=\"" + net.a() + "\",mode=\"" + mode + "\"}"), 1)
        << agent.process().stderr_text();

    Child legit([&] { return FloodNet::enter(net.b()) ? legit_connections("10.203.2.1", servers.tcp_port, 50) : 255; });
    shared_stop_flag()->store(false);
    Child udp([&] { return FloodNet::enter(net.a()) ? -udp_flood("10.203.1.2", "10.203.1.1", servers.udp_port, 20) : 254; });
    Child syn([&] { return FloodNet::enter(net.a()) ? -syn_flood("10.203.1.3", "10.203.1.1", servers.tcp_port, 20) : 254; });

    // Both sources are found within a reading or two of the counters.
    std::vector<json> alerts;
    ASSERT_TRUE(eventually([&] {
        alerts = flood_alerts(agent);
        return alert_from(alerts, "10.203.1.2") && alert_from(alerts, "10.203.1.3");
    }, std::chrono::seconds(4))) << json(alerts).dump() << " udp packets " << agent.metric("kscope_flood_packets_total{protocol=\"udp\"}")
                                  << " syn packets " << agent.metric("kscope_flood_packets_total{protocol=\"tcp_syn\"}")
                                  << " udp dropped " << agent.metric("kscope_flood_dropped_packets_total{protocol=\"udp\"}")
                                  << " runs " << agent.metric("kscope_bpf_program_runs_total{probe=\"flood\",program=\"ks_flood_xdp\"}")
                                  << " read errors " << agent.metric("kscope_flood_read_errors_total")
                                  << " tracked " << agent.metric("kscope_flood_tracked_sources")
                                  << "\n" << agent.process().stderr_text();
    // While the flood goes on: dropped here (the UDP server hears nothing more), or not.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const uint64_t before = servers.received;
    const double passed_before = agent.metric("kscope_flood_packets_total{protocol=\"udp\"}") +
                                 agent.metric("kscope_flood_dropped_packets_total{protocol=\"udp\"}");
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const uint64_t during = servers.received - before;
    const double sent_during = agent.metric("kscope_flood_packets_total{protocol=\"udp\"}") +
                               agent.metric("kscope_flood_dropped_packets_total{protocol=\"udp\"}") - passed_before;
    EXPECT_GT(sent_during, 10000) << "the flood was not going on while the drops were measured";
    shared_stop_flag()->store(true);

    EXPECT_EQ(udp.result(), 0);
    EXPECT_EQ(syn.result(), 0);
    EXPECT_EQ(legit.result(), 50) << "connections from the second namespace failed";
    alerts = flood_alerts(agent);
    EXPECT_EQ(alerts.size(), 2u) << json(alerts).dump();  // one per source and cooldown
    EXPECT_EQ(alert_from(alerts, "10.203.2.2"), nullptr);
    const struct {
        std::string saddr, protocol;
        double limit;
    } want[] = {{"10.203.1.2", "udp", 2000}, {"10.203.1.3", "syn", 1000}};
    for (const auto& w : want) {
        const json* a = alert_from(alerts, w.saddr);
        ASSERT_NE(a, nullptr) << w.saddr;
        EXPECT_EQ((*a)["type"], "alert");
        EXPECT_EQ((*a)["rule"], "Packet flood from one source");
        EXPECT_EQ((*a)["priority"], "Critical");
        EXPECT_EQ((*a)["protocol"], w.protocol) << a->dump();
        EXPECT_EQ((*a)["interface"], net.a());
        EXPECT_GT((*a)["rate_pps"].get<double>(), w.limit) << a->dump();
        EXPECT_EQ((*a)["threshold_pps"].get<double>(), w.limit);
        EXPECT_EQ((*a)["mitigated"], mitigate);
        EXPECT_EQ((*a)["cooldown_seconds"], 30);
        EXPECT_EQ((*a)["action"], mitigate ? "drop" : "alert");
        if (mitigate) {
            EXPECT_EQ((*a)["in_kernel"], true);
            EXPECT_EQ((*a)["hook"], mode == "tc" ? "tc" : "xdp");
        }
    }
    const double udp_dropped = agent.metric("kscope_flood_dropped_packets_total{protocol=\"udp\"}");
    const double syn_dropped = agent.metric("kscope_flood_dropped_packets_total{protocol=\"tcp_syn\"}");
    EXPECT_GT(agent.metric("kscope_flood_packets_total{protocol=\"udp\"}"), 2000);
    EXPECT_GT(agent.metric("kscope_flood_packets_total{protocol=\"tcp_syn\"}"), 1000);
    if (mitigate) {
        EXPECT_EQ(during, 0u) << "UDP datagrams got through while their source was blocked";
        EXPECT_GT(udp_dropped, 10000);
        EXPECT_GT(syn_dropped, 5000);
        EXPECT_EQ(agent.metric("kscope_flood_blocked_sources"), 2);
    } else {
        EXPECT_GT(during, 1000u) << "nothing should be dropped without mitigate";
        EXPECT_EQ(udp_dropped, 0);
        EXPECT_EQ(syn_dropped, 0);
    }
    EXPECT_EQ(agent.metric("kscope_flood_alerts_total{protocol=\"udp\"}"), 1);
    EXPECT_EQ(agent.metric("kscope_flood_alerts_total{protocol=\"syn\"}"), 1);
}

TEST(FloodAgent, GenericXdpDropsBothFloodsAndSparesTheOtherNamespace) {
    REQUIRE_ROOT();
    flood_and_check("generic", /*mitigate=*/true);
}

// tcx links came with Linux 6.6.
bool kernel_has_tcx() {
    utsname u{};
    int major = 0, minor = 0;
    return uname(&u) == 0 && std::sscanf(u.release, "%d.%d", &major, &minor) == 2 &&
           (major > 6 || (major == 6 && minor >= 6));
}

TEST(FloodAgent, TcFallbackDropsToo) {
    REQUIRE_ROOT();
    if (!kernel_has_tcx())
        GTEST_SKIP() << "SKIPPED: the tc fallback attaches tcx links, which need Linux 6.6 or later";
    flood_and_check("tc", /*mitigate=*/true);
}

TEST(FloodAgent, WithoutMitigateOnlyAlerts) {
    REQUIRE_ROOT();
    flood_and_check("generic", /*mitigate=*/false);
}

TEST(FloodAgent, NothingStaysAttachedAfterKill9) {
    REQUIRE_ROOT();
    ASSERT_EQ(run_shell("bpftool version").status, 0) << "bpftool is needed (scripts/bootstrap installs it)";
    FloodNet net;
    ASSERT_TRUE(net.ok());
    std::vector<std::string> ids;
    {
        Agent agent(flood_config(net, "generic", true));
        ASSERT_TRUE(agent.ready()) << agent.process().stderr_text();
        EXPECT_NE(shell("ip link show " + net.a()).find("xdpgeneric"), std::string::npos);
        // The flood programs of this agent, by id: its fds on them (/proc/PID/fdinfo says
        // prog_id), as Debian's bpftool does not name the owners.
        std::set<std::string> owned;
        for (const auto& f : std::filesystem::directory_iterator("/proc/" + std::to_string(agent.process().pid()) + "/fdinfo")) {
            std::ifstream in(f.path());
            for (std::string line; std::getline(in, line);)
                if (line.starts_with("prog_id:"))
                    owned.insert(line.substr(line.find_first_not_of(" \t", 8)));
        }
        for (const auto& p : json::parse(shell_stdout("bpftool -j prog show"), nullptr, false))
            if (p.value("name", "").starts_with("ks_flood") && owned.count(std::to_string(p["id"].get<int>())))
                ids.push_back(std::to_string(p["id"].get<int>()));
        ASSERT_EQ(ids.size(), 2u) << "the xdp and tc programs of the agent";
        kill(agent.process().pid(), SIGKILL);
        agent.process().stop();
    }
    EXPECT_TRUE(eventually([&] { return shell("ip link show " + net.a()).find("xdp") == std::string::npos; },
                           std::chrono::seconds(5)))
        << shell("ip link show " + net.a());
    for (const auto& id : ids)
        EXPECT_TRUE(eventually([&] { return run_shell("bpftool prog show id " + id).status != 0; }, std::chrono::seconds(5)))
            << "program " << id << " is still loaded";
}

}  // namespace
}  // namespace kscope::test
