#include "netns.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "harness.h"

namespace kscope::test {
namespace {

bool sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0; }

bool send_all(int fd, size_t n) {
    std::vector<char> buf(64 * 1024, 'k');
    while (n > 0) {
        ssize_t w = write(fd, buf.data(), std::min(n, buf.size()));
        if (w <= 0)
            return false;
        n -= size_t(w);
    }
    return true;
}

size_t read_until_eof(int fd) {
    std::vector<char> buf(64 * 1024);
    size_t total = 0;
    for (ssize_t r; (r = read(fd, buf.data(), buf.size())) > 0;)
        total += size_t(r);
    return total;
}

}  // namespace

NetnsPair::NetnsPair(int subnet) {
    const std::string id = std::to_string(getpid()) + "_" + std::to_string(subnet);
    ns_a_ = "ksa_" + id;
    ns_b_ = "ksb_" + id;
    prefix_ = "10.231." + std::to_string(subnet);
    prefix6_ = "fd00:231:" + std::to_string(subnet);
    const std::string va = "kva" + std::to_string(subnet) + "_" + std::to_string(getpid() % 10000);
    const std::string vb = "kvb" + std::to_string(subnet) + "_" + std::to_string(getpid() % 10000);
    veth_a_ = va;
    ok_ = sh("ip netns add " + ns_a_) && sh("ip netns add " + ns_b_) &&
          sh("ip link add " + va + " type veth peer name " + vb) && sh("ip link set " + va + " netns " + ns_a_) &&
          sh("ip link set " + vb + " netns " + ns_b_) &&
          sh("ip -n " + ns_a_ + " addr add " + addr_a() + "/24 dev " + va) &&
          sh("ip -n " + ns_b_ + " addr add " + addr_b() + "/24 dev " + vb) &&
          // nodad: usable at once, without waiting for duplicate address detection
          sh("ip -n " + ns_a_ + " addr add " + addr6_a() + "/64 dev " + va + " nodad") &&
          sh("ip -n " + ns_b_ + " addr add " + addr6_b() + "/64 dev " + vb + " nodad") &&
          sh("ip -n " + ns_a_ + " link set " + va + " up") && sh("ip -n " + ns_b_ + " link set " + vb + " up") &&
          sh("ip -n " + ns_a_ + " link set lo up") && sh("ip -n " + ns_b_ + " link set lo up");
}

NetnsPair::~NetnsPair() {
    sh("ip netns del " + ns_a_);  // deleting a namespace removes its end of the veth pair too
    sh("ip netns del " + ns_b_);
}

bool NetnsPair::enter(const std::string& ns) {
    int fd = open(("/var/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = setns(fd, CLONE_NEWNET) == 0;
    close(fd);
    return ok;
}

int tcp_socket(int family, const std::string& addr, uint16_t port, bool connect_it) {
    int fd = socket(family, SOCK_STREAM, 0);
    sockaddr_storage ss{};
    socklen_t len;
    if (family == AF_INET6) {
        auto* sa = reinterpret_cast<sockaddr_in6*>(&ss);
        sa->sin6_family = AF_INET6;
        sa->sin6_port = htons(port);
        inet_pton(AF_INET6, addr.c_str(), &sa->sin6_addr);
        len = sizeof *sa;
    } else {
        auto* sa = reinterpret_cast<sockaddr_in*>(&ss);
        sa->sin_family = AF_INET;
        sa->sin_port = htons(port);
        inet_pton(AF_INET, addr.c_str(), &sa->sin_addr);
        len = sizeof *sa;
    }
    auto* sa = reinterpret_cast<sockaddr*>(&ss);
    if ((connect_it ? connect(fd, sa, len) : bind(fd, sa, len)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

TcpPeers tcp_exchange(const NetnsPair& net, int family, const std::string& server_addr, uint16_t port,
                      size_t client_bytes, size_t server_bytes) {
    int ready[2];
    if (pipe(ready) != 0)
        return {};
    TcpPeers p;
    p.server = spawn([&] {
        if (!net.enter_a())
            _exit(10);
        int ls = tcp_socket(family, server_addr, port, false);
        if (ls < 0 || listen(ls, 1) != 0)
            _exit(11);
        if (write(ready[1], "r", 1) != 1)
            _exit(12);
        int c = accept(ls, nullptr, nullptr);
        if (read_until_eof(c) != client_bytes)
            _exit(13);
        if (!send_all(c, server_bytes))
            _exit(14);
        close(c);
        _exit(0);
    });
    char byte;
    const bool listening = read(ready[0], &byte, 1) == 1;
    close(ready[0]);
    close(ready[1]);
    if (!listening)
        return p;
    p.client = spawn([&] {
        if (!net.enter_b())
            _exit(20);
        int fd = tcp_socket(family, server_addr, port, true);
        if (fd < 0 || !send_all(fd, client_bytes))
            _exit(21);
        shutdown(fd, SHUT_WR);  // the client closes first
        if (read_until_eof(fd) != server_bytes)
            _exit(22);
        close(fd);
        _exit(0);
    });
    EXPECT_EQ(wait_child(p.client), 0);
    EXPECT_EQ(wait_child(p.server), 0);
    return p;
}

}  // namespace kscope::test
