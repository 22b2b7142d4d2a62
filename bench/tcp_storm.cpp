// Loopback TCP workloads. Usage:
//   tcp_storm connect N PORT   N x (connect, accept, close) -> "conns_per_second=…"
//   tcp_storm bulk MIB PORT    one connection streaming MIB MiB -> "mib_per_second=…"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace {

sockaddr_in loopback(int port) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sa;
}

int listener(int port) {
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sa = loopback(port);
    if (bind(ls, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || listen(ls, 1024) != 0) {
        std::perror("listen");
        std::exit(1);
    }
    return ls;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s connect N PORT | bulk MIB PORT\n", argv[0]);
        return 2;
    }
    const bool bulk = std::strcmp(argv[1], "bulk") == 0;
    const long n = std::atol(argv[2]);
    const int port = std::atoi(argv[3]);
    int ls = listener(port);
    auto t0 = std::chrono::steady_clock::now();
    std::thread server([&] {
        std::vector<char> buf(1 << 16);
        for (long i = 0; i < (bulk ? 1 : n); i++) {
            int c = accept(ls, nullptr, nullptr);
            while (read(c, buf.data(), buf.size()) > 0) {
            }
            close(c);
        }
    });
    std::vector<char> buf(1 << 16, 'k');
    for (long i = 0; i < (bulk ? 1 : n); i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in sa = loopback(port);
        if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
            std::perror("connect");
            return 1;
        }
        if (bulk)
            for (long left = n << 20; left > 0;) {
                ssize_t w = write(fd, buf.data(), std::min<long>(left, long(buf.size())));
                if (w <= 0)
                    return 1;
                left -= w;
            }
        close(fd);
    }
    server.join();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (bulk)
        std::printf("mib=%ld seconds=%.3f mib_per_second=%.0f\n", n, s, n / s);
    else
        std::printf("conns=%ld seconds=%.3f conns_per_second=%.0f\n", n, s, n / s);
    return 0;
}
