// File-change storm: N iterations of chmod + rename (there and back on alternate
// iterations) on one file in DIR, by relative name from DIR as cwd, so every event needs
// its cwd resolved. Usage: filechange_storm N DIR; prints "iterations=… ns_per_iteration=…".
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s N DIR\n", argv[0]);
        return 2;
    }
    const long n = std::atol(argv[1]);
    if (n <= 0 || chdir(argv[2]) != 0) {
        std::fprintf(stderr, "N must be positive and DIR a directory\n");
        return 2;
    }
    int fd = open("storm-a", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        std::perror("storm-a");
        return 1;
    }
    close(fd);
    auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < n; i++) {
        const bool there = i % 2 == 0;
        if (chmod(there ? "storm-a" : "storm-b", there ? 0600 : 0644) != 0 ||
            rename(there ? "storm-a" : "storm-b", there ? "storm-b" : "storm-a") != 0) {
            std::perror("storm");
            return 1;
        }
    }
    double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    std::printf("iterations=%ld ns_per_iteration=%.0f\n", n, ns / n);
    return 0;
}
