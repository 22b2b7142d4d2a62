/* The profiler's test and bench target, built -O2 -fomit-frame-pointer as Debian builds
 * its packages. noinline and the volatile sink keep each function a real frame.
 *   profile_target SECONDS [SORT_SECONDS]  main -> work -> hot_a / hot_b (about 70/30 of
 *       the time), then a phase inside libc's qsort calling back compare_values
 *   profile_target rounds N                 N rounds of hot_a + hot_b, then prints the
 *       seconds taken (fixed work, for overhead benchmarks)
 *   profile_target sleep COUNT MS           blocks COUNT times for MS in sleepy_wait */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

__attribute__((noinline)) void sleepy_wait(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
	sink++;
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "rounds") == 0) {
		long n = atol(argv[2]);
		double t0 = now();
		for (long i = 0; i < n; i++) {
			hot_a();
			hot_b();
		}
		printf("%.6f\n", now() - t0);
		return 0;
	}
	if (argc > 3 && strcmp(argv[1], "sleep") == 0) {
		for (long i = 0, n = atol(argv[2]); i < n; i++)
			sleepy_wait(atol(argv[3]));
		return 0;
	}
	double seconds = argc > 1 ? atof(argv[1]) : 3;
	double sort_seconds = argc > 2 ? atof(argv[2]) : 0;
	double start = now();
	work(start + seconds);
	sort_phase(start + seconds + sort_seconds);
	return (int)(sink & 1) * 0;
}
