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

static inline int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Throughput in windows. On a shared machine a run of a few milliseconds
 * either misses every other process or loses one of its two threads for a
 * whole time slice; the rate over the whole run then says more about the
 * scheduler than about the queue. The receiver stamps the clock every
 * `every` messages (a power of two, the same for every implementation), and
 * the median rate of those windows is reported, with the whole-run rate
 * beside it. */
#define BENCH_WINDOWS_MIN 8
struct bench_windows {
    uint64_t every, n, *stamps;
};

static inline void bench_windows_init(struct bench_windows *w, uint64_t count)
{
    w->every = 1u << 14;
    while (w->every > 256 && count / w->every < 4 * BENCH_WINDOWS_MIN)
        w->every >>= 1;
    w->n = 0;
    w->stamps = calloc(count / w->every + 2, sizeof *w->stamps);
}

/* Call after message `received` (a count) arrived; cheap when not at a window edge. */
static inline void bench_windows_mark(struct bench_windows *w, uint64_t received)
{
    if ((received & (w->every - 1)) == 0)
        w->stamps[w->n++] = bench_now();
}

/* Messages per second (millions): the median window, or `overall` when the
 * run was too short for enough windows. */
static inline double bench_windows_rate(const struct bench_windows *w, double overall)
{
    if (w->n < BENCH_WINDOWS_MIN + 1)
        return overall;
    uint64_t k = w->n - 1;
    double *rates = calloc(k, sizeof *rates);
    for (uint64_t i = 0; i < k; i++)
        rates[i] = (double)w->every / ((double)(w->stamps[i + 1] - w->stamps[i]) / 1e9) / 1e6;
    qsort(rates, k, sizeof *rates, cmp_double);
    double median = rates[k / 2];
    free(rates);
    return median;
}

#endif
