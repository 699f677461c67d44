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
    uint32_t near; /* fixed SPSC ring of `near` slots: indices set near each other */
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
        if (s->near && (xorshift(&seed) & 7)) {
            /* An index or cache (head 64, tail_cache 68, tail 128, head_cache
             * 132) set to another one's value, up to a ring and one either
             * side: values that pass the range checks, or just fail them. */
            static const uint32_t index_words[] = {64, 68, 128, 132};
            uint32_t from = __atomic_load_n((uint32_t *)(s->base + index_words[xorshift(&seed) % 4]),
                                            __ATOMIC_RELAXED);
            uint32_t delta = xorshift(&seed) % (2 * s->near + 3) - s->near - 1;
            __atomic_store_n((uint32_t *)(s->base + index_words[xorshift(&seed) % 4]), from + delta,
                             __ATOMIC_RELAXED);
            continue;
        }
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
    struct scribbler s = {mem, words, 8, 256, 256 + cap, 1, 0, 0};
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
    struct scribbler s = {mem, words, 6, 0, 0, 0, 0, 0};
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
    struct scribbler s = {mem, words, 5, 0, 0, 0, 0, 0};
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
    struct scribbler s = {mem, words, 5, 256, (uint32_t)size, 0, 0, 0};
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

/* ---- the SPSC ring's fixed-size form (kind 4) --------------------------------
 * No record headers and no seals: the consumer goes by `head` (and its cached
 * copy), the producer by `tail` (and its), and any index maps to a slot
 * (index & mask). So a peer can make a side read garbage or overwrite
 * unread slots, never reach outside the area; an index more than a ring
 * away is -EPROTO. */

/* The timeout of a wait that must return at once: a wait that did happen
 * shows as -ETIMEDOUT, and cannot hang the suite. */
#define NO_WAIT_NS (2000 * MS)

/* Every word of lines 0 to 3: the header, both sides' indices and caches,
 * closed and the wake words. */
static const uint32_t fixed_words[] = {0,  4,   8,   12,  16,  20,  24,  28,
                                       64, 68, 128, 132, 192, 196, 200, 204};
#define FIXED_WORDS (sizeof fixed_words / sizeof fixed_words[0])

/* A view or reservation of a fixed ring: a whole slot of the area. */
static void expect_a_slot(const sabq_spsc *r, const void *at, uint32_t len)
{
    const uint8_t *p = at;
    cr_assert_eq(len, r->msg_max);
    cr_assert(p >= r->data && p + r->stride <= r->data + (size_t)r->cap * r->stride,
              "a slot outside the area");
    cr_assert_eq((size_t)(p - r->data) % r->stride, 0, "not at a slot's start");
}

