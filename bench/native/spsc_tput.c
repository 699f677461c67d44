/* bench/native/spsc_tput.c — one producer, one consumer, pinned to two CPUs:
 * messages per second for 4, 8, 16, 64 and 1024-byte messages.
 *   spsc_tput IMPL SIZE
 *   IMPL: sabq | sabq-fixed | sabq-batch | sabq-fixed-batch | ck | slot | boost-spsc | rwq | ccq | mutex | pipe
 * Every implementation copies the message in and out and has room for 1024
 * messages: ck_ring 1024 slots, through its typed CK_RING_PROTOTYPE interface
 * (structs by value); slot, a cached-index ring of 1024 fixed-size slots
 * (peer_slot_ring.h, the design of rigtorp's SPSCQueue), also by value;
 * boost-spsc, rwq and ccq are boost::lockfree::spsc_queue, moodycamel's
 * ReaderWriterQueue and ConcurrentQueue, by value through their adapters
 * (peer_cxx.h; ccq is unbounded: preallocated for 1024, it grows rather than
 * report full, its own contract); sabq the smallest power-of-two ring holding 1024 records
 * (8-byte header + payload); sabq-fixed a fixed ring (sabq_spsc_init_fixed) of 1024
 * slots of the message's size, through the same calls as sabq; the mutex queue 1024 slots; pipe(2) its default
 * 64 KiB. sabq-batch moves BATCH messages per call (sabq-fixed-batch: through a
 * fixed ring), from and into one contiguous array of messages, as a program holding an array of structs
 * would.
 * Every loop has the same shape: write the sequence number, put, spin with
 * bench_relax() while full; take, spin while empty, check the sequence
 * number, stamp the window clock (harness.h). sabq runs with its blocking
 * support compiled in, as always.
 * Before the measurement the two threads, already pinned, run the placement
 * probe (harness.h); 1024-byte runs also measure the machine's memcpy rate
 * for that size afterwards, the references of a copy-bound row: in cache
 * (memcpy_gbs) and through two ring-sized arrays (memcpy_ring_gbs). */
#include <ck_ring.h>
#include <errno.h>
#include <sabq/sabq.h>
#include "harness.h"
#include "peer_cxx.h"
#include "peer_mutex_queue.h"
#include "peer_slot_ring.h"

#define BATCH 32
#define MAX_MSG 1024
#define SLOTS 1024

/* One message type per size, aligned as a struct of integers would be. */
#define MSG_TYPE(n) struct m##n { _Alignas(n < 8 ? n : 8) uint8_t b[n]; };
#define FOR_SIZES(X) X(4) X(8) X(16) X(64) X(1024)
FOR_SIZES(MSG_TYPE)
#define CK_TYPED(n) CK_RING_PROTOTYPE(m##n, m##n)
FOR_SIZES(CK_TYPED)
#define SLOT_TYPED(n) SLOT_RING_PROTOTYPE(m##n, struct m##n)
FOR_SIZES(SLOT_TYPED)

struct run {
    const char *impl;
    uint32_t size;
    uint64_t count;
    struct bench_probe probe;
    struct bench_gate gate;
    struct bench_windows windows;
    sabq_spsc ring;
    struct ck_ring ck;
    void *ck_buf;
    struct slot_ring slot;
    void *cxx, *ccq_producer, *ccq_consumer; /* boost-spsc, rwq, ccq */
    struct mq mq;
    int fds[2];
};

static uint32_t pow2_at_least(uint32_t n)
{
    uint32_t p = 16;
    while (p < n)
        p <<= 1;
    return p;
}

/* The typed calls differ by message type; one switch keeps the loops alike. */
#define CK_PUT(n) case n: return ck_ring_enqueue_spsc_m##n(&r->ck, r->ck_buf, m);
#define CK_GET(n) case n: return ck_ring_dequeue_spsc_m##n(&r->ck, r->ck_buf, m);
#define SLOT_PUT(n) case n: return slot_ring_push_m##n(&r->slot, m);
#define SLOT_GET(n) case n: return slot_ring_pop_m##n(&r->slot, m);
static int ck_put(struct run *r, void *m) { switch (r->size) { FOR_SIZES(CK_PUT) } return 0; }
static int ck_get(struct run *r, void *m) { switch (r->size) { FOR_SIZES(CK_GET) } return 0; }
static int slot_put(struct run *r, void *m) { switch (r->size) { FOR_SIZES(SLOT_PUT) } return 0; }
static int slot_get(struct run *r, void *m) { switch (r->size) { FOR_SIZES(SLOT_GET) } return 0; }

