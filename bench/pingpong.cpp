// Pipe ping-pong between two processes: each round trip is two wakeups and two context
// switches, the run-queue latency tracer's worst case. Both processes are pinned to one
// CPU (default: the last), so every round trip is two switches there and the figure does
// not depend on where the scheduler puts them or how fast an idle CPU wakes.
// Prints round_trips_per_s=N. Usage: pingpong SECONDS [CPU]
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
    const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    const int cpu = argc > 2 ? std::atoi(argv[2]) : int(cpus - 1);
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof(set), &set)) {  // the child inherits it
        perror("sched_setaffinity");
        return 1;
    }
    int ping[2], pong[2];
    if (pipe(ping) || pipe(pong)) {
        perror("pipe");
        return 1;
    }
    pid_t child = fork();
    if (child == 0) {
        char c;
        while (read(ping[0], &c, 1) == 1 && c == 'p')
            if (write(pong[1], &c, 1) != 1)
                break;
        _exit(0);
    }
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    unsigned long rounds = 0;
    char c = 'p';
    while (true) {
        if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1) {
            perror("ping-pong");
            return 1;
        }
        if (++rounds % 256 == 0 && Clock::now() >= end)
            break;
    }
    const double took = std::chrono::duration<double>(Clock::now() - start).count();
    c = 'q';
    (void)!write(ping[1], &c, 1);
    waitpid(child, nullptr, 0);
    std::printf("round_trips=%lu round_trips_per_s=%.0f\n", rounds, rounds / took);
    return rounds > 0 ? 0 : 1;
}
