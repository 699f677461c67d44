/* bench/native/pingpong.c — round-trip latency between two pinned threads.
 *   pingpong IMPL     IMPL: sabq-spin | sabq-park | slot | atomic | futex
 * sabq-*: an 8-byte message through one SPSC ring and back through another,
 * with sabq's blocking receive: spinning (a spin budget it never exhausts) or
 * parking at once (sabq_set_spin(0): every wait sleeps in the kernel).
 * slot: the same exchange through two slot rings (peer_slot_ring.h), spinning:
 * what any design of two rings costs, the request and the answer on two lines.
 * Baselines, the physical limits: atomic — one cache line bounced between the
 * two threads; futex — two bare FUTEX_WAIT/FUTEX_WAKE calls per round trip.
 * Reports the median and p99 of round trips timed in blocks of 64. The two
 * threads, pinned, run the placement probe (harness.h) first. */
#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <sabq/sabq.h>
#include "harness.h"
#include "peer_slot_ring.h"

SLOT_RING_PROTOTYPE(u64, uint64_t)

#define BLOCK 64

struct run {
    const char *impl;
    uint64_t rounds;
    struct bench_probe probe;
    struct bench_gate gate;
    sabq_spsc ping, pong;
    struct slot_ring slot_ping, slot_pong;
    _Alignas(64) _Atomic uint64_t line;  /* atomic: the bounced counter */
    _Alignas(64) _Atomic uint32_t fa;    /* futex: A's turn when it changes */
    _Alignas(64) _Atomic uint32_t fb;
};

static void futex_wait(_Atomic uint32_t *w, uint32_t v) { syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0); }
static void futex_wake(_Atomic uint32_t *w) { syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0); }

static void *echo(void *arg)
{
    struct run *r = arg;
    bench_pin(1);
    bench_probe_side(&r->probe, 0);
    bench_gate_wait(&r->gate, 2);
    if (strncmp(r->impl, "sabq", 4) == 0) {
        uint64_t m;
        while (sabq_spsc_recv_wait(&r->ping, &m, 8, SABQ_FOREVER) == 8)
            sabq_spsc_send(&r->pong, &m, 8);
    } else if (strcmp(r->impl, "slot") == 0) {
        for (uint64_t i = 1; i <= r->rounds; i++) {
            uint64_t m;
            while (!slot_ring_pop_u64(&r->slot_ping, &m))
                bench_relax();
            while (!slot_ring_push_u64(&r->slot_pong, &m))
                bench_relax();
        }
    } else if (strcmp(r->impl, "atomic") == 0) {
        for (uint64_t i = 1; i <= r->rounds; i++) {
            while (atomic_load_explicit(&r->line, memory_order_acquire) != 2 * i - 1)
                bench_relax();
            atomic_store_explicit(&r->line, 2 * i, memory_order_release);
        }
    } else {
        for (uint32_t i = 1; i <= r->rounds; i++) {
            while (atomic_load(&r->fa) != i)
                futex_wait(&r->fa, i - 1);
            atomic_store(&r->fb, i);
            futex_wake(&r->fb);
        }
    }
    return NULL;
}

static void one_round(struct run *r, uint64_t i)
{
    if (strncmp(r->impl, "sabq", 4) == 0) {
        uint64_t m = i;
        sabq_spsc_send(&r->ping, &m, 8);
        if (sabq_spsc_recv_wait(&r->pong, &m, 8, SABQ_FOREVER) != 8 || m != i)
            exit(4);
    } else if (strcmp(r->impl, "slot") == 0) {
        uint64_t m = i;
        while (!slot_ring_push_u64(&r->slot_ping, &m))
            bench_relax();
        while (!slot_ring_pop_u64(&r->slot_pong, &m))
            bench_relax();
        if (m != i)
            exit(4);
    } else if (strcmp(r->impl, "atomic") == 0) {
        atomic_store_explicit(&r->line, 2 * i - 1, memory_order_release);
        while (atomic_load_explicit(&r->line, memory_order_acquire) != 2 * i)
            bench_relax();
    } else {
        atomic_store(&r->fa, (uint32_t)i);
        futex_wake(&r->fa);
        while (atomic_load(&r->fb) != (uint32_t)i)
            futex_wait(&r->fb, (uint32_t)i - 1);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: pingpong sabq-spin|sabq-park|slot|atomic|futex\n");
        return 2;
    }
    struct run *r = bench_alloc(sizeof *r);
    r->impl = argv[1];
    int parked = strcmp(r->impl, "sabq-park") == 0 || strcmp(r->impl, "futex") == 0;
    r->rounds = bench_count(parked ? 50000 : 500000) / BLOCK * BLOCK;
    sabq_set_spin(strcmp(r->impl, "sabq-park") == 0 ? 0 : UINT32_MAX - 1);
    size_t size = sabq_spsc_size(4096);
    sabq_spsc_init(&r->ping, bench_alloc(size), size, 4096, 8);
    sabq_spsc_init(&r->pong, bench_alloc(size), size, 4096, 8);
    slot_ring_init(&r->slot_ping, 512, bench_alloc(513 * sizeof(uint64_t)));
    slot_ring_init(&r->slot_pong, 512, bench_alloc(513 * sizeof(uint64_t)));
    pthread_t t;
    pthread_create(&t, NULL, echo, r);
    bench_pin(0);
    bench_probe_side(&r->probe, 1);
    bench_gate_wait(&r->gate, 2);
    uint64_t blocks = r->rounds / BLOCK, *per = calloc(blocks, sizeof *per);
    for (uint64_t b = 0; b < blocks; b++) {
        uint64_t t0 = bench_now();
        for (uint64_t k = 1; k <= BLOCK; k++)
            one_round(r, b * BLOCK + k);
        per[b] = (bench_now() - t0) / BLOCK;
    }
    if (strncmp(r->impl, "sabq", 4) == 0)
        sabq_spsc_close(&r->ping);
    pthread_join(t, NULL);
    qsort(per, blocks, sizeof *per, cmp_u64);
    char extra[64];
    snprintf(extra, sizeof extra, "\"p99\":%llu", (unsigned long long)per[blocks * 99 / 100]);
    bench_emit("round trip", r->impl, parked ? "parked" : "spinning", (double)per[blocks / 2], "ns", extra);
    return 0;
}