static void fixed_consumer_under_attack(uint32_t slots, uint32_t msg_len)
{
    size_t size = sabq_spsc_fixed_size(slots, msg_len);
    void *mem = test_region(size);
    sabq_spsc r;
    cr_assert_eq(sabq_spsc_init_fixed(&r, mem, size, slots, msg_len), 0);
    struct scribbler s = {mem, fixed_words, FIXED_WORDS, SABQ_DATA_OFFSET, (uint32_t)size, 0, 0, slots};
    /* buffers of exactly the message's length, and one more, on the heap:
     * ASan sees a byte written past them */
    uint8_t *buf = malloc(msg_len), *bufs = malloc(4 * msg_len), *guarded = malloc(msg_len + 1);
    cr_assert(buf && bufs && guarded);
    pthread_t t = start_scribbler(&s);
    uint64_t calls = 0, taken = 0, corrupt = 0, end = sabq_now_ns() + RUN_NS / 2;
    while (sabq_now_ns() < end) {
        sabq_spsc_view v;
        int rc = sabq_spsc_peek(&r, &v);
        taken += rc >= 0;
        corrupt += rc == -EPROTO;
        EXPECT_ONE_OF(rc < 0 ? rc : 0, 0, -EAGAIN, -EPIPE, -EPROTO);
        if (rc >= 0) {
            cr_assert_eq(rc, (int)msg_len);
            expect_a_slot(&r, v.data, v.len);
            volatile uint8_t sink = ((const uint8_t *)v.data)[0] ^ ((const uint8_t *)v.data)[v.len - 1];
            (void)sink;
            rc = sabq_spsc_peek_next(&r, &v);
            EXPECT_ONE_OF(rc < 0 ? rc : 0, 0, -EAGAIN, -EPIPE, -EPROTO);
            expect_a_slot(&r, v.data, v.len);
            sabq_spsc_release(&r, &v);
        }
        guarded[msg_len] = 0xEE;
        rc = sabq_spsc_recv(&r, guarded, msg_len);
        EXPECT_ONE_OF(rc < 0 ? rc : (int)msg_len, (int)msg_len, -EAGAIN, -EPIPE, -EPROTO);
        cr_assert_eq(guarded[msg_len], 0xEE, "recv wrote past the message");
        rc = sabq_spsc_recv(&r, buf, msg_len - 1);
        EXPECT_ONE_OF(rc, -EMSGSIZE, -EAGAIN, -EPIPE, -EPROTO);
        sabq_iov iov[4];
        for (uint32_t k = 0; k < 4; k++)
            iov[k] = (sabq_iov){bufs + k * msg_len, msg_len};
        rc = sabq_spsc_recv_batch(&r, iov, 4);
        EXPECT_ONE_OF(rc < 0 ? rc : 0, 0, -EAGAIN, -EPIPE, -EPROTO);
        cr_assert_leq(rc, 4);
        for (int k = 0; k < rc; k++)
            cr_assert_eq(iov[k].len, msg_len);
        rc = sabq_spsc_recv_wait(&r, buf, msg_len, 100000);
        EXPECT_ONE_OF(rc < 0 ? rc : (int)msg_len, (int)msg_len, -ETIMEDOUT, -EPIPE, -EPROTO);
        rc = sabq_spsc_peek_wait(&r, &v, 100000);
        EXPECT_ONE_OF(rc < 0 ? rc : (int)msg_len, (int)msg_len, -ETIMEDOUT, -EPIPE, -EPROTO);
        if (rc >= 0)
            expect_a_slot(&r, v.data, v.len);
        uint32_t used = sabq_spsc_used(&r);
        cr_assert_leq(used, slots * r.stride);
        cr_assert_eq(used % r.stride, 0);
        calls += 8;
    }
    stop_scribbler(&s, t);
    cr_log_info("spsc fixed consumer, %u x %u bytes: %llu calls under attack, %llu peeks saw a "
                "message, %llu -EPROTO", slots, msg_len, (unsigned long long)calls,
                (unsigned long long)taken, (unsigned long long)corrupt);
    free(guarded);
    free(bufs);
    free(buf);
    free(mem);
}

/* The producer's own head and the consumer's fields, caches, closed, the
 * header and the slots, all scribbled while the consumer reads. */
Test(hostile, spsc_fixed_consumer_survives_a_scribbling_peer, .timeout = 60)
{
    SKIP_UNDER_TSAN();
    fixed_consumer_under_attack(16, 20); /* 24-byte slots: an area of no power of two */
    fixed_consumer_under_attack(8, 3);   /* 4-byte slots */
}

