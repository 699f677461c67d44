/* tests/test_pipe.c — the SPSC byte pipe: partial writes and reads, spans,
 * end of stream and timeouts, with pipe(2) semantics where they make sense. */
#include <errno.h>
#include <sched.h>
#include "test_util.h"
#include "wrap.h"

#define CAP 256u

static sabq_pipe pipe_of(void **mem, uint32_t cap)
{
    sabq_pipe p;
    size_t size = sabq_pipe_size(cap);
    *mem = test_region(size);
    cr_assert_eq(sabq_pipe_init(&p, *mem, size, cap), 0);
    return p;
}

Test(pipe, init_and_attach_refuse_bad_arguments)
{
    sabq_pipe p;
    size_t size = sabq_pipe_size(CAP);
    void *mem = test_region(size);
    cr_expect_eq(sabq_pipe_size(100), 0);
    cr_expect_eq(sabq_pipe_init(&p, mem, size, 100), -EINVAL);
    cr_expect_eq(sabq_pipe_init(&p, mem, size - 1, CAP), -EINVAL);
    cr_expect_eq(sabq_pipe_init(&p, (char *)mem + 4, size, CAP), -EINVAL);
    cr_expect_eq(sabq_pipe_attach(&p, mem, size), -EPROTO, "nothing there yet");
    cr_assert_eq(sabq_pipe_init(&p, mem, size, CAP), 0);
    sabq_pipe a;
    cr_expect_eq(sabq_pipe_attach(&a, mem, size), 0);
    cr_expect_eq(a.cap, CAP);
    sabq_mpmc q;
    cr_expect_eq(sabq_mpmc_attach(&q, mem, size), -EPROTO, "wrong kind");
    ((struct sabq_region *)mem)->hdr.total_size = (uint32_t)size + 64;
    cr_expect_eq(sabq_pipe_attach(&a, mem, size), -EPROTO);
    free(mem);
}

Test(pipe, partial_writes_and_reads)
{
    void *mem;
    sabq_pipe p = pipe_of(&mem, CAP);
    uint8_t src[1000], dst[1000];
    test_fill(src, sizeof src, 5);
    cr_expect_eq(sabq_pipe_write(&p, src, 0), 0);
    cr_expect_eq(sabq_pipe_write(&p, src, 1000), (int)CAP, "writes what fits");
    cr_expect_eq(sabq_pipe_write(&p, src, 10), -EAGAIN);
    cr_expect_eq(sabq_pipe_read(&p, dst, 100), 100);
    cr_expect_eq(sabq_pipe_write(&p, src + CAP, 1000 - CAP), 100, "wraps");
    cr_expect_eq(sabq_pipe_read(&p, dst + 100, 1000), (int)CAP);
    cr_expect_eq(sabq_pipe_read(&p, dst, 10), -EAGAIN);
    cr_expect(test_check(dst, CAP + 100, 5));
    free(mem);
}

Test(pipe, byte_stream_across_many_wraps)
{
    void *mem;
    sabq_pipe p = pipe_of(&mem, CAP);
    uint8_t src[4096], dst[4096];
    test_fill(src, sizeof src, 9);
    uint32_t in = 0, out = 0, step = 1;
    while (out < sizeof dst) {
        if (in < sizeof src) {
            int n = sabq_pipe_write(&p, src + in, step % 97 + 1 < sizeof src - in ? step % 97 + 1 : (uint32_t)sizeof src - in);
            cr_assert(n > 0 || n == -EAGAIN, "write: %d", n);
            if (n > 0)
                in += (uint32_t)n;
        }
        int n = sabq_pipe_read(&p, dst + out, step % 53 + 1);
        cr_assert(n > 0 || n == -EAGAIN, "read: %d", n);
        if (n > 0)
            out += (uint32_t)n;
        step++;
    }
    cr_expect(test_check(dst, sizeof dst, 9));
    free(mem);
}

Test(pipe, spans_give_contiguous_space)
{
    void *mem;
    sabq_pipe p = pipe_of(&mem, CAP);
    void *w;
    cr_assert_eq(sabq_pipe_write_span(&p, &w), (int)CAP);
    memset(w, 'x', 200);
    cr_assert_eq(sabq_pipe_write_commit(&p, 200), 0);
    cr_expect_eq(sabq_pipe_write_commit(&p, 57), -EINVAL, "more than is free");
    const void *r;
    cr_assert_eq(sabq_pipe_read_span(&p, &r), 200);
    cr_expect_eq(((const char *)r)[199], 'x');
    cr_assert_eq(sabq_pipe_read_consume(&p, 150), 0);
    cr_expect_eq(sabq_pipe_read_consume(&p, 51), -EINVAL, "more than is there");
    cr_assert_eq(sabq_pipe_write_span(&p, &w), (int)CAP - 200, "up to the end only");
    cr_assert_eq(sabq_pipe_write_commit(&p, CAP - 200), 0);
    cr_assert_eq(sabq_pipe_write_span(&p, &w), 150, "then from the start");
    free(mem);
}

