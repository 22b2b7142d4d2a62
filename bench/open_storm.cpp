// Open+close storm: ITERATIONS x (open(PATH, O_RDONLY); close). Prints ns per iteration.
// Usage: open_storm ITERATIONS [PATH]
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s ITERATIONS [PATH]\n", argv[0]);
        return 2;
    }
    const long n = std::atol(argv[1]);
    const char* path = argc > 2 ? argv[2] : "/etc/hostname";
    auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < n; i++) {
        int fd = open(path, O_RDONLY);
        if (fd < 0) {
            std::perror(path);
            return 1;
        }
        close(fd);
    }
    double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    std::printf("iterations=%ld ns_per_iteration=%.0f\n", n, ns / n);
    return 0;
}