static void fixed_producer_under_attack(uint32_t slots, uint32_t msg_len)
{
    size_t size = sabq_spsc_fixed_size(slots, msg_len);
    void *mem = test_region(size);
    sabq_spsc r;
    cr_assert_eq(sabq_spsc_init_fixed(&r, mem, size, slots, msg_len), 0);
    struct scribbler s = {mem, fixed_words, FIXED_WORDS, SABQ_DATA_OFFSET, (uint32_t)size, 0, 0, slots};
    uint8_t *buf = calloc(1, msg_len);
    cr_assert(buf);
    pthread_t t = start_scribbler(&s);
    uint64_t sent = 0, corrupt = 0, end = sabq_now_ns() + RUN_NS / 2;
    while (sabq_now_ns() < end) {
        int rc = sabq_spsc_send(&r, buf, msg_len);
        EXPECT_ONE_OF(rc, 0, -EAGAIN, -EPIPE, -EPROTO);
        sent += rc == 0;
        corrupt += rc == -EPROTO;
        /* -EPIPE once the scribbler has set the close flag: the close is
         * reported first, as in the record form. */
        EXPECT_ONE_OF(sabq_spsc_send(&r, buf, msg_len - 1), -EINVAL, -EPIPE);
        sabq_spsc_resv w;
        rc = sabq_spsc_reserve(&r, msg_len, &w);
        EXPECT_ONE_OF(rc, 0, -EAGAIN, -EPIPE, -EPROTO);
        if (rc == 0) {
            expect_a_slot(&r, w.data, w.len);
            memset(w.data, 0x5a, r.stride); /* the whole slot is ours */
            EXPECT_ONE_OF(sabq_spsc_commit(&r, &w, msg_len), 0);
        }
        sabq_iov iov[3] = {{buf, msg_len}, {buf, msg_len}, {buf, msg_len}};
        rc = sabq_spsc_send_batch(&r, iov, 3);
        EXPECT_ONE_OF(rc < 0 ? rc : 0, 0, -EAGAIN, -EPIPE, -EPROTO);
        cr_assert_leq(rc, 3);
        rc = sabq_spsc_send_wait(&r, buf, msg_len, 100000);
        EXPECT_ONE_OF(rc, 0, -ETIMEDOUT, -EPIPE, -EPROTO);
        uint32_t used = sabq_spsc_used(&r);
        cr_assert_leq(used, slots * r.stride);
    }
    stop_scribbler(&s, t);
    cr_log_info("spsc fixed producer, %u x %u bytes: %llu sends went in, %llu -EPROTO", slots, msg_len,
                (unsigned long long)sent, (unsigned long long)corrupt);
    free(buf);
    free(mem);
}

/* The consumer's tail, the producer's own head and cached tail, closed, the
 * header and the slots, all scribbled while the producer writes. */
Test(hostile, spsc_fixed_producer_survives_a_scribbling_peer, .timeout = 60)
{
    SKIP_UNDER_TSAN();
    fixed_producer_under_attack(16, 20);
    fixed_producer_under_attack(8, 3);
}

/* Each index that cannot be met by the call that reads it, from the
 * blocking forms too, without waiting; and an index exactly a ring away is
 * still a valid (full) ring, not -EPROTO. A side's own private cache is a
 * hint, never trusted past the index it caches. */