/* The sequence number in the first bytes of a message (4 for 4-byte ones). */
static inline void put_seq(uint8_t *m, uint32_t size, uint64_t seq)
{
    if (size < 8) {
        uint32_t s = (uint32_t)seq;
        memcpy(m, &s, 4);
    } else {
        memcpy(m, &seq, 8);
    }
}

static inline uint64_t get_seq(const uint8_t *m, uint32_t size)
{
    if (size < 8) {
        uint32_t s;
        memcpy(&s, m, 4);
        return s;
    }
    uint64_t s;
    memcpy(&s, m, 8);
    return s;
}

/* Every received message: its sequence number, then the window clock. */
static inline void received(struct run *r, const uint8_t *m, uint64_t i)
{
    uint64_t seq = get_seq(m, r->size), want = r->size < 8 ? (uint32_t)i : i;
    if (seq != want) {
        fprintf(stderr, "spsc_tput: got message %llu, expected %llu\n", (unsigned long long)seq,
                (unsigned long long)want);
        exit(4);
    }
    bench_windows_mark(&r->windows, i + 1);
}

/* The peers whose put and take are single non-blocking calls returning 1 on
 * success share one loop each way, written out for each peer in a function of
 * its own, so the call inlines into its loop and nothing is chosen per
 * message (the message type still is, by a switch on the size, for all). */
#define PEER_LOOPS(name, put_call, take_call)                                                     \
    static void produce_##name(struct run *r, uint8_t *msgs)                                      \
    {                                                                                             \
        for (uint64_t i = 0; i < r->count; i++) {                                                 \
            put_seq(msgs, r->size, i);                                                            \
            while (!(put_call))                                                                   \
                bench_relax();                                                                    \
        }                                                                                         \
    }                                                                                             \
    static void consume_##name(struct run *r, uint8_t *msgs)                                      \
    {                                                                                             \
        for (uint64_t i = 0; i < r->count; i++) {                                                 \
            while (!(take_call))                                                                  \
                bench_relax();                                                                    \
            received(r, msgs, i);                                                                 \
        }                                                                                         \
    }
PEER_LOOPS(ck, ck_put(r, msgs), ck_get(r, msgs))
PEER_LOOPS(slot, slot_put(r, msgs), slot_get(r, msgs))
PEER_LOOPS(boost_spsc, boost_spsc_push(r->cxx, r->size, msgs), boost_spsc_pop(r->cxx, r->size, msgs))
PEER_LOOPS(rwq, rwq_push(r->cxx, r->size, msgs), rwq_pop(r->cxx, r->size, msgs))
PEER_LOOPS(ccq, ccq_push(r->cxx, r->ccq_producer, r->size, msgs), ccq_pop(r->cxx, r->ccq_consumer, r->size, msgs))

/* sabq's one-at-a-time loops serve both of its ring forms. */
static int one_by_one_sabq(const struct run *r)
{
    return strcmp(r->impl, "sabq") == 0 || strcmp(r->impl, "sabq-fixed") == 0;
}

/* Its batch loops, likewise. */
static int batched_sabq(const struct run *r)
{
    return strcmp(r->impl, "sabq-batch") == 0 || strcmp(r->impl, "sabq-fixed-batch") == 0;
}

