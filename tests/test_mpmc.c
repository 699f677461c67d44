/* tests/test_mpmc.c — the MPMC queue from one thread and from a few: geometry,
 * order, sizes, bulk forms, close and timeouts. The many-thread proof of no
 * loss, duplication or reordering is tests/stress/stress_mpmc.c. */
#include <errno.h>
#include "test_util.h"
#include "wrap.h"

static sabq_mpmc queue(void **mem, uint32_t slots, uint32_t msg_max)
{
    sabq_mpmc q;
    size_t size = sabq_mpmc_size(slots, msg_max);
    *mem = test_region(size);
    cr_assert_eq(sabq_mpmc_init(&q, *mem, size, slots, msg_max), 0);
    return q;
}

Test(mpmc, geometry)
{
    cr_expect_eq(sabq_mpmc_stride(1), 16);
    cr_expect_eq(sabq_mpmc_stride(8), 16);
    cr_expect_eq(sabq_mpmc_stride(9), 24);
    cr_expect_eq(sabq_mpmc_stride(56), 64);
    cr_expect_eq(sabq_mpmc_stride(57), 72);
    cr_expect_eq(sabq_mpmc_size(16, 8), SABQ_DATA_OFFSET + 16 * 16);
    cr_expect_eq(sabq_mpmc_size(15, 8), 0, "slots must be a power of two");
    cr_expect_eq(sabq_mpmc_size(1, 8), 0);
    cr_expect_eq(sabq_mpmc_size(16, 0), 0);
}

Test(mpmc, init_and_attach_refuse_bad_arguments)
{
    sabq_mpmc q;
    size_t size = sabq_mpmc_size(16, 8);
    void *mem = test_region(size);
    cr_expect_eq(sabq_mpmc_init(&q, mem, size, 12, 8), -EINVAL);
    cr_expect_eq(sabq_mpmc_init(&q, mem, size, 16, 0), -EINVAL);
    cr_expect_eq(sabq_mpmc_init(&q, mem, size - 1, 16, 8), -EINVAL);
    cr_expect_eq(sabq_mpmc_init(&q, (char *)mem + 32, size, 16, 8), -EINVAL);
    cr_assert_eq(sabq_mpmc_init(&q, mem, size, 16, 8), 0);
    sabq_mpmc a;
    cr_assert_eq(sabq_mpmc_attach(&a, mem, size), 0);
    cr_expect_eq(a.cap, 16);
    cr_expect_eq(a.msg_max, 8);
    cr_expect_eq(a.stride, 16);
    struct sabq_region *s = mem;
    s->hdr.stride = 8; /* slots would overlap */
    cr_expect_eq(sabq_mpmc_attach(&a, mem, size), -EPROTO);
    s->hdr.stride = 64; /* layout 3's stride for these messages */
    cr_expect_eq(sabq_mpmc_attach(&a, mem, size), -EPROTO);
    s->hdr.stride = 16;
    s->hdr.capacity = 32; /* more slots than the region holds */
    cr_expect_eq(sabq_mpmc_attach(&a, mem, size), -EPROTO);
    free(mem);
}

Test(mpmc, fifo_full_empty_and_sizes)
{
    void *mem;
    sabq_mpmc q = queue(&mem, 8, 16);
    uint8_t buf[32];
    cr_expect_eq(sabq_mpmc_pop(&q, buf, sizeof buf), -EAGAIN);
    for (uint32_t i = 0; i < 8; i++) {
        test_fill(buf, i, i);
        cr_assert_eq(sabq_mpmc_push(&q, buf, i), 0);
    }
    cr_expect_eq(sabq_mpmc_push(&q, buf, 1), -EAGAIN);
    cr_expect_eq(sabq_mpmc_used(&q), 8);
    cr_expect_eq(sabq_mpmc_push(&q, buf, 17), -EMSGSIZE);
    cr_expect_eq(sabq_mpmc_pop(&q, buf, 0), 0, "the empty message");
    cr_expect_eq(sabq_mpmc_pop(&q, buf, 0), -EMSGSIZE, "1 byte does not fit 0");
    for (uint32_t i = 1; i < 8; i++) {
        cr_assert_eq(sabq_mpmc_pop(&q, buf, sizeof buf), (int)i);
        cr_assert(test_check(buf, i, i));
    }
    cr_expect_eq(sabq_mpmc_used(&q), 0);
    /* many laps of the ring */
    for (uint32_t i = 0; i < 1000; i++) {
        cr_assert_eq(sabq_mpmc_push(&q, &i, 4), 0);
        uint32_t v;
        cr_assert_eq(sabq_mpmc_pop(&q, &v, 4), 4);
        cr_assert_eq(v, i);
    }
    free(mem);
}

