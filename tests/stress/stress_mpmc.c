/* tests/stress/stress_mpmc.c — 4 producers and 4 consumers share one MPMC
 * queue. Each message is (producer, seq, payload). Every consumer checks that
 * the sequence numbers it sees from each producer only grow (per-producer
 * order) and marks each message in a shared bitmap: a second mark is a
 * duplicate, a missing one at the end is a loss. Mixes single and bulk forms. */
#include <errno.h>
#include "stress.h"

#define PRODUCERS 4
#define CONSUMERS 4
#define PAYLOAD 24u

struct msg {
    uint32_t producer;
    uint32_t pad;
    uint64_t seq;
    uint8_t bytes[PAYLOAD - 16];
};

struct mpmc_run {
    sabq_mpmc q;
    uint64_t per_producer;
    _Atomic uint8_t *seen; /* PRODUCERS * per_producer flags */
    _Atomic uint32_t producers_left;
    _Atomic uint64_t received;
};

struct worker {
    struct mpmc_run *run;
    uint32_t id;
};

static void make_msg(struct msg *m, uint32_t producer, uint64_t seq)
{
    m->producer = producer;
    m->pad = 0;
    m->seq = seq;
    for (uint32_t i = 0; i < sizeof m->bytes; i++)
        m->bytes[i] = stress_byte(producer, seq, i);
}

static void *produce(void *arg)
{
    struct worker *w = arg;
    struct mpmc_run *run = w->run;
    struct msg m[4];
    uint64_t seq = 0;
    while (seq < run->per_producer) {
        if (seq % 5 == 4 && seq + 4 <= run->per_producer) {
            sabq_iov iov[4];
            for (int k = 0; k < 4; k++) {
                make_msg(&m[k], w->id, seq + (uint64_t)k);
                iov[k] = (sabq_iov){&m[k], sizeof m[k]};
            }
            int rc = sabq_mpmc_push_bulk(&run->q, iov, 4);
            if (rc == -EAGAIN) {
                rc = STRESS_WAIT(sabq_mpmc_push_wait(&run->q, &m[0], sizeof m[0], stress_timeout_ns));
                stress_require(rc == 0, "push_wait: %s", sabq_strerror(rc));
                seq++;
                continue;
            }
            stress_require(rc > 0, "push_bulk: %s", sabq_strerror(rc));
            seq += (uint64_t)rc;
        } else {
            make_msg(&m[0], w->id, seq);
            int rc = STRESS_WAIT(sabq_mpmc_push_wait(&run->q, &m[0], sizeof m[0], stress_timeout_ns));
            stress_require(rc == 0, "push_wait: %s", sabq_strerror(rc));
            seq++;
        }
    }
    /* The last producer out closes: consumers drain, then see -EPIPE. */
    if (atomic_fetch_sub(&run->producers_left, 1) == 1)
        sabq_mpmc_close(&run->q);
    return NULL;
}

static void accept_msg(struct mpmc_run *run, const struct msg *m, uint32_t len, int64_t *last)
{
    stress_require(len == sizeof *m);
    stress_require(m->producer < PRODUCERS, "bad producer id %u", m->producer);
    stress_require(m->seq < run->per_producer);
    stress_require((int64_t)m->seq > last[m->producer], "producer %u: %llu after %lld (reordered)",
                   m->producer, (unsigned long long)m->seq, (long long)last[m->producer]);
    last[m->producer] = (int64_t)m->seq;
    for (uint32_t i = 0; i < sizeof m->bytes; i++)
        stress_require(m->bytes[i] == stress_byte(m->producer, m->seq, i), "torn payload");
    uint8_t was = atomic_exchange_explicit(&run->seen[m->producer * run->per_producer + m->seq], 1,
                                           memory_order_relaxed);
    stress_require(was == 0, "duplicate: producer %u seq %llu", m->producer,
                   (unsigned long long)m->seq);
}