Test(pipe, writer_close_is_end_of_stream)
{
    void *mem;
    sabq_pipe p = pipe_of(&mem, CAP);
    cr_assert_eq(sabq_pipe_write(&p, "abc", 3), 3);
    sabq_pipe_close(&p);
    cr_expect_eq(sabq_pipe_write(&p, "d", 1), -EPIPE);
    char buf[8];
    cr_expect_eq(sabq_pipe_read(&p, buf, 8), 3);
    cr_expect_eq(sabq_pipe_read(&p, buf, 8), 0, "end of stream");
    cr_expect_eq(sabq_pipe_read_wait(&p, buf, 8, SABQ_FOREVER), 0);
    const void *span;
    cr_expect_eq(sabq_pipe_read_span(&p, &span), 0);
    free(mem);
}

Test(pipe, write_all_blocks_then_reports_partial_progress)
{
    void *mem;
    sabq_pipe p = pipe_of(&mem, CAP);
    uint8_t big[CAP * 2];
    memset(big, 1, sizeof big);
    uint64_t t0 = sabq_now_ns();
    cr_expect_eq(sabq_pipe_write_all(&p, big, sizeof big, 20 * MS), (int)CAP,
                 "the bytes written before the timeout");
    cr_expect_geq(sabq_now_ns() - t0, 20 * MS);
    cr_expect_eq(sabq_pipe_write_all(&p, big, 1, 10 * MS), -ETIMEDOUT, "none written");
    char buf[8];
    t0 = sabq_now_ns();
    cr_expect_eq(sabq_pipe_read_wait(&p, buf, 0, 0), 0, "zero-length read");
    free(mem);
}

struct reader {
    const sabq_pipe *p;
    uint64_t bytes;
    uint32_t hash;
};

static void *read_to_eof(void *arg)
{
    struct reader *rd = arg;
    uint8_t buf[333];
    uint32_t h = 2166136261u;
    for (;;) {
        int n = sabq_pipe_read_wait(rd->p, buf, sizeof buf, 10000 * MS);
        if (n <= 0) {
            cr_assert_eq(n, 0, "read: %d", n);
            break;
        }
        for (int i = 0; i < n; i++)
            h = (h ^ buf[i]) * 16777619u;
        rd->bytes += (uint32_t)n;
    }
    rd->hash = h;
    return NULL;
}

Test(pipe, two_threads_stream_checksummed)
{
    void *mem;
    sabq_pipe p = pipe_of(&mem, 4096);
    struct reader rd = {&p, 0, 0};
    pthread_t t = test_spawn(read_to_eof, &rd);
    uint8_t chunk[1000];
    uint32_t h = 2166136261u;
    uint64_t total = 0;
    for (uint32_t i = 0; i < 2000; i++) {
        uint32_t len = 1 + (i * 131u) % sizeof chunk;
        test_fill(chunk, len, i);
        for (uint32_t k = 0; k < len; k++)
            h = (h ^ chunk[k]) * 16777619u;
        cr_assert_eq(sabq_pipe_write_all(&p, chunk, len, 10000 * MS), (int)len);
        total += len;
    }
    sabq_pipe_close(&p);
    test_join(t);
    cr_expect_eq(rd.bytes, total);
    cr_expect_eq(rd.hash, h);
    free(mem);
}

static void *sleep_in_read(void *arg)
{
    struct reader *rd = arg;
    char c;
    rd->bytes = (uint64_t)(int64_t)sabq_pipe_read_wait(rd->p, &c, 1, 5000 * MS);
    return NULL;
}

Test(pipe, close_wakes_a_sleeping_reader)
{
    void *mem;
    sabq_pipe p = pipe_of(&mem, CAP);
    sabq_set_spin(0);
    struct reader rd = {&p, 99, 0};
    pthread_t t = test_spawn(sleep_in_read, &rd);
    test_until_waiting(&p.shm->wait.readable, 1);
    uint64_t t0 = sabq_now_ns();
    sabq_pipe_close(&p);
    test_join(t);
    cr_expect_eq(rd.bytes, 0, "end of stream, not an error");
    cr_expect_lt(sabq_now_ns() - t0, TEST_WAKE_BOUND_MS * MS);
    free(mem);
}

/* A write and then the close, landing while the reader looks: the reader
 * must get the byte before the end of stream, never the end first. The
 * reader used to decide "end" by the closed flag read after its look at
 * head, so the two could land in between and the byte was lost (in about 5%
 * of rounds here); tests/model/pipe.pml found it (MUTANT_EOF_DECIDED_LATE is
 * that code). Also the span form, which the JS binding reads with. */
struct eof_race {
    sabq_pipe p;
    void *mem;
    size_t size;
    _Atomic uint32_t round;  /* the writer may start round n when round == n */
    _Atomic uint32_t done;   /* the writer's close of round n has returned */
    uint32_t rounds;
    int write_failed;
};

