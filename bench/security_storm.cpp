// Storms for the security probes' costs. Prints ns per iteration.
//   security_storm fork ITERATIONS     fork + _exit + waitpid (clone on every fork's path)
//   security_storm setuid ITERATIONS   setresuid(-1, -1, -1): a credential call that changes nothing
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
    if (argc < 3 || (std::strcmp(argv[1], "fork") != 0 && std::strcmp(argv[1], "setuid") != 0)) {
        std::fprintf(stderr, "usage: %s fork|setuid ITERATIONS\n", argv[0]);
        return 2;
    }
    const bool fork_storm = std::strcmp(argv[1], "fork") == 0;
    const long n = std::atol(argv[2]);
    auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < n; i++) {
        if (fork_storm) {
            pid_t pid = fork();
            if (pid == 0)
                _exit(0);
            if (pid < 0 || waitpid(pid, nullptr, 0) != pid) {
                std::perror("fork");
                return 1;
            }
        } else if (syscall(SYS_setresuid, -1, -1, -1) != 0) {
            std::perror("setresuid");
            return 1;
        }
    }
    double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    std::printf("iterations=%ld ns_per_iteration=%.0f\n", n, ns / n);
    return 0;
}
