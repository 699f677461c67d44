/* tests/test_hostile.c — a peer that scribbles random values over the fields
 * it writes, while this side keeps calling the API. Each call must return a
 * documented result (usually -EPROTO), never touch memory outside the region
 * (the region is allocated to the byte, so ASan sees any overrun) and never
 * hang (every blocking call has a short timeout; Criterion's timeout catches a
 * loop). Skipped under TSan: the races are the point. */
#include <errno.h>
#include "test_util.h"

#define RUN_NS (300 * MS)

struct scribbler {
    uint8_t *base;
    const uint32_t *offsets; /* byte offsets of the words to attack */
    uint32_t n_offsets;
    uint32_t data_from, data_to; /* and any aligned word in this range */
    int forge_seals; /* SPSC: also forge records the consumer will believe */
    _Atomic int stop;
};

static uint32_t xorshift(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

/* Values that hit edge cases more often than uniform noise would. */
static uint32_t nasty(uint32_t *seed)
{
    uint32_t r = xorshift(seed);
    switch (r & 7) {
    case 0: return 0;
    case 1: return 0xffffffffu;
    case 2: return 0x80000000u + (r >> 16);
    case 3: return r >> 20; /* small */
    default: return xorshift(seed);
    }
}

static void *scribble(void *arg)
{
    struct scribbler *s = arg;
    uint32_t seed = 0x9e3779b9u;
    while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
        uint32_t off;
        if (s->forge_seals && (xorshift(&seed) & 3) == 0) {
            /* A header at the consumer's tail (or at the area's start, where a
             * padding record sends it) with the very seal it waits for and a
             * nasty length: the seal is believed, the length must be checked. */
            uint32_t cap = s->data_to - s->data_from;
            uint32_t tail = __atomic_load_n((uint32_t *)(s->base + 128), __ATOMIC_RELAXED);
            uint32_t pos = (xorshift(&seed) & 1) ? tail : tail + (cap - (tail & (cap - 1)));
            uint8_t *rec = s->base + s->data_from + (pos & (cap - 1) & ~7u);
            uint32_t pick = xorshift(&seed) % 4;
            if (pick == 3) {
                /* The consumer's own run position, set to a run it is inside
                 * with a plausible length: each element must still be checked. */
                __atomic_store_n((uint32_t *)(s->base + 140), xorshift(&seed) % cap, __ATOMIC_RELAXED);
                __atomic_store_n((uint32_t *)(s->base + 136), tail + 8 + (xorshift(&seed) % cap & ~7u),
                                 __ATOMIC_RELAXED);
                continue;
            }
            uint32_t len = pick == 0 ? SABQ_REC_PAD : pick == 1 ? SABQ_REC_RUN : nasty(&seed);
            if (len == SABQ_REC_RUN && (pos & (cap - 1) & ~7u) + SABQ_RUN_HDR <= cap) {
                /* a run: its element length and count must be checked too;
                 * plausible values often, so that some pass the first checks */
                uint32_t elem = (xorshift(&seed) & 1) ? xorshift(&seed) % cap : nasty(&seed);
                uint32_t count = (xorshift(&seed) & 1) ? xorshift(&seed) % cap : nasty(&seed);
                __atomic_store_n((uint32_t *)(rec + 8), elem, __ATOMIC_RELAXED);
                __atomic_store_n((uint32_t *)(rec + 12), count, __ATOMIC_RELAXED);
            }
            __atomic_store_n((uint32_t *)rec, len, __ATOMIC_RELAXED);
            __atomic_store_n((uint32_t *)(rec + 4), SABQ_SEAL(pos), __ATOMIC_RELEASE);
            continue;
        }
        if (s->data_to > s->data_from && (xorshift(&seed) & 1))
            off = s->data_from + (xorshift(&seed) % ((s->data_to - s->data_from) / 4)) * 4;
        else
            off = s->offsets[xorshift(&seed) % s->n_offsets];
        __atomic_store_n((uint32_t *)(s->base + off), nasty(&seed), __ATOMIC_RELAXED);
    }
    return NULL;
}

