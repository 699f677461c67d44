/* examples/emscripten_rings.c — emscripten pthreads (Web Workers underneath)
 * exchanging messages through each sabq ring kind, every message checked:
 * SPSC (sequence order), pipe (a checksummed byte stream), MPMC with two
 * producers and two consumers (each message exactly once, per-producer order).
 * Built with -sPROXY_TO_PTHREAD so that main() runs in a pthread and may
 * block; `make test-emscripten` runs it under Node. Exit status 0 only if
 * every check passed. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sabq/sabq.h>

#define SECOND 1000000000ull
#define SPSC_MESSAGES 200000u
#define PIPE_BYTES (8u << 20)
#define MPMC_PER_PRODUCER 100000u

static int failures;

static void *region(size_t size)
{
    void *mem = aligned_alloc(SABQ_ALIGN, (size + SABQ_ALIGN - 1) & ~(size_t)(SABQ_ALIGN - 1));
    if (!mem) {
        perror("aligned_alloc");
        exit(1);
    }
    return mem;
}

static void fail(const char *what, int rc)
{
    fprintf(stderr, "emscripten_rings: %s: %s\n", what, sabq_strerror(rc));
    __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
}

static double rate(uint64_t n, uint64_t t0) { return (double)n / ((double)(sabq_now_ns() - t0) / 1e9); }

/* ---- SPSC ------------------------------------------------------------------- */

static void *spsc_producer(void *arg)
{
    const sabq_spsc *r = arg;
    for (uint32_t i = 0; i < SPSC_MESSAGES; i++) {
        uint32_t msg[4] = {i, i * 3u, i ^ 0x5a5a5a5au, ~i};
        int rc = sabq_spsc_send_wait(r, msg, (uint32_t)sizeof msg - (i % 4) * 4, 10 * SECOND);
        if (rc < 0) {
            fail("spsc send", rc);
            break;
        }
    }
    sabq_spsc_close(r);
    return NULL;
}

static void spsc(void)
{
    sabq_spsc r;
    size_t size = sabq_spsc_size(1 << 14);
    void *mem = region(size);
    sabq_spsc_init(&r, mem, size, 1 << 14, 0);
    pthread_t t;
    uint64_t t0 = sabq_now_ns();
    pthread_create(&t, NULL, spsc_producer, &r);
    uint32_t got = 0, msg[4];
    int rc;
    while ((rc = sabq_spsc_recv_wait(&r, msg, sizeof msg, 10 * SECOND)) >= 0) {
        if (msg[0] != got || rc != (int)(sizeof msg - (got % 4) * 4) || (rc > 4 && msg[1] != got * 3u)) {
            fprintf(stderr, "spsc: message %u wrong (seq %u, %d bytes)\n", got, msg[0], rc);
            failures++;
            break;
        }
        got++;
    }
    if (rc != -EPIPE)
        fail("spsc recv", rc);
    pthread_join(t, NULL);
    printf("spsc ring : %u of %u messages in order, %.2f M msg/s\n", got, SPSC_MESSAGES, rate(got, t0) / 1e6);
    failures += got != SPSC_MESSAGES;
    free(mem);
}

/* ---- pipe ------------------------------------------------------------------- */

static uint8_t byte_at(uint32_t pos) { return (uint8_t)(pos * 2654435761u >> 24); }

static void *pipe_writer(void *arg)
{
    const sabq_pipe *p = arg;
    uint8_t chunk[3000];
    for (uint32_t pos = 0; pos < PIPE_BYTES;) {
        uint32_t n = PIPE_BYTES - pos < sizeof chunk ? PIPE_BYTES - pos : (uint32_t)sizeof chunk;
        for (uint32_t i = 0; i < n; i++)
            chunk[i] = byte_at(pos + i);
        int rc = sabq_pipe_write_all(p, chunk, n, 10 * SECOND);
        if (rc != (int)n) {
            fail("pipe write", rc);
            break;
        }
        pos += n;
    }
    sabq_pipe_close(p);
    return NULL;
}

