// Minor page faults as fast as one thread can make them: map fresh anonymous memory
// (no huge pages), touch every page, unmap, again. Prints faults=N ns_per_fault=N.
// Usage: fault_storm SECONDS
#include <sys/mman.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
    const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
    constexpr size_t kLen = 16 << 20;
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    unsigned long faults = 0;
    while (Clock::now() < end) {
        auto* p = static_cast<volatile char*>(mmap(nullptr, kLen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
        if (p == MAP_FAILED) {
            perror("mmap");
            return 1;
        }
        madvise((void*)p, kLen, MADV_NOHUGEPAGE);
        for (size_t off = 0; off < kLen; off += 4096)
            p[off] = 1;
        faults += kLen / 4096;
        munmap((void*)p, kLen);
    }
    const double took = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("faults=%lu ns_per_fault=%.0f\n", faults, took * 1e9 / faults);
    return faults > 0 ? 0 : 1;
}