Test(hostile, spsc_fixed_corrupt_indices_give_eproto)
{
    uint32_t slots = 8;
    size_t size = sabq_spsc_fixed_size(slots, 12);
    void *mem = test_region(size);
    sabq_spsc r;
    sabq_spsc_resv w;
    sabq_spsc_view v = {0};
    uint8_t buf[16] = {0};
    sabq_iov iov = {buf, 12}, rx = {buf, 16};
    struct sabq_region *s = mem;

    /* the producer meets a tail ahead of its head */
    cr_assert_eq(sabq_spsc_init_fixed(&r, mem, size, slots, 12), 0);
    s->prod.tail_cache = 0u - slots; /* the cache says full: the producer looks at tail */
    atomic_store(&s->cons.tail, 1);
    cr_expect_eq(sabq_spsc_send(&r, buf, 12), -EPROTO);
    cr_expect_eq(sabq_spsc_reserve(&r, 12, &w), -EPROTO);
    cr_expect_eq(sabq_spsc_send_batch(&r, &iov, 1), -EPROTO);
    cr_expect_eq(sabq_spsc_send_wait(&r, buf, 12, NO_WAIT_NS), -EPROTO, "and no wait for it");
    cr_expect_eq(sabq_spsc_used(&r), slots * 16, "a corrupt ring reads as full");

    /* ... a tail more than a ring behind its head, and exactly a ring (full) */
    atomic_store(&s->cons.tail, 0u - 1);
    atomic_store(&s->prod.head, slots);
    cr_expect_eq(sabq_spsc_send(&r, buf, 12), -EPROTO);
    cr_expect_eq(sabq_spsc_send_wait(&r, buf, 12, NO_WAIT_NS), -EPROTO);
    atomic_store(&s->cons.tail, 0);
    cr_expect_eq(sabq_spsc_send(&r, buf, 12), -EAGAIN, "a ring away: full");
    cr_expect_eq(sabq_spsc_send_wait(&r, buf, 12, 0), -ETIMEDOUT);

    /* the producer's own head scribbled far ahead */
    cr_assert_eq(sabq_spsc_init_fixed(&r, mem, size, slots, 12), 0);
    atomic_store(&s->prod.head, 1000);
    cr_expect_eq(sabq_spsc_send(&r, buf, 12), -EPROTO);
    cr_expect_eq(sabq_spsc_reserve(&r, 12, &w), -EPROTO);

    /* a cached tail ahead of head is a stale hint: tail decides */
    cr_assert_eq(sabq_spsc_init_fixed(&r, mem, size, slots, 12), 0);
    s->prod.tail_cache = 5;
    cr_expect_eq(sabq_spsc_send(&r, buf, 12), 0);
    cr_expect_eq(sabq_spsc_used(&r), 16);

    /* the consumer meets a head more than a ring ahead of its tail */
    cr_assert_eq(sabq_spsc_init_fixed(&r, mem, size, slots, 12), 0);
    atomic_store(&s->prod.head, slots + 1);
    cr_expect_eq(sabq_spsc_recv(&r, buf, sizeof buf), -EPROTO);
    cr_expect_eq(sabq_spsc_peek(&r, &v), -EPROTO);
    cr_expect_eq(sabq_spsc_peek_next(&r, &v), -EPROTO, "from a view at the tail");
    cr_expect_eq(sabq_spsc_recv_batch(&r, &rx, 1), -EPROTO);
    cr_expect_eq(sabq_spsc_recv_wait(&r, buf, sizeof buf, NO_WAIT_NS), -EPROTO, "and no wait for it");
    cr_expect_eq(sabq_spsc_peek_wait(&r, &v, NO_WAIT_NS), -EPROTO, "and no wait for it");
    sabq_spsc_close(&r);
    cr_expect_eq(sabq_spsc_recv(&r, buf, sizeof buf), -EPROTO, "closed changes nothing");
    atomic_store(&s->prod.head, slots); /* exactly a ring: full */
    cr_expect_eq(sabq_spsc_recv(&r, buf, sizeof buf), 12, "a ring ahead: full");

    /* ... or behind its tail */
    cr_assert_eq(sabq_spsc_init_fixed(&r, mem, size, slots, 12), 0);
    atomic_store(&s->cons.tail, 3);
    cr_expect_eq(sabq_spsc_recv(&r, buf, sizeof buf), -EPROTO);
    cr_expect_eq(sabq_spsc_peek(&r, &v), -EPROTO);
    sabq_spsc_close(&r);
    cr_expect_eq(sabq_spsc_recv_wait(&r, buf, sizeof buf, NO_WAIT_NS), -EPROTO, "not the end");

    /* a cached head out of range is a stale hint: head decides */
    cr_assert_eq(sabq_spsc_init_fixed(&r, mem, size, slots, 12), 0);
    cr_assert_eq(sabq_spsc_send(&r, buf, 12), 0);
    static const uint32_t caches[] = {5 * 8, 0u - 1, 0x80000000u, 9};
    for (size_t k = 0; k < sizeof caches / sizeof caches[0]; k++) {
        s->cons.head_cache = caches[k];
        cr_expect_eq(sabq_spsc_peek(&r, &v), 12, "head_cache %u", caches[k]);
    }
    cr_expect_eq(sabq_spsc_recv(&r, buf, sizeof buf), 12);
    s->cons.head_cache = 0u - 1;
    cr_expect_eq(sabq_spsc_recv(&r, buf, sizeof buf), -EAGAIN, "no phantom message");
    free(mem);
}

/* Random kind-4 headers: attach refuses them or yields the geometry every
 * side computes (stride from the length, slots a power of two) that fits
 * in the region. Half the time fields that pass the cheap checks. */