/* As for the ring: every short length round-trips exactly (sabq__copy). */
Test(mpmc, every_short_length_is_copied_exactly)
{
    void *mem;
    sabq_mpmc q = queue(&mem, 8, 40);
    uint8_t in[40], out[48];
    for (uint32_t len = 0; len <= sizeof in; len++) {
        for (uint32_t i = 0; i < len; i++)
            in[i] = (uint8_t)(len * 31u + i + 1);
        cr_assert_eq(sabq_mpmc_push(&q, in, len), 0);
        memset(out, 0xEE, sizeof out);
        cr_assert_eq(sabq_mpmc_pop(&q, out, sizeof out), (int)len);
        cr_expect_eq(memcmp(in, out, len), 0, "length %u", len);
        for (uint32_t i = len; i < sizeof out; i++)
            cr_expect_eq(out[i], 0xEE, "length %u: byte %u written", len, i);
    }
    free(mem);
}

Test(mpmc, bulk_push_and_pop)
{
    void *mem;
    sabq_mpmc q = queue(&mem, 16, 8);
    uint64_t vals[20], out[20];
    sabq_iov in[20], outv[20];
    for (uint32_t i = 0; i < 20; i++) {
        vals[i] = 100 + i;
        in[i] = (sabq_iov){&vals[i], 8};
        outv[i] = (sabq_iov){&out[i], 8};
    }
    cr_assert_eq(sabq_mpmc_push_bulk(&q, in, 20), 16, "as many as there are slots");
    cr_expect_eq(sabq_mpmc_push_bulk(&q, in, 20), -EAGAIN);
    cr_assert_eq(sabq_mpmc_pop_bulk(&q, outv, 5), 5);
    cr_assert_eq(sabq_mpmc_pop_bulk(&q, outv + 5, 20), 11);
    for (uint32_t i = 0; i < 16; i++)
        cr_expect_eq(out[i], 100 + i);
    cr_expect_eq(sabq_mpmc_pop_bulk(&q, outv, 20), -EAGAIN);
    in[0].len = 9;
    cr_expect_eq(sabq_mpmc_push_bulk(&q, in, 2), -EMSGSIZE);
    cr_expect_eq(sabq_mpmc_used(&q), 0, "a refused bulk push moved nothing");
    free(mem);
}

Test(mpmc, close_drains_then_ends)
{
    void *mem;
    sabq_mpmc q = queue(&mem, 8, 8);
    uint32_t v = 5;
    cr_assert_eq(sabq_mpmc_push(&q, &v, 4), 0);
    sabq_mpmc_close(&q);
    sabq_mpmc_close(&q);
    cr_expect_neq(sabq_mpmc_is_closed(&q), 0);
    cr_expect_eq(sabq_mpmc_push(&q, &v, 4), -EPIPE);
    cr_expect_eq(sabq_mpmc_push_wait(&q, &v, 4, SABQ_FOREVER), -EPIPE);
    v = 0;
    cr_expect_eq(sabq_mpmc_pop(&q, &v, 4), 4);
    cr_expect_eq(v, 5);
    cr_expect_eq(sabq_mpmc_pop(&q, &v, 4), -EPIPE);
    cr_expect_eq(sabq_mpmc_pop_wait(&q, &v, 4, SABQ_FOREVER), -EPIPE);
    free(mem);
}