static pthread_t start_scribbler(struct scribbler *s)
{
    atomic_store(&s->stop, 0);
    return test_spawn(scribble, s);
}

static void stop_scribbler(struct scribbler *s, pthread_t t)
{
    atomic_store(&s->stop, 1);
    test_join(t);
}

#define EXPECT_ONE_OF(rc, ...)                                                          \
    do {                                                                                \
        int rc_ = (rc), allowed_[] = {__VA_ARGS__};                                     \
        int ok_ = 0;                                                                    \
        for (size_t i_ = 0; i_ < sizeof allowed_ / sizeof allowed_[0]; i_++)            \
            ok_ |= rc_ == allowed_[i_];                                                 \
        cr_assert(ok_, "%s returned %d (%s)", #rc, rc_, sabq_strerror(rc_));           \
    } while (0)

#define SKIP_UNDER_TSAN()                                                               \
    do {                                                                                \
        if (SABQ_TEST_TSAN)                                                             \
            cr_skip_test("data races are intended here");                               \
    } while (0)

/* Producer fields (head, record headers and seals, closed, wake words)
 * attacked while the consumer reads, with forged seals and runs among them,
 * and the consumer's own run position (a peer could write anywhere). */
Test(hostile, spsc_consumer_survives_a_scribbling_producer, .timeout = 60)
{
    SKIP_UNDER_TSAN();
    uint32_t cap = 1024;
    size_t size = sabq_spsc_size(cap);
    void *mem = test_region(size);
    sabq_spsc r;
    cr_assert_eq(sabq_spsc_init(&r, mem, size, cap, 0), 0);
    static const uint32_t words[] = {64, 28, 192, 196, 200, 204, 136, 140};
    struct scribbler s = {mem, words, 8, 256, 256 + cap, 1, 0};
    pthread_t t = start_scribbler(&s);
    uint8_t buf[1024];
    uint64_t calls = 0, end = sabq_now_ns() + RUN_NS;
    while (sabq_now_ns() < end) {
        sabq_spsc_view v;
        int rc = sabq_spsc_peek(&r, &v);
        EXPECT_ONE_OF(rc < 0 ? rc : 0, 0, -EAGAIN, -EPIPE, -EPROTO);
        if (rc >= 0) {
            cr_assert_leq(v.len, r.msg_max);
            cr_assert((const uint8_t *)v.data >= r.data &&
                      (const uint8_t *)v.data + v.len <= r.data + r.cap, "view outside the area");
            volatile uint8_t sink = v.len ? ((const uint8_t *)v.data)[v.len - 1] : 0;
            (void)sink;
            int n = sabq_spsc_peek_next(&r, &v);
            EXPECT_ONE_OF(n < 0 ? n : 0, 0, -EAGAIN, -EPIPE, -EPROTO);
            cr_assert((const uint8_t *)v.data >= r.data &&
                      (const uint8_t *)v.data + v.len <= r.data + r.cap, "next view outside the area");
            sabq_spsc_release(&r, &v);
        }
        rc = sabq_spsc_recv(&r, buf, sizeof buf);
        EXPECT_ONE_OF(rc < 0 ? rc : 0, 0, -EAGAIN, -EPIPE, -EPROTO, -EMSGSIZE);
        sabq_iov iov[4] = {{buf, 256}, {buf + 256, 256}, {buf + 512, 256}, {buf + 768, 256}};
        rc = sabq_spsc_recv_batch(&r, iov, 4);
        EXPECT_ONE_OF(rc < 0 ? rc : 0, 0, -EAGAIN, -EPIPE, -EPROTO, -EMSGSIZE);
        rc = sabq_spsc_recv_wait(&r, buf, sizeof buf, 100000);
        EXPECT_ONE_OF(rc < 0 ? rc : 0, 0, -ETIMEDOUT, -EPIPE, -EPROTO, -EMSGSIZE);
        (void)sabq_spsc_used(&r);
        /* The consumer's own index must be sane, or the producer side is the
         * one at fault: reset it the way a fresh consumer would find it. */
        calls += 5;
    }
    stop_scribbler(&s, t);
    cr_log_info("spsc consumer: %llu calls under attack", (unsigned long long)calls);
    free(mem);
}

/* Consumer fields (tail, closed, wake words) attacked while the producer writes. */
Test(hostile, spsc_producer_survives_a_scribbling_consumer, .timeout = 60)
{
    SKIP_UNDER_TSAN();
    uint32_t cap = 1024;
    size_t size = sabq_spsc_size(cap);
    void *mem = test_region(size);
    sabq_spsc r;
    cr_assert_eq(sabq_spsc_init(&r, mem, size, cap, 0), 0);
    static const uint32_t words[] = {128, 28, 192, 196, 200, 204};
    struct scribbler s = {mem, words, 6, 0, 0, 0, 0};
    pthread_t t = start_scribbler(&s);
    uint8_t buf[512] = {0};
    uint32_t seed = 1;
    uint64_t end = sabq_now_ns() + RUN_NS;
    while (sabq_now_ns() < end) {
        uint32_t len = xorshift(&seed) % 500;
        int rc = sabq_spsc_send(&r, buf, len);
        EXPECT_ONE_OF(rc, 0, -EAGAIN, -EPIPE, -EPROTO);
        sabq_spsc_resv w;
        rc = sabq_spsc_reserve(&r, len, &w);
        EXPECT_ONE_OF(rc, 0, -EAGAIN, -EPIPE, -EPROTO);
        if (rc == 0) {
            cr_assert((uint8_t *)w.data >= r.data && (uint8_t *)w.data + w.len <= r.data + r.cap);
            memset(w.data, 0x5a, w.len);
            EXPECT_ONE_OF(sabq_spsc_commit(&r, &w, len), 0, -EPROTO);
        }
        sabq_iov iov[3] = {{buf, 8}, {buf, 100}, {buf, 300}};
        rc = sabq_spsc_send_batch(&r, iov, 3);
        EXPECT_ONE_OF(rc < 0 ? rc : 0, 0, -EAGAIN, -EPIPE, -EPROTO);
        rc = sabq_spsc_send_wait(&r, buf, len, 100000);
        EXPECT_ONE_OF(rc, 0, -ETIMEDOUT, -EPIPE, -EPROTO);
    }
    stop_scribbler(&s, t);
    free(mem);
}

Test(hostile, pipe_both_sides_survive_scribbling, .timeout = 60)
{
    SKIP_UNDER_TSAN();
    uint32_t cap = 512;
    size_t size = sabq_pipe_size(cap);
    void *mem = test_region(size);
    sabq_pipe p;
    cr_assert_eq(sabq_pipe_init(&p, mem, size, cap), 0);
    /* Both indices at once: each side sees a corrupt peer and its own index
     * moved under it, the worst case. */
    static const uint32_t words[] = {64, 128, 28, 192, 200};
    struct scribbler s = {mem, words, 5, 0, 0, 0, 0};
    pthread_t t = start_scribbler(&s);
    uint8_t buf[1024] = {0};
    uint64_t end = sabq_now_ns() + RUN_NS;
    while (sabq_now_ns() < end) {
        int rc = sabq_pipe_write(&p, buf, 700);
        EXPECT_ONE_OF(rc > 0 ? 1 : rc, 1, -EAGAIN, -EPIPE, -EPROTO);
        cr_assert_leq(rc, (int)cap);
        rc = sabq_pipe_read(&p, buf, sizeof buf);
        EXPECT_ONE_OF(rc > 0 ? 1 : rc, 1, 0, -EAGAIN, -EPROTO);
        cr_assert_leq(rc, (int)cap);
        void *ws;
        rc = sabq_pipe_write_span(&p, &ws);
        if (rc > 0) {
            cr_assert((uint8_t *)ws >= p.data && (uint8_t *)ws + rc <= p.data + p.cap);
            memset(ws, 1, (size_t)rc);
            EXPECT_ONE_OF(sabq_pipe_write_commit(&p, (uint32_t)rc), 0, -EINVAL, -EPIPE, -EPROTO);
        }
        const void *rs;
        rc = sabq_pipe_read_span(&p, &rs);
        if (rc > 0) {
            cr_assert((const uint8_t *)rs >= p.data && (const uint8_t *)rs + rc <= p.data + p.cap);
            EXPECT_ONE_OF(sabq_pipe_read_consume(&p, (uint32_t)rc), 0, -EINVAL, -EPROTO);
        }
        rc = sabq_pipe_read_wait(&p, buf, 10, 100000);
        EXPECT_ONE_OF(rc > 0 ? 1 : rc, 1, 0, -ETIMEDOUT, -EPROTO);
        rc = sabq_pipe_write_all(&p, buf, 1000, 100000);
        EXPECT_ONE_OF(rc > 0 ? 1 : rc, 1, -ETIMEDOUT, -EPIPE, -EPROTO);
    }
    stop_scribbler(&s, t);
    free(mem);
}

Test(hostile, mpmc_survives_scribbled_turns_and_indices, .timeout = 60)
{
    SKIP_UNDER_TSAN();
    uint32_t slots = 16, msg_max = 24;
    size_t size = sabq_mpmc_size(slots, msg_max);
    void *mem = test_region(size);
    sabq_mpmc q;
    cr_assert_eq(sabq_mpmc_init(&q, mem, size, slots, msg_max), 0);
    static const uint32_t words[] = {64, 128, 28, 192, 200};
    struct scribbler s = {mem, words, 5, 256, (uint32_t)size, 0, 0};
    pthread_t t = start_scribbler(&s);
    uint8_t buf[64] = {0};
    uint64_t end = sabq_now_ns() + RUN_NS;
    while (sabq_now_ns() < end) {
        int rc = sabq_mpmc_push(&q, buf, 24);
        EXPECT_ONE_OF(rc, 0, -EAGAIN, -EPIPE, -EPROTO);
        rc = sabq_mpmc_pop(&q, buf, sizeof buf);
        EXPECT_ONE_OF(rc >= 0 ? 1 : rc, 1, -EAGAIN, -EPIPE, -EPROTO);
        cr_assert_leq(rc, (int)msg_max, "a length beyond the slot escaped");
        uint8_t a[64], b[64];
        sabq_iov in[2] = {{a, 24}, {b, 24}}, out[2] = {{a, 64}, {b, 64}};
        rc = sabq_mpmc_push_bulk(&q, in, 2);
        EXPECT_ONE_OF(rc > 0 ? 1 : rc, 1, -EAGAIN, -EPIPE, -EPROTO);
        rc = sabq_mpmc_pop_bulk(&q, out, 2);
        EXPECT_ONE_OF(rc > 0 ? 1 : rc, 1, -EAGAIN, -EPIPE, -EPROTO);
        rc = sabq_mpmc_pop_wait(&q, buf, sizeof buf, 100000);
        EXPECT_ONE_OF(rc >= 0 ? 1 : rc, 1, -ETIMEDOUT, -EPIPE, -EPROTO);
        rc = sabq_mpmc_push_wait(&q, buf, 8, 100000);
        EXPECT_ONE_OF(rc, 0, -ETIMEDOUT, -EPIPE, -EPROTO);
    }
    stop_scribbler(&s, t);
    free(mem);
}

/* Random headers: attach either refuses them or yields a geometry that fits. */
Test(hostile, attach_never_trusts_a_random_header)
{
    size_t size = 8192;
    void *mem = test_region(size);
    uint32_t seed = 12345;
    int accepted = 0;
    for (int i = 0; i < 100000; i++) {
        uint32_t *w = mem;
        w[0] = SABQ_MAGIC;
        w[1] = SABQ_VERSION | (uint32_t)(1 + i % 3) << 16;
        for (int k = 2; k < 8; k++)
            w[k] = (xorshift(&seed) & 1) ? nasty(&seed) : xorshift(&seed) % 9000;
        /* Half the time, fields that pass the cheap checks, so the geometry
         * checks behind them are exercised too. */
        if (i & 1) {
            uint32_t cap = 1u << (xorshift(&seed) % 14);
            w[2] = cap;                                  /* capacity */
            w[3] = (xorshift(&seed) & 1) ? cap / 4 : w[3]; /* msg_max */
            w[4] = (xorshift(&seed) & 1) ? sabq_mpmc_stride(w[3]) : w[4];
            w[5] = SABQ_DATA_OFFSET;
            w[6] = (xorshift(&seed) & 1) ? SABQ_DATA_OFFSET + cap : w[6];
        }
        sabq_spsc r;
        sabq_pipe p;
        sabq_mpmc q;
        int rc = sabq_spsc_attach(&r, mem, size);
        if (rc == 0) {
            cr_assert_leq(SABQ_DATA_OFFSET + (size_t)r.cap, size);
            accepted++;
        } else {
            cr_assert_eq(rc, -EPROTO);
        }
        rc = sabq_pipe_attach(&p, mem, size);
        if (rc == 0)
            cr_assert_leq(SABQ_DATA_OFFSET + (size_t)p.cap, size);
        else
            cr_assert_eq(rc, -EPROTO);
        rc = sabq_mpmc_attach(&q, mem, size);
        if (rc == 0)
            cr_assert_leq(SABQ_DATA_OFFSET + (size_t)q.cap * q.stride, size);
        else
            cr_assert_eq(rc, -EPROTO);
    }
    cr_log_info("random headers accepted: %d", accepted);
    free(mem);
}

/* ---- where -EPROTO is the defined outcome, it must be what comes back ------- */

/* SPSC: indices and a record that cannot be, each met by the call that reads it. */
Test(hostile, spsc_corrupt_values_give_eproto)
{
    uint32_t cap = 256;
    size_t size = sabq_spsc_size(cap);
    void *mem = test_region(size);
    sabq_spsc r;
    uint8_t buf[256] = {0};
    struct sabq_region *s = mem;

    /* the consumer's tail ahead of everything the producer wrote */
    cr_assert_eq(sabq_spsc_init(&r, mem, size, cap, 0), 0);
    s->prod.tail_cache = 0u - cap; /* the cache says full: send must look at tail */
    atomic_store(&s->cons.tail, 64);
    cr_expect_eq(sabq_spsc_send(&r, buf, 8), -EPROTO);
    sabq_spsc_resv w;
    cr_expect_eq(sabq_spsc_reserve(&r, 8, &w), -EPROTO);
    cr_expect_eq(sabq_spsc_send_wait(&r, buf, 8, SABQ_FOREVER), -EPROTO, "and no wait for it");

    /* the producer's own head, scribbled off the 8-byte grid */
    cr_assert_eq(sabq_spsc_init(&r, mem, size, cap, 0), 0);
    atomic_store(&s->prod.head, 3);
    cr_expect_eq(sabq_spsc_send(&r, buf, 8), -EPROTO);

    /* the consumer's own tail, off the grid */
    cr_assert_eq(sabq_spsc_init(&r, mem, size, cap, 0), 0);
    atomic_store(&s->cons.tail, 5);
    cr_expect_eq(sabq_spsc_recv(&r, buf, sizeof buf), -EPROTO);

    /* a sealed record longer than msg_max */
    cr_assert_eq(sabq_spsc_init(&r, mem, size, cap, 0), 0);
    struct sabq_rec *rec = (struct sabq_rec *)r.data;
    rec->len = r.msg_max + 1;
    atomic_store(&rec->seal, SABQ_SEAL(0));
    cr_expect_eq(sabq_spsc_recv(&r, buf, sizeof buf), -EPROTO);
    sabq_spsc_view v;
    cr_expect_eq(sabq_spsc_peek(&r, &v), -EPROTO);
    cr_expect_eq(sabq_spsc_recv_wait(&r, buf, sizeof buf, SABQ_FOREVER), -EPROTO, "and no wait for it");

    /* closed, and head more than a ring ahead of tail */
    cr_assert_eq(sabq_spsc_init(&r, mem, size, cap, 0), 0);
    atomic_store(&s->prod.head, 4 * cap);
    sabq_spsc_close(&r);
    cr_expect_eq(sabq_spsc_recv(&r, buf, sizeof buf), -EPROTO);
    free(mem);
}

Test(hostile, pipe_corrupt_indices_give_eproto)
{
    uint32_t cap = 256;
    size_t size = sabq_pipe_size(cap);
    void *mem = test_region(size);
    sabq_pipe p;
    uint8_t buf[64] = {0};
    struct sabq_region *s = mem;
    void *wspan;
    const void *rspan;

    /* the writer meets a tail ahead of its head */
    cr_assert_eq(sabq_pipe_init(&p, mem, size, cap), 0);
    s->prod.tail_cache = 0u - cap; /* the cache says full: the writer looks at tail */
    atomic_store(&s->cons.tail, 1);
    cr_expect_eq(sabq_pipe_write(&p, buf, 8), -EPROTO);
    cr_expect_eq(sabq_pipe_write_span(&p, &wspan), -EPROTO);
    cr_expect_eq(sabq_pipe_write_commit(&p, 1), -EPROTO);
    cr_expect_eq(sabq_pipe_write_all(&p, buf, 8, SABQ_FOREVER), -EPROTO, "and no wait for it");

    /* the reader meets a head more than a pipe ahead of its tail */
    cr_assert_eq(sabq_pipe_init(&p, mem, size, cap), 0);
    atomic_store(&s->prod.head, cap + 1);
    cr_expect_eq(sabq_pipe_read(&p, buf, 8), -EPROTO);
    cr_expect_eq(sabq_pipe_read_span(&p, &rspan), -EPROTO);
    cr_expect_eq(sabq_pipe_read_consume(&p, 1), -EPROTO);
    cr_expect_eq(sabq_pipe_read_wait(&p, buf, 8, SABQ_FOREVER), -EPROTO, "and no wait for it");
    sabq_pipe_close(&p);
    cr_expect_eq(sabq_pipe_read(&p, buf, 8), -EPROTO, "closed changes nothing");
    free(mem);
}

Test(hostile, mpmc_corrupt_turns_and_indices_give_eproto)
{
    uint32_t slots = 4, msg_max = 8;
    size_t size = sabq_mpmc_size(slots, msg_max);
    void *mem = test_region(size);
    sabq_mpmc q;
    uint64_t v = 1;
    struct sabq_region *s = mem;
    struct sabq_slot *slot0;

    /* a turn from the future at the producers' ticket, head not moving */
    cr_assert_eq(sabq_mpmc_init(&q, mem, size, slots, msg_max), 0);
    slot0 = (struct sabq_slot *)(void *)q.slots;
    atomic_store(&slot0->turn, 5);
    cr_expect_eq(sabq_mpmc_push(&q, &v, 8), -EPROTO);
    cr_expect_eq(sabq_mpmc_push_wait(&q, &v, 8, SABQ_FOREVER), -EPROTO, "and no wait for it");

    /* ... and at the consumers' */
    cr_assert_eq(sabq_mpmc_init(&q, mem, size, slots, msg_max), 0);
    atomic_store(&slot0->turn, 6);
    cr_expect_eq(sabq_mpmc_pop(&q, &v, 8), -EPROTO);
    cr_expect_eq(sabq_mpmc_pop_wait(&q, &v, 8, SABQ_FOREVER), -EPROTO, "and no wait for it");

    /* a published slot whose length was scribbled past msg_max: the message
     * is taken (the slot goes back to producers) and reported corrupt */
    cr_assert_eq(sabq_mpmc_init(&q, mem, size, slots, msg_max), 0);
    cr_assert_eq(sabq_mpmc_push(&q, &v, 8), 0);
    atomic_store(&slot0->len, msg_max + 1);
    cr_expect_eq(sabq_mpmc_pop(&q, &v, 64), -EPROTO);
    cr_expect_eq(sabq_mpmc_pop(&q, &v, 64), -EAGAIN, "the corrupt message is gone, nothing else is there");

    /* closed, and head far past a tail that does not move */
    cr_assert_eq(sabq_mpmc_init(&q, mem, size, slots, msg_max), 0);
    atomic_store(&s->prod.head, 3 * slots);
    sabq_mpmc_close(&q);
    cr_expect_eq(sabq_mpmc_pop(&q, &v, 8), -EPROTO);
    free(mem);
}
