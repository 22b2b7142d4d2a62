// DNS query workload: N queries over UDP to SERVER:53, one at a time, each waiting for its
// answer. Prints "queries_per_second=… answered=… nxdomain=…".
// Usage: dns_storm N SERVER NAME   (NAME's first label gets a counter for every 2nd query,
// so half the answers are NXDOMAIN when the server only knows NAME)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "events/dns_message.h"



int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s N SERVER NAME\n", argv[0]);
        return 2;
    }
    const long n = std::atol(argv[1]);
    const std::string name = argv[3];
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(53);
    if (inet_pton(AF_INET, argv[2], &sa.sin_addr) != 1) {
        std::fprintf(stderr, "bad server address %s\n", argv[2]);
        return 2;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
        std::perror("connect");
        return 1;
    }
    long answered = 0, nxdomain = 0;
    const auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < n; i++) {
        auto q = kscope::encode_dns_query(uint16_t(i), i % 2 ? "x" + std::to_string(i) + "." + name : name, 1);
        if (send(fd, q.data(), q.size(), 0) < 0)
            continue;
        pollfd p{fd, POLLIN, 0};
        uint8_t buf[1500];
        if (poll(&p, 1, 1000) == 1 && recv(fd, buf, sizeof buf, 0) >= 12) {
            answered++;
            nxdomain += (buf[3] & 0xF) == 3;
        }
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("queries_per_second=%.0f answered=%ld nxdomain=%ld\n", n / s, answered, nxdomain);
    return 0;
}
