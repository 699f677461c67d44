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
                rc = sabq_mpmc_push_wait(&run->q, &m[0], sizeof m[0], STRESS_TIMEOUT_NS);
                cr_assert_eq(rc, 0, "push_wait: %s", sabq_strerror(rc));
                seq++;
                continue;
            }
            cr_assert_gt(rc, 0, "push_bulk: %s", sabq_strerror(rc));
            seq += (uint64_t)rc;
        } else {
            make_msg(&m[0], w->id, seq);
            int rc = sabq_mpmc_push_wait(&run->q, &m[0], sizeof m[0], STRESS_TIMEOUT_NS);
            cr_assert_eq(rc, 0, "push_wait: %s", sabq_strerror(rc));
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
    cr_assert_eq(len, sizeof *m);
    cr_assert_lt(m->producer, PRODUCERS, "bad producer id %u", m->producer);
    cr_assert_lt(m->seq, run->per_producer);
    cr_assert_gt((int64_t)m->seq, last[m->producer], "producer %u: %llu after %lld (reordered)",
                 m->producer, (unsigned long long)m->seq, (long long)last[m->producer]);
    last[m->producer] = (int64_t)m->seq;
    for (uint32_t i = 0; i < sizeof m->bytes; i++)
        cr_assert_eq(m->bytes[i], stress_byte(m->producer, m->seq, i), "torn payload");
    uint8_t was = atomic_exchange_explicit(&run->seen[m->producer * run->per_producer + m->seq], 1,
                                           memory_order_relaxed);
    cr_assert_eq(was, 0, "duplicate: producer %u seq %llu", m->producer,
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
            cr_assert_eq(rc, -EAGAIN, "pop_bulk: %s", sabq_strerror(rc));
        }
        int rc = sabq_mpmc_pop_wait(&run->q, &m[0], sizeof m[0], STRESS_TIMEOUT_NS);
        if (rc == -EPIPE)
            break;
        cr_assert_geq(rc, 0, "pop_wait: %s", sabq_strerror(rc));
        accept_msg(run, &m[0], (uint32_t)rc, last);
        n++;
    }
    atomic_fetch_add(&run->received, n);
    return NULL;
}

Test(stress, mpmc_4x4_no_loss_duplication_or_reordering, .timeout = 900)
{
    struct mpmc_run run = {.per_producer = stress_count(2500000)};
    size_t size = sabq_mpmc_size(1024, sizeof(struct msg));
    void *mem = stress_region(size);
    cr_assert_eq(sabq_mpmc_init(&run.q, mem, size, 1024, sizeof(struct msg)), 0);
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
    stress_report("mpmc 4x4", total, t0);
    free((void *)run.seen);
    free(mem);
}