static void *write_then_close(void *arg)
{
    struct eof_race *race = arg;
    for (uint32_t n = 1; n <= race->rounds; n++) {
        while (atomic_load(&race->round) != n)
            sched_yield();
        char c = (char)n;
        if (sabq_pipe_write(&race->p, &c, 1) != 1)
            race->write_failed = 1;
        sabq_pipe_close(&race->p);
        atomic_store(&race->done, n);
    }
    return NULL;
}

Test(pipe, a_write_then_close_is_never_cut_short)
{
    struct eof_race race = {.size = sabq_pipe_size(CAP), .rounds = SABQ_TEST_TSAN ? 2000 : 20000};
    race.mem = test_region(race.size);
    pthread_t t = test_spawn(write_then_close, &race);
    uint32_t cut = 0;
    for (uint32_t n = 1; n <= race.rounds; n++) {
        cr_assert_eq(sabq_pipe_init(&race.p, race.mem, race.size, CAP), 0);
        atomic_store(&race.round, n);
        char c = 0;
        const void *span;
        int rc;
        /* Poll back to back (a yield now and then): the race is inside a call. */
        uint32_t spins = 0;
        if (n % 2) {
            while ((rc = sabq_pipe_read(&race.p, &c, 1)) == -EAGAIN)
                if ((++spins & 1023) == 0)
                    sched_yield();
        } else {
            while ((rc = sabq_pipe_read_span(&race.p, &span)) == -EAGAIN)
                if ((++spins & 1023) == 0)
                    sched_yield();
            if (rc == 1) {
                c = *(const char *)span;
                cr_assert_eq(sabq_pipe_read_consume(&race.p, 1), 0);
            }
        }
        if (rc == 0) {
            cut++;
        } else {
            cr_assert_eq(rc, 1);
            cr_assert_eq(c, (char)n);
            while ((rc = sabq_pipe_read(&race.p, &c, 1)) == -EAGAIN)
                sched_yield();
            cr_assert_eq(rc, 0, "the end comes after the byte");
        }
        while (atomic_load(&race.done) != n) /* the writer is done with this region */
            sched_yield();
    }
    test_join(t);
    cr_assert_eq(race.write_failed, 0);
    cr_expect_eq(cut, 0, "%u of %u streams ended before their last byte", cut, race.rounds);
    free(race.mem);
}

Test(pipe, used_and_is_closed_report_the_state)
{
    void *mem;
    sabq_pipe p = pipe_of(&mem, CAP);
    uint8_t buf[CAP];
    memset(buf, 3, sizeof buf);
    cr_expect_eq(sabq_pipe_used(&p), 0);
    cr_expect_eq(sabq_pipe_is_closed(&p), 0);
    cr_assert_eq(sabq_pipe_write(&p, buf, 100), 100);
    cr_expect_eq(sabq_pipe_used(&p), 100);
    cr_assert_eq(sabq_pipe_read(&p, buf, 30), 30);
    cr_expect_eq(sabq_pipe_used(&p), 70);
    cr_assert_eq(sabq_pipe_write(&p, buf, CAP), (int)CAP - 70);
    cr_expect_eq(sabq_pipe_used(&p), CAP, "full");
    sabq_pipe_close(&p);
    cr_expect_neq(sabq_pipe_is_closed(&p), 0);
    cr_expect_eq(sabq_pipe_used(&p), CAP, "close drops nothing");
    cr_assert_eq(sabq_pipe_read(&p, buf, CAP), (int)CAP);
    cr_expect_eq(sabq_pipe_used(&p), 0);
    /* a scribbled index never reports more than the pipe holds */
    atomic_store(&p.shm->prod.head, atomic_load(&p.shm->cons.tail) + 5 * CAP);
    cr_expect_eq(sabq_pipe_used(&p), CAP);
    free(mem);
}

/* Indices just below 2^32: the stream crosses the wrap of both indices. */
Test(pipe, indices_wrap_past_2_32)
{
    void *mem;
    sabq_pipe p = pipe_of(&mem, CAP);
    test_pipe_start_below_wrap(&p, 3 * CAP + 17);
    uint8_t src[4096], dst[4096];
    test_fill(src, sizeof src, 11);
    uint32_t in = 0, out = 0, step = 0;
    while (out < sizeof dst) {
        if (in < sizeof src) {
            int n = sabq_pipe_write(&p, src + in, (step * 13u) % 97u + 1 < sizeof src - in ? (step * 13u) % 97u + 1
                                                                                          : (uint32_t)sizeof src - in);
            cr_assert(n > 0 || n == -EAGAIN, "write: %d", n);
            in += n > 0 ? (uint32_t)n : 0;
        }
        const void *span;
        int n = sabq_pipe_read_span(&p, &span);
        cr_assert(n > 0 || n == -EAGAIN, "read_span: %d", n);
        if (n > 0) {
            memcpy(dst + out, span, (size_t)n);
            cr_assert_eq(sabq_pipe_read_consume(&p, (uint32_t)n), 0);
            out += (uint32_t)n;
        }
        step++;
    }
    cr_expect(test_check(dst, sizeof dst, 11));
    cr_expect_lt(atomic_load(&p.shm->prod.head), 1u << 20, "the indices crossed 2^32");
    free(mem);
}