static void *consume(void *arg)
{
    struct worker *w = arg;
    struct mpmc_run *run = w->run;
    int64_t last[PRODUCERS] = {-1, -1, -1, -1};
    struct msg m[4];
    uint64_t n = 0;
    for (;;) {
        if (w->id % 2) {
            sabq_iov iov[4];
            for (int k = 0; k < 4; k++)
                iov[k] = (sabq_iov){&m[k], sizeof m[k]};
            int rc = sabq_mpmc_pop_bulk(&run->q, iov, 4);
            if (rc > 0) {
                for (int k = 0; k < rc; k++)
                    accept_msg(run, &m[k], iov[k].len, last);
                n += (uint64_t)rc;
                continue;
            }
            if (rc == -EPIPE)
                break;
            stress_require(rc == -EAGAIN, "pop_bulk: %s", sabq_strerror(rc));
        }
        int rc = STRESS_WAIT(sabq_mpmc_pop_wait(&run->q, &m[0], sizeof m[0], stress_timeout_ns));
        if (rc == -EPIPE)
            break;
        stress_require(rc >= 0, "pop_wait: %s", sabq_strerror(rc));
        accept_msg(run, &m[0], (uint32_t)rc, last);
        n++;
    }
    atomic_fetch_add(&run->received, n);
    return NULL;
}

/* 4 producers and 4 consumers through a queue of `slots`, each message
 * checked (see the top of this file). */
static void run_mpmc(const char *label, uint32_t slots, uint64_t per_producer)
{
    struct mpmc_run run = {.per_producer = per_producer};
    size_t size = sabq_mpmc_size(slots, sizeof(struct msg));
    void *mem = stress_region(size);
    cr_assert_eq(sabq_mpmc_init(&run.q, mem, size, slots, sizeof(struct msg)), 0);
    test_mpmc_start_below_wrap(&run.q, 5000); /* cross 2^32 early */
    run.seen = calloc(PRODUCERS * run.per_producer, 1);
    cr_assert_not_null(run.seen);
    atomic_store(&run.producers_left, PRODUCERS);
    uint64_t t0 = sabq_now_ns();
    pthread_t t[PRODUCERS + CONSUMERS];
    struct worker w[PRODUCERS + CONSUMERS];
    for (uint32_t i = 0; i < PRODUCERS + CONSUMERS; i++) {
        w[i] = (struct worker){&run, i < PRODUCERS ? i : i - PRODUCERS};
        cr_assert_eq(pthread_create(&t[i], NULL, i < PRODUCERS ? produce : consume, &w[i]), 0);
    }
    for (int i = 0; i < PRODUCERS + CONSUMERS; i++)
        cr_assert_eq(pthread_join(t[i], NULL), 0);
    uint64_t total = PRODUCERS * run.per_producer;
    cr_assert_eq(atomic_load(&run.received), total);
    for (uint64_t i = 0; i < total; i++)
        cr_assert_eq(atomic_load_explicit(&run.seen[i], memory_order_relaxed), 1,
                     "lost: producer %llu seq %llu", (unsigned long long)(i / run.per_producer),
                     (unsigned long long)(i % run.per_producer));
    stress_report(label, total, t0);
    free((void *)run.seen);
    free(mem);
}

Test(stress, mpmc_4x4_no_loss_duplication_or_reordering, .timeout = 900)
{
    run_mpmc("mpmc 4x4", 1024, stress_count(2500000));
}

Test(soak, mpmc_4x4_10e8_messages, .timeout = SOAK_TIMEOUT_S)
{
    SOAK_ONLY();
    run_mpmc("soak mpmc 4x4", 1024, 25000000);
}

/* Spin 0: every wait parks at once, so nearly every message on a 4-slot
 * queue goes through a park and a wake. A lost wake-up would leave a thread
 * asleep for its whole (10 s) timeout, which STRESS_WAIT fails. */
Test(stress, mpmc_4x4_parking_at_every_wait, .timeout = 900)
{
    sabq_set_spin(0);
    stress_timeout_ns = 10ull * 1000000000ull;
    run_mpmc("mpmc 4x4, spin 0, 4 slots", 4, stress_count(50000));
}

/* Close while consumers lag. Six consumers spin on pop against two producers
 * and a 4-slot queue on fewer cores than threads, so a consumer is often
 * preempted between looking at an empty slot and seeing the close: by then the
 * others have drained the queue and head is far past its stale tail. That must
 * read as "try again", then the end -- never -EPROTO (a bug CI caught under
 * ASan). Each message is (producer, sequence): every consumer checks each
 * producer's sequence only grows, and marks the message seen; a second mark
 * is a duplicate, a missing one a loss (a count and a sum alone would let a
 * loss and a duplicate of the same value cancel). */
