#include "dns_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "events/dns_message.h"

namespace kscope::test {

bool ask_dns_udp(int family, const std::string& server, uint16_t port, const std::vector<uint8_t>& query,
                 int timeout_ms) {
    int fd = socket(family, SOCK_DGRAM, 0);
    sockaddr_storage ss{};
    socklen_t len;
    if (family == AF_INET) {
        auto* sa = reinterpret_cast<sockaddr_in*>(&ss);
        sa->sin_family = AF_INET;
        sa->sin_port = htons(port);
        inet_pton(AF_INET, server.c_str(), &sa->sin_addr);
        len = sizeof(*sa);
    } else {
        auto* sa = reinterpret_cast<sockaddr_in6*>(&ss);
        sa->sin6_family = AF_INET6;
        sa->sin6_port = htons(port);
        inet_pton(AF_INET6, server.c_str(), &sa->sin6_addr);
        len = sizeof(*sa);
    }
    bool ok = sendto(fd, query.data(), query.size(), 0, reinterpret_cast<sockaddr*>(&ss), len) ==
              ssize_t(query.size());
    pollfd p{fd, POLLIN, 0};
    ok = ok && poll(&p, 1, timeout_ms) == 1;
    uint8_t buf[1500];
    ok = ok && recv(fd, buf, sizeof buf, 0) >= 12;
    close(fd);
    return ok;
}

DnsServer::DnsServer(const NetnsPair& net, uint16_t port) {
    const std::string dir = tmp_.path();
    std::ofstream(dir + "/hosts") << "10.1.2.3 web.kscope.test\nfd00::5 web.kscope.test\n";
    pid_ = spawn([&] {
        if (!net.enter_a())
            _exit(1);
        const std::string dnsmasq = "/usr/sbin/dnsmasq";
        exec_now(dnsmasq, {dnsmasq, "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
                           "--addn-hosts=" + dir + "/hosts", "--local=/kscope.test/", "--bind-interfaces",
                           "--listen-address=" + net.addr_a(), "--listen-address=" + net.addr6_a(),
                           "--listen-address=127.0.0.1", "--port=" + std::to_string(port), "--user=root", "--pid-file=",
                           "--log-facility=" + dir + "/log"});
    });
    for (int i = 0; i < 50 && !ready_; i++) {
        pid_t asker = spawn([&] {
            if (!net.enter_b() ||
                !ask_dns_udp(AF_INET, net.addr_a(), port, encode_dns_query(1, "web.kscope.test", 1), 100))
                _exit(1);
        });
        const int st = wait_child(asker);
        ready_ = WIFEXITED(st) && WEXITSTATUS(st) == 0;
    }
}

DnsServer::~DnsServer() {
    if (pid_ > 0) {
        kill(pid_, SIGTERM);
        wait_child(pid_);
    }
}

}  // namespace kscope::test
