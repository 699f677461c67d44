/* bench/native/mpmc_tput.c — P producers and C consumers through one bounded
 * queue of 1024 slots, 8-byte messages: messages per second, and the longest
 * pauses of the whole queue: every 64 messages a consumer swaps the time into
 * one shared word, and the gap to the previous swap (by any consumer) is
 * recorded; p99 and max of those gaps show multi-millisecond stalls.
 *   mpmc_tput IMPL P C      IMPL: sabq | ck | wfcq | boost-queue | ccq | mutex
 * ck: concurrencykit's ck_ring MPMC, typed (by value); wfcq: liburcu's
 * wait-free concurrent queue — unbounded, nodes preallocated per producer so
 * malloc is not measured; boost-queue: boost::lockfree::queue with 1024
 * preallocated nodes (peer_cxx.h); ccq: moodycamel's ConcurrentQueue,
 * unbounded, one sub-queue per producer, preallocated for 1024 messages and
 * growing as it must (peer_cxx.h); mutex: peer_mutex_queue.h. Threads are
 * pinned one per CPU when there are enough CPUs, and left to the scheduler
 * otherwise. Waiting: sabq uses its blocking forms (spin, then park); the
 * peers that cannot park spin the same number of times and then yield the
 * CPU (bench_backoff). The placement probe runs first, between two threads
 * of its own pinned to the CPUs the first producer and consumer use. */
#include <ck_ring.h>
#include <errno.h>
#include <urcu/wfcqueue.h>
#include <sabq/sabq.h>
#include "harness.h"
#include "peer_cxx.h"
#include "peer_mutex_queue.h"

struct m8 { uint64_t v; };
CK_RING_PROTOTYPE(m8, m8)

struct node {
    struct cds_wfcq_node link;
    uint64_t v;
};

#define SAMPLE 64

/* The implementation, chosen once: every loop below tests it per message,
 * and an integer compare costs every implementation the same. */
enum kind { SABQ, CK, WFCQ, BOOST_QUEUE, CCQ, MUTEX };
static const char *const KIND_NAMES[] = {"sabq", "ck", "wfcq", "boost-queue", "ccq", "mutex"};

struct run {
    const char *impl;
    enum kind kind;
    int producers, consumers;
    uint64_t per_producer;
    struct bench_gate gate;
    sabq_mpmc q;
    struct ck_ring ck;
    struct m8 *ck_buf;
    struct cds_wfcq_head wf_head;
    struct cds_wfcq_tail wf_tail;
    void *cxx; /* boost-queue, ccq */
    struct mq mq;
    _Atomic uint64_t consumed;
    _Atomic int producers_left;
    uint64_t *gaps; /* per consumer: sampled inter-arrival times */
    uint64_t gaps_per_consumer;
    _Atomic uint64_t gap_count;
    _Alignas(64) _Atomic uint64_t last_progress;
};

struct worker {
    struct run *r;
    int id;
};

/* The peers' retry: spin like sabq does, then give the CPU away. */
static void backoff(uint32_t *spins)
{
    bench_backoff(spins, SABQ_SPIN_DEFAULT);
}

static void pin_if_room(struct run *r, int id)
{
    if (r->producers + r->consumers <= sysconf(_SC_NPROCESSORS_ONLN))
        bench_pin(id);
}

