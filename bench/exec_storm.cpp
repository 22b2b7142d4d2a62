// Exec storm generator: W workers each posix_spawn /bin/true N/W times and reap it.
// Each argv carries a marker and a sequence number so a consumer can count exactly.
// Usage: exec_storm COUNT [WORKERS] [MARKER]; prints "execs=… seconds=… per_second=…".
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s COUNT [WORKERS] [MARKER]\n", argv[0]);
        return 2;
    }
    const long count = std::atol(argv[1]);
    const int workers = argc > 2 ? std::atoi(argv[2]) : 2;
    const std::string marker = argc > 3 ? argv[3] : "kscope-storm";
    if (count <= 0 || workers <= 0) {
        std::fprintf(stderr, "COUNT and WORKERS must be positive\n");
        return 2;
    }
    auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int w = 0; w < workers; w++) {
        threads.emplace_back([&, w] {
            for (long i = w; i < count; i += workers) {
                std::string seq = std::to_string(i);
                char* args[] = {const_cast<char*>("/bin/true"), const_cast<char*>(marker.c_str()), seq.data(),
                                nullptr};
                char* envp[] = {nullptr};
                pid_t pid;
                if (posix_spawn(&pid, "/bin/true", nullptr, nullptr, args, envp) != 0) {
                    std::perror("posix_spawn");
                    std::exit(1);
                }
                waitpid(pid, nullptr, 0);
            }
        });
    }
    for (auto& t : threads)
        t.join();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("execs=%ld seconds=%.3f per_second=%.0f\n", count, s, count / s);
    return 0;
}