#define LAG_PRODUCERS 2
#define LAG_CONSUMERS 6
#define LAG_PER_PRODUCER 2000u

struct lag_msg {
    uint32_t producer, seq;
};

struct lag_run {
    sabq_mpmc q;
    _Atomic uint32_t producers_left;
    _Atomic uint8_t seen[LAG_PRODUCERS][LAG_PER_PRODUCER];
};

struct lag_worker {
    struct lag_run *run;
    uint32_t id;
};

static void *lag_produce(void *arg)
{
    struct lag_worker *w = arg;
    for (uint32_t i = 0; i < LAG_PER_PRODUCER; i++) {
        struct lag_msg m = {w->id, i};
        int rc;
        while ((rc = sabq_mpmc_push(&w->run->q, &m, sizeof m)) == -EAGAIN) {
        } /* spin too: push_wait would yield, and the spinning consumers keep the CPUs */
        stress_require(rc == 0, "push: %s", sabq_strerror(rc));
    }
    if (atomic_fetch_sub(&w->run->producers_left, 1) == 1)
        sabq_mpmc_close(&w->run->q);
    return NULL;
}

static void *lag_consume(void *arg)
{
    struct lag_run *run = arg;
    int64_t last[LAG_PRODUCERS] = {-1, -1};
    struct lag_msg m;
    for (;;) {
        int rc = sabq_mpmc_pop(&run->q, &m, sizeof m);
        if (rc == -EAGAIN)
            continue; /* spin: no yield, so preemption lands anywhere */
        if (rc == -EPIPE)
            return NULL;
        stress_require(rc == (int)sizeof m, "pop: %s", sabq_strerror(rc));
        stress_require(m.producer < LAG_PRODUCERS && m.seq < LAG_PER_PRODUCER, "message (%u, %u)",
                       m.producer, m.seq);
        stress_require((int64_t)m.seq > last[m.producer], "producer %u: %u after %lld", m.producer,
                       m.seq, (long long)last[m.producer]);
        last[m.producer] = m.seq;
        stress_require(atomic_exchange(&run->seen[m.producer][m.seq], 1) == 0,
                       "duplicate: producer %u message %u", m.producer, m.seq);
    }
}

Test(stress, mpmc_close_with_lagging_consumers, .timeout = 900)
{
    size_t size = sabq_mpmc_size(4, sizeof(struct lag_msg));
    void *mem = stress_region(size);
    struct lag_run *run = calloc(1, sizeof *run);
    cr_assert_not_null(run);
    uint64_t rounds = stress_count(100);
    uint64_t t0 = sabq_now_ns();
    for (uint64_t round = 0; round < rounds; round++) {
        memset(run, 0, sizeof *run);
        cr_assert_eq(sabq_mpmc_init(&run->q, mem, size, 4, sizeof(struct lag_msg)), 0);
        if (round % 2)
            test_mpmc_start_below_wrap(&run->q, 1000); /* half the rounds cross 2^32 */
        atomic_init(&run->producers_left, LAG_PRODUCERS);
        pthread_t t[LAG_PRODUCERS + LAG_CONSUMERS];
        struct lag_worker w[LAG_PRODUCERS];
        for (int i = 0; i < LAG_PRODUCERS + LAG_CONSUMERS; i++) {
            if (i < LAG_PRODUCERS) {
                w[i] = (struct lag_worker){run, (uint32_t)i};
                cr_assert_eq(pthread_create(&t[i], NULL, lag_produce, &w[i]), 0);
            } else {
                cr_assert_eq(pthread_create(&t[i], NULL, lag_consume, run), 0);
            }
        }
        for (int i = 0; i < LAG_PRODUCERS + LAG_CONSUMERS; i++)
            cr_assert_eq(pthread_join(t[i], NULL), 0);
        for (uint32_t p = 0; p < LAG_PRODUCERS; p++)
            for (uint32_t i = 0; i < LAG_PER_PRODUCER; i++)
                cr_assert_eq(atomic_load(&run->seen[p][i]), 1, "round %llu: lost producer %u message %u",
                             (unsigned long long)round, p, i);
    }
    stress_report("mpmc close with lagging consumers", rounds * LAG_PRODUCERS * LAG_PER_PRODUCER,
                  t0);
    free(run);
    free(mem);
}
