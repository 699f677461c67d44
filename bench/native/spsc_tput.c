/* bench/native/spsc_tput.c — one producer, one consumer, pinned to two CPUs:
 * messages per second for 8, 64 and 1024-byte messages.
 *   spsc_tput IMPL SIZE     IMPL: sabq | sabq-batch | ck | slot | mutex | pipe
 * Every implementation copies the message in and out and has room for 1024
 * messages: ck_ring 1024 slots, through its typed CK_RING_PROTOTYPE interface
 * (structs by value); slot, a cached-index ring of 1024 fixed-size slots
 * (peer_slot_ring.h, the design of rigtorp's SPSCQueue), also by value;
 * sabq the smallest power-of-two ring holding 1024 records (8-byte header +
 * payload); the mutex queue 1024 slots; pipe(2) its default 64 KiB.
 * sabq-batch moves BATCH messages per call, from and into one contiguous
 * array of messages, as a program holding an array of structs would.
 * Every loop has the same shape: write the sequence number, put, spin with
 * bench_relax() while full; take, spin while empty, check the sequence
 * number, stamp the window clock (harness.h). sabq runs with its blocking
 * support compiled in, as always. */
#include <ck_ring.h>
#include <errno.h>
#include <sabq/sabq.h>
#include "harness.h"
#include "peer_mutex_queue.h"
#include "peer_slot_ring.h"

#define BATCH 32
#define MAX_MSG 1024

struct m8 { uint64_t seq; };
struct m64 { uint64_t seq; uint8_t pad[56]; };
struct m1024 { uint64_t seq; uint8_t pad[1016]; };
CK_RING_PROTOTYPE(m8, m8)
CK_RING_PROTOTYPE(m64, m64)
CK_RING_PROTOTYPE(m1024, m1024)
SLOT_RING_PROTOTYPE(m8, struct m8)
SLOT_RING_PROTOTYPE(m64, struct m64)
SLOT_RING_PROTOTYPE(m1024, struct m1024)