Test(mpmc, timeouts_are_honoured)
{
    void *mem;
    sabq_mpmc q = queue(&mem, 2, 8);
    uint64_t v = 0;
    uint64_t t0 = sabq_now_ns();
    cr_expect_eq(sabq_mpmc_pop_wait(&q, &v, 8, 20 * MS), -ETIMEDOUT);
    uint64_t waited = sabq_now_ns() - t0;
    cr_expect_geq(waited, 20 * MS);
    cr_expect_lt(waited, 200 * MS);
    cr_assert_eq(sabq_mpmc_push(&q, &v, 8), 0);
    cr_assert_eq(sabq_mpmc_push(&q, &v, 8), 0);
    t0 = sabq_now_ns();
    cr_expect_eq(sabq_mpmc_push_wait(&q, &v, 8, 20 * MS), -ETIMEDOUT);
    waited = sabq_now_ns() - t0;
    cr_expect_geq(waited, 20 * MS);
    cr_expect_lt(waited, 200 * MS);
    free(mem);
}

struct popper {
    const sabq_mpmc *q;
    int rc;
};

static void *sleep_in_pop(void *arg)
{
    struct popper *p = arg;
    uint64_t v;
    p->rc = sabq_mpmc_pop_wait(p->q, &v, 8, 5000 * MS);
    return NULL;
}

Test(mpmc, close_wakes_every_sleeping_consumer)
{
    void *mem;
    sabq_mpmc q = queue(&mem, 8, 8);
    sabq_set_spin(0);
    struct popper p[3];
    pthread_t t[3];
    for (int i = 0; i < 3; i++) {
        p[i] = (struct popper){&q, 1};
        t[i] = test_spawn(sleep_in_pop, &p[i]);
    }
    test_until_waiting(&q.shm->wait.readable, 3);
    uint64_t t0 = sabq_now_ns();
    sabq_mpmc_close(&q);
    for (int i = 0; i < 3; i++) {
        test_join(t[i]);
        cr_expect_eq(p[i].rc, -EPIPE);
    }
    cr_expect_lt(sabq_now_ns() - t0, TEST_WAKE_BOUND_MS * MS, "close did not wake the sleepers");
    free(mem);
}

Test(mpmc, a_push_wakes_a_parked_consumer)
{
    void *mem;
    sabq_mpmc q = queue(&mem, 8, 8);
    sabq_set_spin(0);
    struct popper p = {&q, 1};
    pthread_t t = test_spawn(sleep_in_pop, &p);
    test_until_waiting(&q.shm->wait.readable, 1);
    uint64_t t0 = sabq_now_ns();
    uint64_t v = 1;
    cr_assert_eq(sabq_mpmc_push(&q, &v, 8), 0);
    test_join(t);
    cr_expect_eq(p.rc, 8);
    cr_expect_lt(sabq_now_ns() - t0, TEST_WAKE_BOUND_MS * MS, "the push did not wake the sleeper");
    free(mem);
}

/* Tickets and turns just below 2^32: the turn arithmetic across the wrap,
 * single and bulk, full and empty. */
Test(mpmc, tickets_wrap_past_2_32)
{
    void *mem;
    sabq_mpmc q = queue(&mem, 8, 8);
    test_mpmc_start_below_wrap(&q, 5);
    uint64_t v, vals[8], out[8];
    sabq_iov in[8], outv[8];
    for (uint32_t round = 0; round < 100; round++) {
        for (uint32_t i = 0; i < 8; i++) {
            vals[i] = round * 8 + i;
            in[i] = (sabq_iov){&vals[i], 8};
            outv[i] = (sabq_iov){&out[i], 8};
        }
        cr_assert_eq(sabq_mpmc_push_bulk(&q, in, 3), 3);
        for (uint32_t i = 3; i < 8; i++)
            cr_assert_eq(sabq_mpmc_push(&q, &vals[i], 8), 0);
        cr_expect_eq(sabq_mpmc_push(&q, &v, 8), -EAGAIN, "full across the wrap");
        cr_expect_eq(sabq_mpmc_used(&q), 8);
        cr_assert_eq(sabq_mpmc_pop(&q, &v, 8), 8);
        cr_assert_eq(v, round * 8);
        cr_assert_eq(sabq_mpmc_pop_bulk(&q, outv, 8), 7);
        for (uint32_t i = 0; i < 7; i++)
            cr_assert_eq(out[i], round * 8 + i + 1);
        cr_expect_eq(sabq_mpmc_pop(&q, &v, 8), -EAGAIN, "empty across the wrap");
    }
    cr_expect_lt(atomic_load(&q.shm->prod.head), 1u << 20, "the tickets crossed 2^32");
    free(mem);
}