static void *produce(void *arg)
{
    struct worker *w = arg;
    struct run *r = w->r;
    pin_if_room(r, w->id);
    struct node *nodes = NULL;
    void *token = r->kind == CCQ ? ccq_producer_new(r->cxx, 8) : NULL;
    if (r->kind == WFCQ) {
        nodes = calloc(r->per_producer, sizeof *nodes);
        for (uint64_t i = 0; i < r->per_producer; i++)
            cds_wfcq_node_init(&nodes[i].link);
    }
    bench_gate_wait(&r->gate, r->producers + r->consumers);
    for (uint64_t i = 0; i < r->per_producer; i++) {
        uint64_t v = ((uint64_t)w->id << 48) | i;
        if (r->kind == SABQ) {
            if (sabq_mpmc_push_wait(&r->q, &v, 8, SABQ_FOREVER) != 0)
                exit(4);
        } else if (r->kind == CK) {
            struct m8 m = {v};
            uint32_t spins = 0;
            while (!ck_ring_enqueue_mpmc_m8(&r->ck, r->ck_buf, &m))
                backoff(&spins);
        } else if (r->kind == WFCQ) {
            nodes[i].v = v;
            cds_wfcq_enqueue(&r->wf_head, &r->wf_tail, &nodes[i].link);
        } else if (r->kind == BOOST_QUEUE) {
            uint32_t spins = 0;
            while (!boost_queue_push(r->cxx, v))
                backoff(&spins);
        } else if (r->kind == CCQ) {
            /* unbounded: allocates a block when its own are full (peer_cxx.h) */
            if (!ccq_push(r->cxx, token, 8, &v))
                exit(4);
        } else {
            mq_push(&r->mq, &v);
        }
    }
    if (atomic_fetch_sub(&r->producers_left, 1) == 1) {
        if (r->kind == SABQ)
            sabq_mpmc_close(&r->q);
        else if (r->kind == MUTEX)
            mq_close(&r->mq);
    }
    /* wfcq nodes stay allocated until exit: a consumer may still hold one. */
    return NULL;
}

/* One message, or 0 when everything has been consumed. `pending` counts
 * messages this consumer took but has not yet added to r->consumed (the
 * shared count is only needed to know when ck and wfcq are done). */
static int take(struct run *r, void *token, uint64_t *v, uint64_t *pending)
{
    uint64_t total = (uint64_t)r->producers * r->per_producer;
    uint32_t spins = 0;
    for (;;) {
        if (r->kind == SABQ) {
            int rc = sabq_mpmc_pop_wait(&r->q, v, 8, SABQ_FOREVER);
            return rc == 8;
        } else if (r->kind == CK) {
            struct m8 m;
            if (ck_ring_dequeue_mpmc_m8(&r->ck, r->ck_buf, &m)) {
                *v = m.v;
                return 1;
            }
        } else if (r->kind == WFCQ) {
            struct cds_wfcq_node *n = cds_wfcq_dequeue_blocking(&r->wf_head, &r->wf_tail);
            if (n) {
                *v = caa_container_of(n, struct node, link)->v;
                return 1;
            }
        } else if (r->kind == BOOST_QUEUE) {
            if (boost_queue_pop(r->cxx, v))
                return 1;
        } else if (r->kind == CCQ) {
            if (ccq_pop(r->cxx, token, 8, v))
                return 1;
        } else {
            return mq_pop(&r->mq, v);
        }
        atomic_fetch_add_explicit(&r->consumed, *pending, memory_order_relaxed);
        *pending = 0;
        if (atomic_load_explicit(&r->consumed, memory_order_relaxed) >= total)
            return 0;
        backoff(&spins);
    }
}