struct run {
    const char *impl;
    uint32_t size;
    uint64_t count;
    struct bench_gate gate;
    struct bench_windows windows;
    sabq_spsc ring;
    struct ck_ring ck;
    void *ck_buf;
    struct slot_ring slot;
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
static int ck_put(struct run *r, void *m)
{
    switch (r->size) {
    case 8: return ck_ring_enqueue_spsc_m8(&r->ck, r->ck_buf, m);
    case 64: return ck_ring_enqueue_spsc_m64(&r->ck, r->ck_buf, m);
    default: return ck_ring_enqueue_spsc_m1024(&r->ck, r->ck_buf, m);
    }
}

static int ck_get(struct run *r, void *m)
{
    switch (r->size) {
    case 8: return ck_ring_dequeue_spsc_m8(&r->ck, r->ck_buf, m);
    case 64: return ck_ring_dequeue_spsc_m64(&r->ck, r->ck_buf, m);
    default: return ck_ring_dequeue_spsc_m1024(&r->ck, r->ck_buf, m);
    }
}

static int slot_put(struct run *r, void *m)
{
    switch (r->size) {
    case 8: return slot_ring_push_m8(&r->slot, m);
    case 64: return slot_ring_push_m64(&r->slot, m);
    default: return slot_ring_push_m1024(&r->slot, m);
    }
}

static int slot_get(struct run *r, void *m)
{
    switch (r->size) {
    case 8: return slot_ring_pop_m8(&r->slot, m);
    case 64: return slot_ring_pop_m64(&r->slot, m);
    default: return slot_ring_pop_m1024(&r->slot, m);
    }
}

static void *producer(void *arg)
{
    struct run *r = arg;
    bench_pin(0);
    _Alignas(64) uint8_t msgs[BATCH * MAX_MSG]; /* message k at k * size */
    memset(msgs, 0, sizeof msgs);
    bench_gate_wait(&r->gate, 2);
    if (strcmp(r->impl, "sabq") == 0) {
        for (uint64_t i = 0; i < r->count; i++) {
            memcpy(msgs, &i, 8);
            while (sabq_spsc_send(&r->ring, msgs, r->size) == -EAGAIN)
                bench_relax();
        }
        sabq_spsc_close(&r->ring);
    } else if (strcmp(r->impl, "sabq-batch") == 0) {
        sabq_iov iov[BATCH];
        for (uint32_t k = 0; k < BATCH; k++)
            iov[k] = (sabq_iov){msgs + k * r->size, r->size};
        for (uint64_t i = 0; i < r->count;) {
            uint32_t n = r->count - i < BATCH ? (uint32_t)(r->count - i) : BATCH;
            for (uint32_t k = 0; k < n; k++) {
                uint64_t seq = i + k;
                memcpy(msgs + k * r->size, &seq, 8);
            }
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
    } else if (strcmp(r->impl, "ck") == 0) {
        for (uint64_t i = 0; i < r->count; i++) {
            memcpy(msgs, &i, 8);
            while (!ck_put(r, msgs))
                bench_relax();
        }
    } else if (strcmp(r->impl, "slot") == 0) {
        for (uint64_t i = 0; i < r->count; i++) {
            memcpy(msgs, &i, 8);
            while (!slot_put(r, msgs))
                bench_relax();
        }
    } else if (strcmp(r->impl, "mutex") == 0) {
        for (uint64_t i = 0; i < r->count; i++) {
            memcpy(msgs, &i, 8);
            mq_push(&r->mq, msgs);
        }
        mq_close(&r->mq);
    } else { /* pipe(2): fixed-size records; writes of <= PIPE_BUF are atomic */
        for (uint64_t i = 0; i < r->count; i++) {
            memcpy(msgs, &i, 8);
            for (size_t done = 0; done < r->size;) {
                ssize_t n = write(r->fds[1], msgs + done, r->size - done);
                if (n <= 0)
                    exit(3);
                done += (size_t)n;
            }
        }
        close(r->fds[1]);
    }
    return NULL;
}

/* Every received message: its sequence number, then the window clock. */
static inline void received(struct run *r, const uint8_t *m, uint64_t i)
{
    uint64_t seq;
    memcpy(&seq, m, 8);
    if (seq != i) {
        fprintf(stderr, "spsc_tput: got message %llu, expected %llu\n", (unsigned long long)seq,
                (unsigned long long)i);
        exit(4);
    }
    bench_windows_mark(&r->windows, i + 1);
}

static void consume(struct run *r)
{
    _Alignas(64) uint8_t msgs[BATCH * MAX_MSG];
    if (strcmp(r->impl, "sabq") == 0) {
        for (uint64_t i = 0; i < r->count; i++) {
            while (sabq_spsc_recv(&r->ring, msgs, MAX_MSG) == -EAGAIN)
                bench_relax();
            received(r, msgs, i);
        }
    } else if (strcmp(r->impl, "sabq-batch") == 0) {
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
    } else if (strcmp(r->impl, "ck") == 0) {
        for (uint64_t i = 0; i < r->count; i++) {
            while (!ck_get(r, msgs))
                bench_relax();
            received(r, msgs, i);
        }
    } else if (strcmp(r->impl, "slot") == 0) {
        for (uint64_t i = 0; i < r->count; i++) {
            while (!slot_get(r, msgs))
                bench_relax();
            received(r, msgs, i);
        }
    } else if (strcmp(r->impl, "mutex") == 0) {
        for (uint64_t i = 0; i < r->count; i++) {
            mq_pop(&r->mq, msgs);
            received(r, msgs, i);
        }
    } else {
        for (uint64_t i = 0; i < r->count; i++) {
            for (size_t done = 0; done < r->size;) {
                ssize_t n = read(r->fds[0], msgs + done, r->size - done);
                if (n <= 0)
                    exit(3);
                done += (size_t)n;
            }
            received(r, msgs, i);
        }
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: spsc_tput sabq|sabq-batch|ck|slot|mutex|pipe 8|64|1024\n");
        return 2;
    }
    struct run r = {.impl = argv[1], .size = (uint32_t)atoi(argv[2])};
    if (r.size != 8 && r.size != 64 && r.size != 1024)
        return 2;
    r.count = bench_count(r.size == 1024 ? 1000000 : 5000000);
    bench_windows_init(&r.windows, r.count);
    uint32_t cap = pow2_at_least(1024 * (8 + r.size));
    void *mem = bench_alloc(sabq_spsc_size(cap));
    sabq_spsc_init(&r.ring, mem, sabq_spsc_size(cap), cap, r.size);
    size_t slot = r.size == 8 ? sizeof(struct m8) : r.size == 64 ? sizeof(struct m64) : sizeof(struct m1024);
    ck_ring_init(&r.ck, 1024);
    r.ck_buf = bench_alloc(1024 * slot);
    slot_ring_init(&r.slot, 1024, bench_alloc(1025 * slot));
    mq_init(&r.mq, 1024, r.size);
    if (pipe(r.fds) != 0)
        return 3;
    pthread_t t;
    pthread_create(&t, NULL, producer, &r);
    bench_pin(1);
    bench_gate_wait(&r.gate, 2);
    uint64_t t0 = bench_now();
    r.windows.stamps[r.windows.n++] = t0;
    consume(&r);
    uint64_t ns = bench_now() - t0;
    pthread_join(t, NULL);
    double overall = (double)r.count / ((double)ns / 1e9) / 1e6;
    char param[32], extra[64];
    snprintf(param, sizeof param, "%uB", r.size);
    snprintf(extra, sizeof extra, "\"overall\":%.6g", overall);
    bench_emit("spsc throughput", r.impl, param, bench_windows_rate(&r.windows, overall), "Mmsg/s", extra);
    return 0;
}
