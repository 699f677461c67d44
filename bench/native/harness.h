/* bench/native/harness.h — what every native benchmark shares: a monotonic
 * clock, thread pinning, a start line, the peers' backoff, the placement
 * probe, and one JSON line per measurement. Every implementation, sabq or
 * peer, runs through the same harness. */
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

/* How every waiting peer retries when it has no blocking form: spin as sabq's
 * blocking calls do (spins_before_yield, sabq's default spin budget), then
 * give the CPU away. */
static inline void bench_backoff(uint32_t *spins, uint32_t spins_before_yield)
{
    if (++*spins < spins_before_yield)
        bench_relax();
    else
        sched_yield();
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

/* The placement probe. On a VM the hypervisor decides how far apart the two
 * vCPUs are: on one EPYC VM a cache line went back and forth between them in
 * 60-130 ns on some days and 350-460 ns on others, and every queue's speed
 * follows. So each process measures that bare round trip between its two
 * threads, pinned as the measured ones, right before the measurement, and
 * prints it with every row (atomic_rtt_ns); bench/run.py classifies each
 * sample by it. The round trip is the one of pingpong's "atomic": one line,
 * release store, acquire load, PAUSE while waiting. */
#define BENCH_PROBE_BLOCK 256
#define BENCH_PROBE_BLOCKS 33

struct bench_probe {
    _Alignas(64) _Atomic uint64_t line;
    _Alignas(64) double ns; /* the result, written by the pinging side */
};

/* -1 until a probe ran; printed with every row once it has. */
static double bench_atomic_rtt_ns = -1;

/* Both threads call this (pinger = 1 on one, 0 on the other), each after
 * pinning itself; returns when the probe is done. The median of blocks of
 * round trips, so the first block (the other thread still starting) and any
 * preempted block do not count. */
static inline void bench_probe_side(struct bench_probe *p, int pinger)
{
    const uint64_t rounds = (uint64_t)BENCH_PROBE_BLOCK * BENCH_PROBE_BLOCKS;
    if (!pinger) {
        for (uint64_t i = 1; i <= rounds; i++) {
            while (atomic_load_explicit(&p->line, memory_order_acquire) != 2 * i - 1)
                bench_relax();
            atomic_store_explicit(&p->line, 2 * i, memory_order_release);
        }
        return;
    }
    double per[BENCH_PROBE_BLOCKS];
    for (uint64_t b = 0; b < BENCH_PROBE_BLOCKS; b++) {
        uint64_t t0 = bench_now();
        for (uint64_t k = 1; k <= BENCH_PROBE_BLOCK; k++) {
            uint64_t i = b * BENCH_PROBE_BLOCK + k;
            atomic_store_explicit(&p->line, 2 * i - 1, memory_order_release);
            while (atomic_load_explicit(&p->line, memory_order_acquire) != 2 * i)
                bench_relax();
        }
        per[b] = (double)(bench_now() - t0) / BENCH_PROBE_BLOCK;
    }
    qsort(per, BENCH_PROBE_BLOCKS, sizeof per[0], cmp_double);
    p->ns = per[BENCH_PROBE_BLOCKS / 2];
    bench_atomic_rtt_ns = p->ns;
}

struct bench_probe_thread {
    struct bench_probe *probe;
    int cpu, pinger;
};

static inline void *bench_probe_thread_main(void *arg)
{
    struct bench_probe_thread *t = arg;
    bench_pin(t->cpu);
    bench_probe_side(t->probe, t->pinger);
    return NULL;
}

/* For a program whose measured threads cannot stop to probe (more threads
 * than CPUs, say): two threads of its own, pinned to cpu_a and cpu_b. */
static inline double bench_probe_pair(int cpu_a, int cpu_b)
{
    struct bench_probe *p = bench_alloc(sizeof *p);
    struct bench_probe_thread a = {p, cpu_a, 1}, b = {p, cpu_b, 0};
    pthread_t ta, tb;
    pthread_create(&tb, NULL, bench_probe_thread_main, &b);
    pthread_create(&ta, NULL, bench_probe_thread_main, &a);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    double ns = p->ns;
    free(p);
    return ns;
}

/* The machine's own copy rate for `size`-byte messages, in GB/s: memcpy of
 * message k of one array of `slots` messages into message k of another,
 * round and round, on the calling thread; median of 9 passes of 4,096
 * copies. With slots = 1 both stay in the nearest cache (the most a copy can
 * do); with a ring's worth they stream through the larger caches, as a
 * queue's slots do when its consumer lags. The references a copy-bound queue
 * row is read beside (a queue copies each message in and out, and moves it
 * between cores). */
#define BENCH_MEMCPY_COPIES 4096
static inline double bench_memcpy_gbs(size_t size, size_t slots)
{
    uint8_t *src = bench_alloc(size * slots), *dst = bench_alloc(size * slots);
    memset(src, 1, size * slots);
    double gbs[9];
    for (int pass = 0; pass < 9; pass++) {
        uint64_t t0 = bench_now();
        for (size_t i = 0, k = 0; i < BENCH_MEMCPY_COPIES; i++, k = k + 1 == slots ? 0 : k + 1) {
            memcpy(dst + k * size, src + k * size, size);
            __asm__ volatile("" ::: "memory"); /* every copy happens */
        }
        gbs[pass] = (double)(BENCH_MEMCPY_COPIES * size) / (double)(bench_now() - t0);
    }
    qsort(gbs, 9, sizeof gbs[0], cmp_double);
    free(src);
    free(dst);
    return gbs[4];
}

/* One JSON line: the measurement, `extra` fields (already JSON, or NULL),
 * and the placement probe of this process when it ran. */
static inline void bench_emit(const char *bench, const char *impl, const char *param, double value,
                              const char *unit, const char *extra)
{
    char probe[48] = "";
    if (bench_atomic_rtt_ns >= 0)
        snprintf(probe, sizeof probe, ",\"atomic_rtt_ns\":%.0f", bench_atomic_rtt_ns);
    printf("{\"bench\":\"%s\",\"impl\":\"%s\",\"param\":\"%s\",\"value\":%.6g,\"unit\":\"%s\"%s%s%s}\n",
           bench, impl, param, value, unit, extra && *extra ? "," : "", extra ? extra : "", probe);
    fflush(stdout);
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