static void *consume(void *arg)
{
    struct worker *w = arg;
    struct run *r = w->r;
    pin_if_room(r, w->id);
    uint64_t last[64] = {0}, v, n = 0, mark = 0, pending = 0;
    uint64_t *gaps = r->gaps + (uint64_t)(w->id - r->producers) * r->gaps_per_consumer, ngaps = 0;
    void *token = r->kind == CCQ ? ccq_consumer_new(r->cxx, 8) : NULL;
    bench_gate_wait(&r->gate, r->producers + r->consumers);
    while (take(r, token, &v, &pending)) {
        int p = (int)(v >> 48);
        uint64_t seq = v & 0xffffffffffffull;
        if (seq + 1 <= last[p] && seq != 0) {
            fprintf(stderr, "mpmc_tput: producer %d reordered\n", p);
            exit(4);
        }
        last[p] = seq + 1;
        pending++;
        if (++n % SAMPLE == 0) {
            uint64_t now = bench_now();
            mark = atomic_exchange_explicit(&r->last_progress, now, memory_order_relaxed);
            if (mark && now > mark && ngaps < r->gaps_per_consumer)
                gaps[ngaps++] = now - mark;
        }
    }
    atomic_fetch_add(&r->consumed, pending);
    atomic_fetch_add(&r->gap_count, ngaps);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: mpmc_tput sabq|ck|wfcq|boost-queue|ccq|mutex P C\n");
        return 2;
    }
    struct run *r = bench_alloc(sizeof *r);
    r->impl = argv[1];
    r->kind = (enum kind) - 1;
    for (int k = SABQ; k <= MUTEX; k++)
        if (strcmp(r->impl, KIND_NAMES[k]) == 0)
            r->kind = (enum kind)k;
    r->producers = atoi(argv[2]);
    r->consumers = atoi(argv[3]);
    if ((int)r->kind < 0 || r->producers < 1 || r->consumers < 1 || r->producers > 64 || r->consumers > 64) {
        fprintf(stderr, "usage: mpmc_tput sabq|ck|wfcq|boost-queue|ccq|mutex P C (1 to 64 each)\n");
        return 2;
    }
    uint64_t total = bench_count(4000000);
    r->per_producer = total / (uint64_t)r->producers;
    total = r->per_producer * (uint64_t)r->producers;
    size_t size = sabq_mpmc_size(1024, 8);
    sabq_mpmc_init(&r->q, bench_alloc(size), size, 1024, 8);
    ck_ring_init(&r->ck, 1024);
    r->ck_buf = bench_alloc(1024 * sizeof(struct m8));
    cds_wfcq_init(&r->wf_head, &r->wf_tail);
    if (r->kind == BOOST_QUEUE)
        r->cxx = boost_queue_new();
    else if (r->kind == CCQ)
        r->cxx = ccq_new(8);
    mq_init(&r->mq, 1024, 8);
    atomic_store(&r->producers_left, r->producers);
    r->gaps_per_consumer = total / SAMPLE + 1;
    r->gaps = calloc((size_t)r->consumers * r->gaps_per_consumer, sizeof *r->gaps);
    int threads = r->producers + r->consumers;
    pthread_t t[128];
    struct worker w[128];
    bench_probe_pair(0, 1);
    uint64_t t0 = bench_now();
    for (int i = 0; i < threads; i++) {
        w[i] = (struct worker){r, i};
        pthread_create(&t[i], NULL, i < r->producers ? produce : consume, &w[i]);
    }
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    uint64_t ns = bench_now() - t0;
    if (atomic_load(&r->consumed) != total) {
        fprintf(stderr, "mpmc_tput: consumed %llu of %llu\n", (unsigned long long)atomic_load(&r->consumed),
                (unsigned long long)total);
        return 4;
    }
    /* Gather the sampled gaps of all consumers (zeros are unused entries). */
    uint64_t n = 0;
    for (uint64_t i = 0; i < (uint64_t)r->consumers * r->gaps_per_consumer; i++)
        if (r->gaps[i])
            r->gaps[n++] = r->gaps[i];
    qsort(r->gaps, n, sizeof *r->gaps, cmp_u64);
    char param[16], extra[96];
    snprintf(param, sizeof param, "%dx%d", r->producers, r->consumers);
    snprintf(extra, sizeof extra, "\"gap_p99_us\":%.1f,\"gap_max_us\":%.1f",
             n ? (double)r->gaps[n * 99 / 100] / 1e3 : 0.0, n ? (double)r->gaps[n - 1] / 1e3 : 0.0);
    bench_emit("mpmc throughput", r->impl, param, (double)total / ((double)ns / 1e9) / 1e6, "Mmsg/s", extra);
    return 0;
}
