/* bench/native/harness.h — what every native benchmark shares: a monotonic
 * clock, thread pinning, a start line, and one JSON line per measurement.
 * Every implementation, sabq or peer, runs through the same harness. */
#ifndef SABQ_BENCH_HARNESS_H
#define SABQ_BENCH_HARNESS_H

/* Built with -D_GNU_SOURCE (pthread_setaffinity_np). */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static inline uint64_t bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Pins the calling thread to CPU (cpu % online CPUs); ignored where refused. */
static inline void bench_pin(int cpu)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET((int)(cpu % (n > 0 ? n : 1)), &set);
    (void)pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static inline void bench_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* All threads of a measurement start together. */
struct bench_gate {
    _Atomic int waiting;
    _Atomic int go;
};

static inline void bench_gate_wait(struct bench_gate *g, int parties)
{
    if (atomic_fetch_add(&g->waiting, 1) + 1 == parties)
        atomic_store(&g->go, 1);
    while (!atomic_load(&g->go))
        bench_relax();
}

static inline void *bench_alloc(size_t size)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, (size + 63) & ~(size_t)63) != 0) {
        perror("posix_memalign");
        exit(1);
    }
    memset(p, 0, size);
    return p;
}

/* COUNT scales with BENCH_SCALE (0.01 for the smoke test, 1 quick, 4 full). */
static inline uint64_t bench_count(uint64_t quick)
{
    const char *s = getenv("BENCH_SCALE");
    double scale = s ? atof(s) : 1.0;
    uint64_t n = (uint64_t)((double)quick * scale);
    return n < 100 ? 100 : n;
}

static inline void bench_emit(const char *bench, const char *impl, const char *param, double value,
                              const char *unit, const char *extra)
{
    printf("{\"bench\":\"%s\",\"impl\":\"%s\",\"param\":\"%s\",\"value\":%.6g,\"unit\":\"%s\"%s%s}\n",
           bench, impl, param, value, unit, extra && *extra ? "," : "", extra ? extra : "");
    fflush(stdout);
}

static inline int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

#endif
