// A mixed workload at fixed rates for the agent benchmark: opens, execs and loopback TCP
// connections, each from its own thread, for a number of seconds.
// Usage: mixed_storm SECONDS OPENS_PER_S EXECS_PER_S CONNS_PER_S PORT
// Prints "opens=… execs=… conns=… seconds=…".
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

// Calls op() rate times per second (in 1 ms slices) until deadline; returns how many.
template <typename Op>
long paced(long rate, Clock::time_point deadline, Op op) {
    long done = 0;
    const auto start = Clock::now();
    while (Clock::now() < deadline) {
        const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
        const long due = long(elapsed * rate) + 1;
        while (done < due && Clock::now() < deadline) {
            op();
            done++;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    return done;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s SECONDS OPENS_PER_S EXECS_PER_S CONNS_PER_S PORT\n", argv[0]);
        return 2;
    }
    const double seconds = std::atof(argv[1]);
    const long open_rate = std::atol(argv[2]), exec_rate = std::atol(argv[3]), conn_rate = std::atol(argv[4]);
    const int port = std::atoi(argv[5]);
    const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));

    int ls = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || listen(ls, 4096) != 0) {
        std::perror("listen");
        return 1;
    }
    std::atomic<bool> accepting{true};
    std::thread acceptor([&] {
        while (accepting) {
            int c = accept(ls, nullptr, nullptr);
            if (c >= 0)
                close(c);
        }
    });

    long opens = 0, execs = 0, conns = 0;
    std::thread t_open([&] {
        opens = paced(open_rate, deadline, [] {
            int fd = open("/etc/hostname", O_RDONLY);
            if (fd >= 0)
                close(fd);
        });
    });
    std::thread t_exec([&] {
        execs = paced(exec_rate, deadline, [] {
            char arg0[] = "/bin/true";
            char* args[] = {arg0, nullptr};
            pid_t pid;
            if (posix_spawn(&pid, "/bin/true", nullptr, nullptr, args, environ) == 0)
                waitpid(pid, nullptr, 0);
        });
    });
    std::thread t_conn([&] {
        conns = paced(conn_rate, deadline, [&] {
            int c = socket(AF_INET, SOCK_STREAM, 0);
            if (connect(c, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0)
                close(c);
            else
                close(c);
        });
    });
    t_open.join();
    t_exec.join();
    t_conn.join();
    accepting = false;
    shutdown(ls, SHUT_RDWR);
    close(ls);
    acceptor.join();
    std::printf("opens=%ld execs=%ld conns=%ld seconds=%.1f\n", opens, execs, conns, seconds);
    return 0;
}
