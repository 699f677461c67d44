/* tests/stress/stress_pipe.c — a writer streams 256 MiB through a 4 KiB pipe in
 * chunks of varying size (copy and span forms); the reader consumes with
 * varying sizes. The byte at stream offset i is a function of i, so loss,
 * duplication and reordering all show up at the exact offset. */
#include <errno.h>
#include "stress.h"

static uint8_t byte_at(uint64_t off) { return (uint8_t)(off * 2654435761u >> 24); }

struct pipe_run {
    sabq_pipe p;
    uint64_t bytes;
};

static void *write_stream(void *arg)
{
    struct pipe_run *run = arg;
    uint8_t chunk[3000];
    uint64_t off = 0;
    uint32_t step = 0;
    while (off < run->bytes) {
        uint32_t want = 1 + (step++ * 977u) % sizeof chunk;
        if (want > run->bytes - off)
            want = (uint32_t)(run->bytes - off);
        if (step % 2) {
            for (uint32_t i = 0; i < want; i++)
                chunk[i] = byte_at(off + i);
            int n = STRESS_WAIT(sabq_pipe_write_all(&run->p, chunk, want, stress_timeout_ns));
            stress_require(n == (int)want, "write_all: %s", sabq_strerror(n));
            off += want;
        } else {
            void *span;
            int room = sabq_pipe_write_span(&run->p, &span);
            if (room == -EAGAIN)
                continue;
            stress_require(room > 0, "write_span: %s", sabq_strerror(room));
            uint32_t n = want < (uint32_t)room ? want : (uint32_t)room;
            for (uint32_t i = 0; i < n; i++)
                ((uint8_t *)span)[i] = byte_at(off + i);
            stress_require(sabq_pipe_write_commit(&run->p, n) == 0);
            off += n;
        }
    }
    sabq_pipe_close(&run->p);
    return NULL;
}

/* `bytes` through a pipe of `cap`, every byte checked at its offset. */
static void run_pipe(const char *label, uint32_t cap, uint64_t bytes)
{
    struct pipe_run run = {.bytes = bytes};
    size_t size = sabq_pipe_size(cap);
    void *mem = stress_region(size);
    cr_assert_eq(sabq_pipe_init(&run.p, mem, size, cap), 0);
    test_pipe_start_below_wrap(&run.p, 10000); /* cross 2^32 early */
    uint64_t t0 = sabq_now_ns();
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, write_stream, &run), 0);
    uint8_t buf[2500];
    uint64_t off = 0;
    uint32_t step = 0;
    for (;;) {
        int n;
        if (step++ % 2) {
            n = STRESS_WAIT(sabq_pipe_read_wait(&run.p, buf, 1 + (step * 613u) % sizeof buf, stress_timeout_ns));
            if (n == 0)
                break;
            cr_assert_gt(n, 0, "read_wait: %s", sabq_strerror(n));
            for (int i = 0; i < n; i++)
                cr_assert_eq(buf[i], byte_at(off + (uint64_t)i), "wrong byte at offset %llu",
                             (unsigned long long)(off + (uint64_t)i));
        } else {
            const void *span;
            n = sabq_pipe_read_span(&run.p, &span);
            if (n == -EAGAIN)
                continue;
            if (n == 0)
                break;
            cr_assert_gt(n, 0, "read_span: %s", sabq_strerror(n));
            for (int i = 0; i < n; i++)
                cr_assert_eq(((const uint8_t *)span)[i], byte_at(off + (uint64_t)i),
                             "wrong byte at offset %llu", (unsigned long long)(off + (uint64_t)i));
            cr_assert_eq(sabq_pipe_read_consume(&run.p, (uint32_t)n), 0);
        }
        off += (uint64_t)n;
    }
    cr_assert_eq(pthread_join(t, NULL), 0);
    cr_assert_eq(off, run.bytes, "read %llu of %llu bytes", (unsigned long long)off,
                 (unsigned long long)run.bytes);
    double secs = (double)(sabq_now_ns() - t0) / 1e9;
    fprintf(stderr, "stress %s: %llu bytes in %.2f s (%.0f MiB/s)\n", label,
            (unsigned long long)run.bytes, secs, (double)run.bytes / secs / 1048576.0);
    free(mem);
}

Test(stress, pipe_stream_is_exact, .timeout = 900)
{
    run_pipe("pipe", 4096, stress_count(256ull << 20));
}

Test(soak, pipe_10e9_bytes, .timeout = SOAK_TIMEOUT_S)
{
    SOAK_ONLY();
    run_pipe("soak pipe", 4096, 1000000000ull);
}

/* Spin 0 and a 64-byte pipe: nearly every write and read waits, and parks;
 * a lost wake-up would show as a whole (10 s) timeout, which fails. */
Test(stress, pipe_parking_at_every_wait, .timeout = 900)
{
    sabq_set_spin(0);
    stress_timeout_ns = 10ull * 1000000000ull;
    run_pipe("pipe spin 0, 64 bytes", 64, stress_count(4u << 20));
}