static void pipe_stream(void)
{
    sabq_pipe p;
    size_t size = sabq_pipe_size(1 << 16);
    void *mem = region(size);
    sabq_pipe_init(&p, mem, size, 1 << 16);
    pthread_t t;
    uint64_t t0 = sabq_now_ns();
    pthread_create(&t, NULL, pipe_writer, &p);
    uint8_t buf[4096];
    uint32_t pos = 0;
    int n;
    while ((n = sabq_pipe_read_wait(&p, buf, sizeof buf, 10 * SECOND)) > 0) {
        for (int i = 0; i < n; i++) {
            if (buf[i] != byte_at(pos + (uint32_t)i)) {
                fprintf(stderr, "pipe: byte %u wrong\n", pos + (uint32_t)i);
                failures++;
                n = -1;
                break;
            }
        }
        if (n < 0)
            break;
        pos += (uint32_t)n;
    }
    if (n < 0 && n != -1)
        fail("pipe read", n);
    pthread_join(t, NULL);
    printf("byte pipe : %u of %u bytes checked, %.0f MiB/s\n", pos, PIPE_BYTES, rate(pos, t0) / 1048576.0);
    failures += pos != PIPE_BYTES;
    free(mem);
}

/* ---- MPMC: 2 producers x 2 consumers --------------------------------------- */

struct mpmc_job {
    const sabq_mpmc *q;
    uint32_t id;
    uint32_t received;
    uint8_t *seen; /* 2 * MPMC_PER_PRODUCER flags, shared by the consumers */
};

static void *mpmc_producer(void *arg)
{
    struct mpmc_job *j = arg;
    for (uint32_t seq = 0; seq < MPMC_PER_PRODUCER; seq++) {
        uint32_t msg[2] = {j->id, seq};
        int rc = sabq_mpmc_push_wait(j->q, msg, sizeof msg, 10 * SECOND);
        if (rc < 0) {
            fail("mpmc push", rc);
            break;
        }
    }
    return NULL;
}

static void *mpmc_consumer(void *arg)
{
    struct mpmc_job *j = arg;
    int64_t last[2] = {-1, -1};
    uint32_t msg[2];
    int rc;
    while ((rc = sabq_mpmc_pop_wait(j->q, msg, sizeof msg, 10 * SECOND)) == (int)sizeof msg) {
        if (msg[0] > 1 || msg[1] >= MPMC_PER_PRODUCER || (int64_t)msg[1] <= last[msg[0]] ||
            __atomic_exchange_n(&j->seen[msg[0] * MPMC_PER_PRODUCER + msg[1]], 1, __ATOMIC_RELAXED)) {
            fprintf(stderr, "mpmc: (%u, %u) out of order or duplicated\n", msg[0], msg[1]);
            __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
            break;
        }
        last[msg[0]] = msg[1];
        j->received++;
    }
    if (rc != -EPIPE && rc != (int)sizeof msg)
        fail("mpmc pop", rc);
    return NULL;
}

static void mpmc(void)
{
    sabq_mpmc q;
    size_t size = sabq_mpmc_size(1024, 8);
    void *mem = region(size);
    sabq_mpmc_init(&q, mem, size, 1024, 8);
    uint8_t *seen = calloc(2 * MPMC_PER_PRODUCER, 1);
    struct mpmc_job jobs[4];
    pthread_t t[4];
    uint64_t t0 = sabq_now_ns();
    for (uint32_t i = 0; i < 4; i++) {
        jobs[i] = (struct mpmc_job){&q, i % 2, 0, seen};
        pthread_create(&t[i], NULL, i < 2 ? mpmc_producer : mpmc_consumer, &jobs[i]);
    }
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    sabq_mpmc_close(&q); /* consumers drain, then see -EPIPE */
    pthread_join(t[2], NULL);
    pthread_join(t[3], NULL);
    uint32_t total = jobs[2].received + jobs[3].received, missing = 0;
    for (uint32_t i = 0; i < 2 * MPMC_PER_PRODUCER; i++)
        missing += !seen[i];
    printf("mpmc queue: %u of %u messages exactly once (%u missing), %.2f M msg/s\n", total,
           2 * MPMC_PER_PRODUCER, missing, rate(total, t0) / 1e6);
    failures += total != 2 * MPMC_PER_PRODUCER || missing;
    free(seen);
    free(mem);
}

int main(void)
{
    spsc();
    pipe_stream();
    mpmc();
    if (failures)
        fprintf(stderr, "emscripten_rings: %d check(s) failed\n", failures);
    return failures ? 1 : 0;
}