Test(hostile, attach_never_trusts_a_random_fixed_header)
{
    size_t size = 8192;
    void *mem = test_region(size);
    uint32_t seed = 54321;
    int accepted = 0;
    for (int i = 0; i < 100000; i++) {
        uint32_t *w = mem;
        w[0] = SABQ_MAGIC;
        w[1] = SABQ_VERSION | (uint32_t)SABQ_KIND_SPSC_FIXED << 16;
        for (int k = 2; k < 8; k++)
            w[k] = (xorshift(&seed) & 1) ? nasty(&seed) : xorshift(&seed) % 9000;
        if (i & 1) {
            uint32_t slots = 1u << (xorshift(&seed) % 14), len = 1 + xorshift(&seed) % 300;
            w[2] = slots;
            w[3] = (xorshift(&seed) & 3) ? len : w[3];
            w[4] = (xorshift(&seed) & 3) ? sabq_spsc_fixed_stride(len) : w[4] % 64;
            w[5] = SABQ_DATA_OFFSET;
            if (xorshift(&seed) & 1)
                w[6] = (uint32_t)sabq_spsc_fixed_size(slots, len);
            else if (xorshift(&seed) & 1) /* right for some other geometry, and small */
                w[6] = (uint32_t)sabq_spsc_fixed_size(1u << (xorshift(&seed) % 8),
                                                      1 + xorshift(&seed) % 64);
        }
        sabq_spsc r;
        int rc = sabq_spsc_attach(&r, mem, size);
        if (rc != 0) {
            cr_assert_eq(rc, -EPROTO);
            continue;
        }
        accepted++;
        cr_assert_neq(r.stride, 0, "a kind-4 header gave a variable-length handle");
        cr_assert_eq(r.stride, sabq_spsc_fixed_stride(r.msg_max));
        cr_assert(r.cap >= 2 && (r.cap & (r.cap - 1)) == 0, "%u slots", r.cap);
        cr_assert_eq(r.mask, r.cap - 1);
        cr_assert_leq(SABQ_DATA_OFFSET + (uint64_t)r.cap * r.stride, size, "%u slots of %u", r.cap,
                      r.stride);
        cr_assert_eq(r.data, (uint8_t *)mem + SABQ_DATA_OFFSET);
    }
    cr_log_info("random fixed headers accepted: %d", accepted);
    cr_expect_gt(accepted, 1000, "too few accepted to have tested much");
    free(mem);
}

/* The state of a fixed ring of 4 slots, set directly; each slot filled with
 * a byte naming it. */
static void fixed_set(const sabq_spsc *r, uint32_t head, uint32_t tail, uint32_t head_cache,
                      uint32_t tail_cache, int closed)
{
    struct sabq_region *s = r->shm;
    atomic_store(&s->prod.head, head);
    s->prod.tail_cache = tail_cache;
    atomic_store(&s->cons.tail, tail);
    s->cons.head_cache = head_cache;
    atomic_store(&s->hdr.closed, closed ? SABQ_CLOSED : 0);
    for (uint32_t i = 0; i < r->cap; i++)
        memset(r->data + i * r->stride, 0x10 + (int)i, r->stride);
}

/* Whether `len` bytes at p are slot `slot`'s own bytes (as fixed_set left them). */
static int fixed_slot_bytes(const void *p, uint32_t len, uint32_t slot)
{
    const uint8_t *b = p;
    for (uint32_t i = 0; i < len; i++)
        if (b[i] != 0x10 + slot)
            return 0;
    return 1;
}

/* Every combination of head, tail and both caches within a ring and one of
 * each other (at 0, across 2^32 and across 2^31), closed or not, met by each
 * call from that state. Whatever the values: a documented result, views and
 * reservations on the slot their index names, a message that is that slot's
 * bytes, and a failed send that changes nothing. Where the values are ones
 * honest sides leave (head at most a ring ahead of tail, each cache behind
 * the index it caches): exactly the ring they describe. Where an index is
 * impossible and the caches are exact: -EPROTO. */