static void *producer(void *arg)
{
    struct run *r = arg;
    bench_pin(0);
    _Alignas(64) uint8_t msgs[BATCH * MAX_MSG]; /* message k at k * size */
    memset(msgs, 0, sizeof msgs);
    bench_probe_side(&r->probe, 0);
    bench_gate_wait(&r->gate, 2);
    if (one_by_one_sabq(r)) {
        for (uint64_t i = 0; i < r->count; i++) {
            put_seq(msgs, r->size, i);
            while (sabq_spsc_send(&r->ring, msgs, r->size) == -EAGAIN)
                bench_relax();
        }
        sabq_spsc_close(&r->ring);
    } else if (batched_sabq(r)) {
        sabq_iov iov[BATCH];
        for (uint32_t k = 0; k < BATCH; k++)
            iov[k] = (sabq_iov){msgs + k * r->size, r->size};
        for (uint64_t i = 0; i < r->count;) {
            uint32_t n = r->count - i < BATCH ? (uint32_t)(r->count - i) : BATCH;
            for (uint32_t k = 0; k < n; k++)
                put_seq(msgs + k * r->size, r->size, i + k);
            for (uint32_t done = 0; done < n;) {
                int sent = sabq_spsc_send_batch(&r->ring, iov + done, n - done);
                if (sent > 0)
                    done += (uint32_t)sent;
                else
                    bench_relax();
            }
            i += n;
        }
        sabq_spsc_close(&r->ring);
    } else if (strcmp(r->impl, "mutex") == 0) {
        for (uint64_t i = 0; i < r->count; i++) {
            put_seq(msgs, r->size, i);
            mq_push(&r->mq, msgs);
        }
        mq_close(&r->mq);
    } else if (strcmp(r->impl, "pipe") == 0) { /* fixed-size records; writes of <= PIPE_BUF are atomic */
        for (uint64_t i = 0; i < r->count; i++) {
            put_seq(msgs, r->size, i);
            for (size_t done = 0; done < r->size;) {
                ssize_t n = write(r->fds[1], msgs + done, r->size - done);
                if (n <= 0)
                    exit(3);
                done += (size_t)n;
            }
        }
        close(r->fds[1]);
    } else if (strcmp(r->impl, "ck") == 0) {
        produce_ck(r, msgs);
    } else if (strcmp(r->impl, "slot") == 0) {
        produce_slot(r, msgs);
    } else if (strcmp(r->impl, "boost-spsc") == 0) {
        produce_boost_spsc(r, msgs);
    } else if (strcmp(r->impl, "rwq") == 0) {
        produce_rwq(r, msgs);
    } else {
        produce_ccq(r, msgs);
    }
    return NULL;
}

static void consume(struct run *r)
{
    _Alignas(64) uint8_t msgs[BATCH * MAX_MSG];
    if (one_by_one_sabq(r)) {
        for (uint64_t i = 0; i < r->count; i++) {
            while (sabq_spsc_recv(&r->ring, msgs, MAX_MSG) == -EAGAIN)
                bench_relax();
            received(r, msgs, i);
        }
    } else if (batched_sabq(r)) {
        sabq_iov iov[BATCH];
        for (uint64_t i = 0; i < r->count;) {
            for (uint32_t k = 0; k < BATCH; k++)
                iov[k] = (sabq_iov){msgs + k * r->size, r->size};
            int n;
            while ((n = sabq_spsc_recv_batch(&r->ring, iov, BATCH)) <= 0)
                bench_relax();
            for (int k = 0; k < n; k++, i++)
                received(r, msgs + k * r->size, i);
        }
    } else if (strcmp(r->impl, "mutex") == 0) {
        for (uint64_t i = 0; i < r->count; i++) {
            mq_pop(&r->mq, msgs);
            received(r, msgs, i);
        }
    } else if (strcmp(r->impl, "pipe") == 0) {
        for (uint64_t i = 0; i < r->count; i++) {
            for (size_t done = 0; done < r->size;) {
                ssize_t n = read(r->fds[0], msgs + done, r->size - done);
                if (n <= 0)
                    exit(3);
                done += (size_t)n;
            }
            received(r, msgs, i);
        }
    } else if (strcmp(r->impl, "ck") == 0) {
        consume_ck(r, msgs);
    } else if (strcmp(r->impl, "slot") == 0) {
        consume_slot(r, msgs);
    } else if (strcmp(r->impl, "boost-spsc") == 0) {
        consume_boost_spsc(r, msgs);
    } else if (strcmp(r->impl, "rwq") == 0) {
        consume_rwq(r, msgs);
    } else {
        consume_ccq(r, msgs);
    }
}

