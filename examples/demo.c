/* examples/demo.c — one producer thread and one consumer thread through each
 * sabq ring kind: the SPSC message ring, the byte pipe and the MPMC queue.
 * Run with `make demo`. Every message is checked on arrival.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sabq/sabq.h>

#define MESSAGES 1000000u
#define SECOND 1000000000ull

/* Regions must start on a cache line; aligned_alloc gives us one. */
static void *region(size_t size)
{
    void *mem = aligned_alloc(SABQ_ALIGN, (size + SABQ_ALIGN - 1) & ~(size_t)(SABQ_ALIGN - 1));
    if (!mem) {
        perror("aligned_alloc");
        exit(1);
    }
    return mem;
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "demo: %s: %s\n", what, sabq_strerror(rc));
    exit(1);
}

/* ---- SPSC message ring: variable-length text messages ---------------------- */

static void *spsc_producer(void *arg)
{
    const sabq_spsc *r = arg;
    char msg[64];
    for (uint32_t i = 0; i < MESSAGES; i++) {
        int len = snprintf(msg, sizeof msg, "message %u", i);
        int rc = sabq_spsc_send_wait(r, msg, (uint32_t)len, SECOND);
        if (rc < 0)
            fail("spsc send", rc);
    }
    sabq_spsc_close(r); /* the consumer drains, then sees end of stream */
    return NULL;
}

static void demo_spsc(void)
{
    sabq_spsc r;
    size_t size = sabq_spsc_size(1 << 16);
    void *mem = region(size);
    int rc = sabq_spsc_init(&r, mem, size, 1 << 16, 0);
    if (rc < 0)
        fail("spsc init", rc);

    pthread_t t;
    pthread_create(&t, NULL, spsc_producer, &r);
    uint64_t start = sabq_now_ns();
    char buf[64], want[64];
    uint32_t n = 0;
    for (;;) {
        rc = sabq_spsc_recv_wait(&r, buf, sizeof buf, SECOND);
        if (rc == -EPIPE)
            break; /* closed and drained */
        if (rc < 0)
            fail("spsc recv", rc);
        int wl = snprintf(want, sizeof want, "message %u", n);
        if (rc != wl || memcmp(buf, want, (size_t)wl) != 0)
            fail("spsc content", -EPROTO);
        n++;
    }
    pthread_join(t, NULL);
    if (n != MESSAGES)
        fail("spsc: messages lost", -EPROTO);
    double s = (double)(sabq_now_ns() - start) / 1e9;
    printf("spsc ring : %u messages in order, %.2f M msg/s\n", n, n / s / 1e6);
    free(mem);
}

/* ---- Byte pipe: a stream with end of file ----------------------------------- */

#define PIPE_BYTES (64u << 20)

static uint8_t pattern(uint32_t pos) { return (uint8_t)(pos * 2654435761u >> 24); }

static void *pipe_writer(void *arg)
{
    const sabq_pipe *p = arg;
    uint8_t chunk[4096];
    for (uint32_t pos = 0; pos < PIPE_BYTES; pos += sizeof chunk) {
        for (uint32_t i = 0; i < sizeof chunk; i++)
            chunk[i] = pattern(pos + i);
        int rc = sabq_pipe_write_all(p, chunk, sizeof chunk, SECOND);
        if (rc != (int)sizeof chunk)
            fail("pipe write", rc < 0 ? rc : -EPIPE);
    }
    sabq_pipe_close(p); /* end of file for the reader */
    return NULL;
}

static void demo_pipe(void)
{
    sabq_pipe p;
    size_t size = sabq_pipe_size(1 << 16);
    void *mem = region(size);
    int rc = sabq_pipe_init(&p, mem, size, 1 << 16);
    if (rc < 0)
        fail("pipe init", rc);

    pthread_t t;
    pthread_create(&t, NULL, pipe_writer, &p);
    uint64_t start = sabq_now_ns();
    uint8_t buf[3000]; /* deliberately not the writer's chunk size */
    uint32_t pos = 0;
    while ((rc = sabq_pipe_read_wait(&p, buf, sizeof buf, SECOND)) > 0) {
        for (int i = 0; i < rc; i++)
            if (buf[i] != pattern(pos + (uint32_t)i))
                fail("pipe content", -EPROTO);
        pos += (uint32_t)rc;
    }
    if (rc < 0)
        fail("pipe read", rc);
    pthread_join(t, NULL);
    if (pos != PIPE_BYTES)
        fail("pipe: bytes lost", -EPROTO);
    double s = (double)(sabq_now_ns() - start) / 1e9;
    printf("byte pipe : %u MiB streamed to end of file, %.0f MiB/s\n", pos >> 20, (pos >> 20) / s);
    free(mem);
}

/* ---- MPMC queue: fixed-size work items -------------------------------------- */

struct item {
    uint32_t seq;
    uint32_t square_low; /* seq * seq, truncated: checked by the consumer */
};

static void *mpmc_producer(void *arg)
{
    const sabq_mpmc *q = arg;
    for (uint32_t i = 0; i < MESSAGES; i++) {
        struct item it = {i, i * i};
        int rc = sabq_mpmc_push_wait(q, &it, sizeof it, SECOND);
        if (rc < 0)
            fail("mpmc push", rc);
    }
    sabq_mpmc_close(q);
    return NULL;
}

static void demo_mpmc(void)
{
    sabq_mpmc q;
    size_t size = sabq_mpmc_size(1024, sizeof(struct item));
    void *mem = region(size);
    int rc = sabq_mpmc_init(&q, mem, size, 1024, sizeof(struct item));
    if (rc < 0)
        fail("mpmc init", rc);

    pthread_t t;
    pthread_create(&t, NULL, mpmc_producer, &q);
    uint64_t start = sabq_now_ns();
    struct item it;
    uint32_t n = 0;
    while ((rc = sabq_mpmc_pop_wait(&q, &it, sizeof it, SECOND)) >= 0) {
        if (rc != sizeof it || it.seq != n || it.square_low != n * n)
            fail("mpmc content", -EPROTO);
        n++;
    }
    if (rc != -EPIPE)
        fail("mpmc pop", rc);
    pthread_join(t, NULL);
    if (n != MESSAGES)
        fail("mpmc: items lost", -EPROTO);
    double s = (double)(sabq_now_ns() - start) / 1e9;
    printf("mpmc queue: %u items in order, %.2f M msg/s\n", n, n / s / 1e6);
    free(mem);
}

int main(void)
{
    demo_spsc();
    demo_pipe();
    demo_mpmc();
    return 0;
}