Test(hostile, spsc_fixed_every_nearby_state_gives_a_defined_result, .timeout = 120)
{
    const uint32_t slots = 4, len = 12, mask = 3;
    size_t size = sabq_spsc_fixed_size(slots, len);
    void *mem = test_region(size);
    sabq_spsc r;
    cr_assert_eq(sabq_spsc_init_fixed(&r, mem, size, slots, len), 0);
    struct sabq_region *s = r.shm;
    static const uint32_t bases[] = {0, 0u - 2, 0x80000000u - 2};
    const int span = (int)slots + 1;
    uint8_t in[3][12], out[3][16];
    memset(in, 0xC0, sizeof in);
    sabq_iov iov[3] = {{in[0], 12}, {in[1], 12}, {in[2], 12}}, rx[3];
    uint64_t states = 0, eproto = 0;
    for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++)
    for (int closed = 0; closed <= 1; closed++)
    for (int dh = -span; dh <= span; dh++)
    for (int dt = -span; dt <= span; dt++)
    for (int dhc = -span; dhc <= span; dhc++)
    for (int dtc = -span; dtc <= span; dtc++) {
        uint32_t head = bases[b] + (uint32_t)dh, tail = bases[b] + (uint32_t)dt;
        uint32_t hc = bases[b] + (uint32_t)dhc, tc = bases[b] + (uint32_t)dtc;
        uint32_t queued = head - tail;
        int valid = queued <= slots;
        int honest = valid && hc - tail <= queued && tail - tc <= slots - queued;
        int prod_exact = tc == tail, cons_exact = hc == head || hc == tail;
        states++;
#define STATE " (head %u tail %u head_cache %u tail_cache %u%s)"
#define STATE_ARGS head, tail, hc, tc, closed ? " closed" : ""

        /* send */
        fixed_set(&r, head, tail, hc, tc, closed);
        int rc = sabq_spsc_send(&r, in[0], len);
        eproto += rc == -EPROTO;
        EXPECT_ONE_OF(rc, 0, -EAGAIN, -EPIPE, -EPROTO);
        if (closed)
            cr_assert_eq(rc, -EPIPE, "send" STATE, STATE_ARGS);
        else if (honest)
            cr_assert_eq(rc, queued < slots ? 0 : -EAGAIN, "send" STATE, STATE_ARGS);
        else if (prod_exact && !valid)
            cr_assert_eq(rc, -EPROTO, "send" STATE, STATE_ARGS);
        cr_assert_eq(atomic_load(&s->prod.head), rc == 0 ? head + 1 : head, "send" STATE, STATE_ARGS);
        for (uint32_t i = 0; i < slots; i++) {
            const uint8_t *slot = r.data + i * r.stride;
            if (rc == 0 && i == (head & mask))
                cr_assert(memcmp(slot, in[0], len) == 0 && fixed_slot_bytes(slot + len, 4, i),
                          "send: not in its slot" STATE, STATE_ARGS);
            else
                cr_assert(fixed_slot_bytes(slot, r.stride, i), "send wrote slot %u" STATE, i,
                          STATE_ARGS);
        }

        /* reserve and commit */
        fixed_set(&r, head, tail, hc, tc, closed);
        sabq_spsc_resv w;
        int rrc = sabq_spsc_reserve(&r, len, &w);
        cr_assert_eq(rrc, rc, "reserve and send disagree" STATE, STATE_ARGS);
        if (rrc == 0) {
            cr_assert_eq(w.data, r.data + (head & mask) * r.stride, "reserve" STATE, STATE_ARGS);
            cr_assert_eq(sabq_spsc_commit(&r, &w, len), 0);
            cr_assert_eq(atomic_load(&s->prod.head), head + 1, "commit" STATE, STATE_ARGS);
        }

        /* send_batch */
        fixed_set(&r, head, tail, hc, tc, closed);
        rc = sabq_spsc_send_batch(&r, iov, 3);
        EXPECT_ONE_OF(rc < 0 ? rc : 1, 1, -EAGAIN, -EPIPE, -EPROTO);
        cr_assert_leq(rc, 3);
        if (closed)
            cr_assert_eq(rc, -EPIPE, "send_batch" STATE, STATE_ARGS);
        else if (honest && queued == slots)
            cr_assert_eq(rc, -EAGAIN, "send_batch" STATE, STATE_ARGS);
        else if (honest) /* at least one; all that fit is spsc_fixed/send_batch_fills_... */
            cr_assert(rc >= 1 && (uint32_t)rc <= slots - queued, "send_batch %d" STATE, rc, STATE_ARGS);
        else if (prod_exact && !valid)
            cr_assert_eq(rc, -EPROTO, "send_batch" STATE, STATE_ARGS);
        cr_assert_eq(atomic_load(&s->prod.head), head + (rc > 0 ? (uint32_t)rc : 0),
                     "send_batch" STATE, STATE_ARGS);

        /* recv: a message is the slot at the consumer's tail */
        fixed_set(&r, head, tail, hc, tc, closed);
        memset(out, 0xEE, sizeof out);
        rc = sabq_spsc_recv(&r, out[0], sizeof out[0]);
        eproto += rc == -EPROTO;
        EXPECT_ONE_OF(rc, (int)len, -EAGAIN, -EPIPE, -EPROTO);
        if (honest)
            cr_assert_eq(rc, queued ? (int)len : closed ? -EPIPE : -EAGAIN, "recv" STATE, STATE_ARGS);
        else if (cons_exact && !valid)
            cr_assert_eq(rc, -EPROTO, "recv" STATE, STATE_ARGS);
        if (rc >= 0)
            cr_assert(fixed_slot_bytes(out[0], len, tail & mask) && out[0][len] == 0xEE,
                      "recv: not the tail's slot" STATE, STATE_ARGS);
        cr_assert_eq(atomic_load(&s->cons.tail), rc >= 0 ? tail + 1 : tail, "recv" STATE, STATE_ARGS);

        /* recv_batch */
        fixed_set(&r, head, tail, hc, tc, closed);
        for (int k = 0; k < 3; k++)
            rx[k] = (sabq_iov){out[k], 16};
        rc = sabq_spsc_recv_batch(&r, rx, 3);
        EXPECT_ONE_OF(rc < 0 ? rc : 1, 1, -EAGAIN, -EPIPE, -EPROTO);
        cr_assert_leq(rc, 3);
        if (honest && queued)
            cr_assert(rc >= 1 && (uint32_t)rc <= queued, "recv_batch %d" STATE, rc, STATE_ARGS);
        else if (honest)
            cr_assert_eq(rc, closed ? -EPIPE : -EAGAIN, "recv_batch" STATE, STATE_ARGS);
        else if (cons_exact && !valid)
            cr_assert_eq(rc, -EPROTO, "recv_batch" STATE, STATE_ARGS);
        for (int k = 0; k < rc; k++)
            cr_assert(rx[k].len == len && fixed_slot_bytes(out[k], len, (tail + (uint32_t)k) & mask),
                      "recv_batch: message %d not its slot" STATE, k, STATE_ARGS);
        cr_assert_eq(atomic_load(&s->cons.tail), tail + (rc > 0 ? (uint32_t)rc : 0),
                     "recv_batch" STATE, STATE_ARGS);

        /* peek, peek_next to the end, release */
        fixed_set(&r, head, tail, hc, tc, closed);
        sabq_spsc_view v;
        rc = sabq_spsc_peek(&r, &v);
        EXPECT_ONE_OF(rc, (int)len, -EAGAIN, -EPIPE, -EPROTO);
        uint32_t seen = 0;
        while (rc >= 0) {
            cr_assert_eq(v.data, r.data + ((tail + seen) & mask) * r.stride, "view %u" STATE, seen,
                         STATE_ARGS);
            cr_assert_eq(v.len, len);
            cr_assert_eq(v.next, tail + seen + 1);
            seen++;
            cr_assert_leq(seen, 3 * slots, "peek_next never ends" STATE, STATE_ARGS);
            rc = sabq_spsc_peek_next(&r, &v);
            EXPECT_ONE_OF(rc, (int)len, -EAGAIN, -EPIPE, -EPROTO);
        }
        if (honest) {
            cr_assert_eq(seen, queued, "peek and peek_next" STATE, STATE_ARGS);
            cr_assert_eq(rc, closed ? -EPIPE : -EAGAIN, "the end of peek_next" STATE, STATE_ARGS);
        } else if (cons_exact && !valid) {
            cr_assert_eq(rc, -EPROTO, "peek" STATE, STATE_ARGS);
        }
        if (seen) {
            sabq_spsc_release(&r, &v);
            cr_assert_eq(atomic_load(&s->cons.tail), tail + seen, "release" STATE, STATE_ARGS);
        }

        /* used: never more than the area */
        uint32_t used = sabq_spsc_used(&r);
        cr_assert_leq(used, slots * r.stride);
        fixed_set(&r, head, tail, hc, tc, closed);
        if (honest)
            cr_assert_eq(sabq_spsc_used(&r), queued * r.stride, "used" STATE, STATE_ARGS);
#undef STATE
#undef STATE_ARGS
    }
    cr_log_info("spsc fixed: %llu states, %llu -EPROTO", (unsigned long long)states,
                (unsigned long long)eproto);
    free(mem);
}