static const char *const IMPLS[] = {"sabq", "sabq-fixed", "sabq-batch", "sabq-fixed-batch", "ck", "slot", "boost-spsc", "rwq", "ccq", "mutex", "pipe"};

static int known(const char *impl)
{
    for (size_t i = 0; i < sizeof IMPLS / sizeof IMPLS[0]; i++)
        if (strcmp(impl, IMPLS[i]) == 0)
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    struct run *r = bench_alloc(sizeof *r);
    if (argc == 3) {
        r->impl = argv[1];
        r->size = (uint32_t)atoi(argv[2]);
    }
    if (argc != 3 || !known(r->impl) ||
        (r->size != 4 && r->size != 8 && r->size != 16 && r->size != 64 && r->size != 1024)) {
        fprintf(stderr, "usage: spsc_tput sabq|sabq-fixed|sabq-batch|sabq-fixed-batch|ck|slot|boost-spsc|rwq|ccq|mutex|pipe 4|8|16|64|1024\n");
        return 2;
    }
    /* pipe(2) moves a message in about a microsecond: a tenth of the count
     * still gives it as many windows as the others' runs. */
    uint64_t count = r->size == 1024 ? 1000000 : 5000000;
    r->count = bench_count(strcmp(r->impl, "pipe") == 0 ? count / 10 : count);
    bench_windows_init(&r->windows, r->count);
    uint32_t cap = pow2_at_least(SLOTS * (8 + r->size));
    if (strncmp(r->impl, "sabq-fixed", 10) == 0) { /* sabq-fixed, sabq-fixed-batch */
        size_t size = sabq_spsc_fixed_size(SLOTS, r->size);
        sabq_spsc_init_fixed(&r->ring, bench_alloc(size), size, SLOTS, r->size);
    } else {
        void *mem = bench_alloc(sabq_spsc_size(cap));
        sabq_spsc_init(&r->ring, mem, sabq_spsc_size(cap), cap, r->size);
    }
    ck_ring_init(&r->ck, SLOTS);
    r->ck_buf = bench_alloc(SLOTS * r->size);
    slot_ring_init(&r->slot, SLOTS, bench_alloc((SLOTS + 1) * r->size));
    if (strcmp(r->impl, "boost-spsc") == 0)
        r->cxx = boost_spsc_new(r->size);
    else if (strcmp(r->impl, "rwq") == 0)
        r->cxx = rwq_new(r->size);
    else if (strcmp(r->impl, "ccq") == 0) {
        r->cxx = ccq_new(r->size);
        r->ccq_producer = ccq_producer_new(r->cxx, r->size);
        r->ccq_consumer = ccq_consumer_new(r->cxx, r->size);
    }
    mq_init(&r->mq, SLOTS, r->size);
    if (pipe(r->fds) != 0)
        return 3;
    pthread_t t;
    pthread_create(&t, NULL, producer, r);
    bench_pin(1);
    bench_probe_side(&r->probe, 1);
    bench_gate_wait(&r->gate, 2);
    uint64_t t0 = bench_now();
    r->windows.stamps[r->windows.n++] = t0;
    consume(r);
    uint64_t ns = bench_now() - t0;
    pthread_join(t, NULL);
    double overall = (double)r->count / ((double)ns / 1e9) / 1e6;
    char param[32], extra[128];
    snprintf(param, sizeof param, "%uB", r->size);
    int len = snprintf(extra, sizeof extra, "\"overall\":%.6g", overall);
    if (r->size == 1024)
        snprintf(extra + len, sizeof extra - (size_t)len, ",\"memcpy_gbs\":%.4g,\"memcpy_ring_gbs\":%.4g",
                 bench_memcpy_gbs(r->size, 1), bench_memcpy_gbs(r->size, SLOTS));
    bench_emit("spsc throughput", r->impl, param, bench_windows_rate(&r->windows, overall), "Mmsg/s", extra);
    return 0;
}
