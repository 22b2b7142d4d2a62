/* A CPU-bound program for the profiler tests, built -O2 -fomit-frame-pointer as Debian
 * builds its packages: main -> work -> hot_a / hot_b (about 70/30 of the time), then a
 * phase inside libc's qsort calling back compare_values. Runs for argv[1] seconds.
 * noinline and the volatile sink keep each function a real frame. */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static volatile uint64_t sink;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static uint64_t spin(uint64_t n, uint64_t seed)
{
	uint64_t x = seed;
	for (uint64_t i = 0; i < n; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	return x;
}

__attribute__((noinline)) void hot_a(void) { sink += spin(700000, sink); }
__attribute__((noinline)) void hot_b(void) { sink += spin(300000, sink + 1); }

__attribute__((noinline)) void work(double until)
{
	while (now() < until) {
		hot_a();
		hot_b();
	}
}

__attribute__((noinline)) int compare_values(const void *a, const void *b)
{
	uint64_t x = spin(40, *(const uint64_t *)a), y = spin(40, *(const uint64_t *)b);
	return x < y ? -1 : x > y;
}

__attribute__((noinline)) void sort_phase(double until)
{
	static uint64_t values[4096];
	while (now() < until) {
		for (int i = 0; i < 4096; i++)
			values[i] = (uint64_t)rand();
		qsort(values, 4096, sizeof(values[0]), compare_values);
	}
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 3;
	double sort_seconds = argc > 2 ? atof(argv[2]) : 0;
	double start = now();
	work(start + seconds);
	sort_phase(start + seconds + sort_seconds);
	return (int)(sink & 1) * 0;
}
