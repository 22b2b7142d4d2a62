// O_DIRECT 4 KiB random reads at queue depth 1 on a block device for a fixed time.
// Prints ios=N iops=N. Usage: bio_qd1 DEVICE SECONDS
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <sys/ioctl.h>
#include <linux/fs.h>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: bio_qd1 DEVICE SECONDS\n");
        return 2;
    }
    int fd = open(argv[1], O_RDONLY | O_DIRECT);
    if (fd < 0) {
        perror(argv[1]);
        return 1;
    }
    unsigned long long size = 0;
    if (ioctl(fd, BLKGETSIZE64, &size) || size < 4096) {
        std::fprintf(stderr, "%s: cannot get its size\n", argv[1]);
        return 1;
    }
    void* buf = nullptr;
    if (posix_memalign(&buf, 4096, 4096))
        return 1;
    std::mt19937_64 rng(42);
    const unsigned long long blocks = size / 4096;
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(std::atof(argv[2])));
    unsigned long ios = 0;
    while (true) {
        if (pread(fd, buf, 4096, off_t(rng() % blocks) * 4096) != 4096) {
            perror("pread");
            return 1;
        }
        if (++ios % 64 == 0 && Clock::now() >= end)
            break;
    }
    const double took = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("ios=%lu iops=%.0f\n", ios, ios / took);
    return ios > 0 ? 0 : 1;
}
