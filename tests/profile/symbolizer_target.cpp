// A program with functions of known names for the symbolizer's tests. It prints one line
// per function, "NAME ADDRESS" (the name the symbolizer should give that address, written
// here, so a stripped copy prints the same), then waits until stdin closes so the test
// can read its /proc/PID/maps. Built -O2 -fomit-frame-pointer like Debian's binaries.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace kscope_test {

struct Worker {
    static long spin(long n);
};

__attribute__((noinline)) long Worker::spin(long n) {
    long acc = 0;
    for (long i = 0; i < n; i++)
        acc += i * i ^ (acc >> 3);
    return acc;
}

}  // namespace kscope_test

// Local (static) symbols exist only in .symtab: stripped copies need the debug file.
static __attribute__((noinline)) long static_helper(long x) {
    long acc = x;
    for (int i = 0; i < 16; i++)
        acc = acc * 31 + i;
    return acc;
}

extern "C" __attribute__((noinline)) long c_function(long x) { return static_helper(x) + kscope_test::Worker::spin(x); }

static int compare(const void* a, const void* b) { return *static_cast<const int*>(a) - *static_cast<const int*>(b); }

int main(int argc, char**) {
    int values[4] = {3, 1, 2, argc};
    qsort(values, 4, sizeof(int), compare);
    std::printf("kscope_test::Worker::spin(long) %p\n", reinterpret_cast<void*>(&kscope_test::Worker::spin));
    std::printf("static_helper(long) %p\n", reinterpret_cast<void*>(&static_helper));
    std::printf("c_function %p\n", reinterpret_cast<void*>(&c_function));
    std::printf("qsort %p\n", reinterpret_cast<void*>(&qsort));
    std::printf("main %p\n", reinterpret_cast<void*>(&main));
    std::printf("end %ld\n", c_function(values[0]));
    std::fflush(stdout);
    char buf[64];
    while (read(0, buf, sizeof buf) > 0) {
    }
    return 0;
}
