/* bench/native/spsc_tput.c — one producer, one consumer, pinned to two CPUs:
 * messages per second for 8, 64 and 1024-byte messages.
 *   spsc_tput IMPL SIZE     IMPL: sabq | sabq-batch | ck | mutex | pipe
 * Every implementation copies the message in and out (ck_ring through its
 * typed CK_RING_PROTOTYPE interface, which stores structs by value) and has
 * room for 1024 messages: ck_ring 1024 slots; sabq the smallest power-of-two
 * ring holding 1024 records (8-byte header + payload); the mutex queue 1024
 * slots; pipe(2) its default 64 KiB. The consumer checks each sequence number.
 * sabq runs with its blocking support compiled in, as always. */
#include <ck_ring.h>
#include <errno.h>
#include <sabq/sabq.h>
#include "harness.h"
#include "peer_mutex_queue.h"

#define BATCH 32

struct m8 { uint64_t seq; };
struct m64 { uint64_t seq; uint8_t pad[56]; };
struct m1024 { uint64_t seq; uint8_t pad[1016]; };
CK_RING_PROTOTYPE(m8, m8)
CK_RING_PROTOTYPE(m64, m64)
CK_RING_PROTOTYPE(m1024, m1024)

struct run {
    const char *impl;
    uint32_t size;
    uint64_t count;
    struct bench_gate gate;
    sabq_spsc ring;
    struct ck_ring ck;
    void *ck_buf;
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

/* ck_ring's typed calls differ by message type; one switch keeps the loops alike. */
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

static void *producer(void *arg)
{
    struct run *r = arg;
    bench_pin(0);
    uint8_t msgs[BATCH][1024];
    memset(msgs, 0, sizeof msgs);
    bench_gate_wait(&r->gate, 2);
    if (strcmp(r->impl, "sabq") == 0) {
        for (uint64_t i = 0; i < r->count; i++) {
            memcpy(msgs[0], &i, 8);
            while (sabq_spsc_send(&r->ring, msgs[0], r->size) == -EAGAIN)
                bench_relax();
        }
        sabq_spsc_close(&r->ring);
    } else if (strcmp(r->impl, "sabq-batch") == 0) {
        sabq_iov iov[BATCH];
        for (uint64_t i = 0; i < r->count;) {
            uint32_t n = r->count - i < BATCH ? (uint32_t)(r->count - i) : BATCH;
            for (uint32_t k = 0; k < n; k++) {
                uint64_t seq = i + k;
                memcpy(msgs[k], &seq, 8);
                iov[k] = (sabq_iov){msgs[k], r->size};
            }
            int sent = sabq_spsc_send_batch(&r->ring, iov, n);
            if (sent > 0)
                i += (uint64_t)sent;
            else
                bench_relax();
        }
        sabq_spsc_close(&r->ring);
    } else if (strcmp(r->impl, "ck") == 0) {
        for (uint64_t i = 0; i < r->count; i++) {
            memcpy(msgs[0], &i, 8);
            while (!ck_put(r, msgs[0]))
                bench_relax();
        }
    } else if (strcmp(r->impl, "mutex") == 0) {
        for (uint64_t i = 0; i < r->count; i++) {
            memcpy(msgs[0], &i, 8);
            mq_push(&r->mq, msgs[0]);
        }
        mq_close(&r->mq);
    } else { /* pipe(2): fixed-size records; writes of <= PIPE_BUF are atomic */
        for (uint64_t i = 0; i < r->count; i++) {
            memcpy(msgs[0], &i, 8);
            for (size_t done = 0; done < r->size;) {
                ssize_t n = write(r->fds[1], msgs[0] + done, r->size - done);
                if (n <= 0)
                    exit(3);
                done += (size_t)n;
            }
        }
        close(r->fds[1]);
    }
    return NULL;
}

static void check(uint64_t got, uint64_t want)
{
    if (got != want) {
        fprintf(stderr, "spsc_tput: got message %llu, expected %llu\n", (unsigned long long)got,
                (unsigned long long)want);
        exit(4);
    }
}

static void consume(struct run *r)
{
    uint8_t msgs[BATCH][1024];
    uint64_t seq;
    if (strcmp(r->impl, "sabq") == 0) {
        for (uint64_t i = 0; i < r->count; i++) {
            int n;
            while ((n = sabq_spsc_recv(&r->ring, msgs[0], sizeof msgs[0])) == -EAGAIN)
                bench_relax();
            memcpy(&seq, msgs[0], 8);
            check(seq, i);
        }
    } else if (strcmp(r->impl, "sabq-batch") == 0) {
        sabq_iov iov[BATCH];
        for (uint64_t i = 0; i < r->count;) {
            for (int k = 0; k < BATCH; k++)
                iov[k] = (sabq_iov){msgs[k], sizeof msgs[k]};
            int n = sabq_spsc_recv_batch(&r->ring, iov, BATCH);
            if (n <= 0) {
                bench_relax();
                continue;
            }
            for (int k = 0; k < n; k++, i++) {
                memcpy(&seq, msgs[k], 8);
                check(seq, i);
            }
        }
    } else if (strcmp(r->impl, "ck") == 0) {
        for (uint64_t i = 0; i < r->count; i++) {
            while (!ck_get(r, msgs[0]))
                bench_relax();
            memcpy(&seq, msgs[0], 8);
            check(seq, i);
        }
    } else if (strcmp(r->impl, "mutex") == 0) {
        for (uint64_t i = 0; i < r->count; i++) {
            mq_pop(&r->mq, msgs[0]);
            memcpy(&seq, msgs[0], 8);
            check(seq, i);
        }
    } else {
        for (uint64_t i = 0; i < r->count; i++) {
            for (size_t done = 0; done < r->size;) {
                ssize_t n = read(r->fds[0], msgs[0] + done, r->size - done);
                if (n <= 0)
                    exit(3);
                done += (size_t)n;
            }
            memcpy(&seq, msgs[0], 8);
            check(seq, i);
        }
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: spsc_tput sabq|sabq-batch|ck|mutex|pipe 8|64|1024\n");
        return 2;
    }
    struct run r = {.impl = argv[1], .size = (uint32_t)atoi(argv[2])};
    if (r.size != 8 && r.size != 64 && r.size != 1024)
        return 2;
    r.count = bench_count(r.size == 1024 ? 1000000 : 5000000);
    uint32_t cap = pow2_at_least(1024 * (8 + r.size));
    void *mem = bench_alloc(sabq_spsc_size(cap));
    sabq_spsc_init(&r.ring, mem, sabq_spsc_size(cap), cap, r.size);
    ck_ring_init(&r.ck, 1024);
    r.ck_buf = bench_alloc((size_t)1024 * (r.size == 8 ? sizeof(struct m8) : r.size == 64 ? sizeof(struct m64) : sizeof(struct m1024)));
    mq_init(&r.mq, 1024, r.size);
    if (pipe(r.fds) != 0)
        return 3;
    pthread_t t;
    pthread_create(&t, NULL, producer, &r);
    bench_pin(1);
    bench_gate_wait(&r.gate, 2);
    uint64_t t0 = bench_now();
    consume(&r);
    uint64_t ns = bench_now() - t0;
    pthread_join(t, NULL);
    char param[32];
    snprintf(param, sizeof param, "%uB", r.size);
    bench_emit("spsc throughput", r.impl, param, (double)r.count / ((double)ns / 1e9) / 1e6, "Mmsg/s", NULL);
    return 0;
}
