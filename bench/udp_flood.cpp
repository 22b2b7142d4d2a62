// The flood bench's traffic: `udp_flood send NETNS SRC DST PORT SECONDS` sends 32-byte
// UDP datagrams from SRC (inside network namespace NETNS) as fast as one thread can and
// prints "sent=N per_second=R"; `udp_flood sink ADDR PORT SECONDS` counts what arrives
// and prints "received=N per_second=R".
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;

sockaddr_in address(const char* ip, int port) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(uint16_t(port));
    if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1) {
        std::fprintf(stderr, "udp_flood: '%s' is not an IPv4 address\n", ip);
        std::exit(2);
    }
    return sa;
}

int send_flood(const char* netns, const char* from, const char* to, int port, double seconds) {
    const std::string path = std::string("/run/netns/") + netns;
    int ns = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (ns < 0 || setns(ns, CLONE_NEWNET) != 0) {
        std::perror(("udp_flood: entering " + path).c_str());
        return 1;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in src = address(from, 0), dst = address(to, port);
    if (bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) {
        std::perror("udp_flood: bind");
        return 1;
    }
    const char payload[32] = "kscope flood bench";
    uint64_t sent = 0;
    const auto start = Clock::now();
    const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    while (Clock::now() < end)
        for (int i = 0; i < 256; i++)
            sent += sendto(fd, payload, sizeof payload, 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst) > 0;
    const double took = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("sent=%llu per_second=%.0f\n", static_cast<unsigned long long>(sent), double(sent) / took);
    return 0;
}

int sink(const char* addr, int port, double seconds) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_in sa = address(addr, port);
    int big = 8 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
        std::perror("udp_flood: bind");
        return 1;
    }
    std::printf("ready\n");
    std::fflush(stdout);
    char buf[64];
    uint64_t received = 0;
    const auto start = Clock::now();
    const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    while (Clock::now() < end) {
        pollfd p{fd, POLLIN, 0};
        poll(&p, 1, 50);
        while (recv(fd, buf, sizeof buf, 0) > 0)
            received++;
    }
    std::printf("received=%llu per_second=%.0f\n", static_cast<unsigned long long>(received), double(received) / seconds);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 7 && std::strcmp(argv[1], "send") == 0)
        return send_flood(argv[2], argv[3], argv[4], std::atoi(argv[5]), std::atof(argv[6]));
    if (argc == 5 && std::strcmp(argv[1], "sink") == 0)
        return sink(argv[2], std::atoi(argv[3]), std::atof(argv[4]));
    std::fprintf(stderr, "usage: udp_flood send NETNS SRC DST PORT SECONDS | udp_flood sink ADDR PORT SECONDS\n");
    return 2;
}
