/* tests/test_spsc.c — the SPSC message ring, one thread or two: arguments,
 * wrap-around, zero-copy, batches, close and timeouts. */
#include <errno.h>
#include "test_util.h"
#include "wrap.h"

#define CAP 1024u

static sabq_spsc ring(void **mem, uint32_t cap, uint32_t msg_max)
{
    sabq_spsc r;
    size_t size = sabq_spsc_size(cap);
    *mem = test_region(size);
    cr_assert_eq(sabq_spsc_init(&r, *mem, size, cap, msg_max), 0);
    return r;
}

Test(spsc, init_refuses_bad_arguments)
{
    sabq_spsc r;
    size_t size = sabq_spsc_size(CAP);
    void *mem = test_region(size + SABQ_ALIGN);
    cr_expect_eq(sabq_spsc_size(1000), 0, "not a power of two");
    cr_expect_eq(sabq_spsc_size(8), 0, "too small");
    cr_expect_eq(sabq_spsc_init(&r, mem, size, 1000, 0), -EINVAL);
    cr_expect_eq(sabq_spsc_init(&r, mem, size, 8, 0), -EINVAL);
    cr_expect_eq(sabq_spsc_init(&r, mem, size, SABQ_CAP_MAX * 2u, 0), -EINVAL);
    cr_expect_eq(sabq_spsc_init(&r, mem, size - 1, CAP, 0), -EINVAL, "region too small");
    cr_expect_eq(sabq_spsc_init(&r, (char *)mem + 8, size, CAP, 0), -EINVAL, "misaligned");
    cr_expect_eq(sabq_spsc_init(&r, NULL, size, CAP, 0), -EINVAL);
    cr_expect_eq(sabq_spsc_init(NULL, mem, size, CAP, 0), -EINVAL);
    cr_expect_eq(sabq_spsc_init(&r, mem, size, CAP, sabq_spsc_msg_limit(CAP) + 1), -EINVAL);
    cr_expect_eq(sabq_spsc_init(&r, mem, size, CAP, 0), 0);
    cr_expect_eq(r.msg_max, sabq_spsc_msg_limit(CAP), "0 means the largest");
    free(mem);
}

Test(spsc, attach_validates_header)
{
    void *mem;
    sabq_spsc r = ring(&mem, CAP, 100), a;
    size_t size = sabq_spsc_size(CAP);
    cr_assert_eq(sabq_spsc_attach(&a, mem, size), 0);
    cr_expect_eq(a.cap, r.cap);
    cr_expect_eq(a.msg_max, 100);
    cr_expect_eq(sabq_spsc_attach(&a, mem, size - 1), -EPROTO, "ring larger than region");
    cr_expect_eq(sabq_spsc_attach(&a, mem, 100), -EINVAL, "smaller than a header");
    sabq_pipe p;
    cr_expect_eq(sabq_pipe_attach(&p, mem, size), -EPROTO, "wrong kind");

    struct sabq_region *s = mem;
    s->hdr.capacity = 1000; /* not a power of two */
    cr_expect_eq(sabq_spsc_attach(&a, mem, size), -EPROTO);
    s->hdr.capacity = CAP;
    s->hdr.msg_max = CAP; /* larger than a record can be */
    cr_expect_eq(sabq_spsc_attach(&a, mem, size), -EPROTO);
    s->hdr.msg_max = 100;
    s->hdr.version = 99;
    cr_expect_eq(sabq_spsc_attach(&a, mem, size), -EPROTO);
    s->hdr.version = SABQ_VERSION;
    atomic_store(&s->hdr.magic, 0);
    cr_expect_eq(sabq_spsc_attach(&a, mem, size), -EPROTO);
    free(mem);
}

Test(spsc, send_recv_in_order_across_wraps)
{
    void *mem;
    sabq_spsc r = ring(&mem, CAP, 0);
    uint8_t buf[512];
    /* Lengths chosen so records straddle the end of the area many times. */
    for (uint32_t i = 0; i < 5000; i++) {
        uint32_t len = (i * 37u) % 300u;
        test_fill(buf, len, i);
        cr_assert_eq(sabq_spsc_send(&r, buf, len), 0, "send %u", i);
        memset(buf, 0, sizeof buf);
        cr_assert_eq(sabq_spsc_recv(&r, buf, sizeof buf), (int)len, "recv %u", i);
        cr_assert(test_check(buf, len, i), "payload %u", i);
    }
    cr_expect_eq(sabq_spsc_recv(&r, buf, sizeof buf), -EAGAIN);
    cr_expect_eq(sabq_spsc_used(&r), 0);
    free(mem);
}

/* A consumer that has caught up reads the next record's seal, not head. Old
 * payload bytes where the next header will go must never pass for that seal:
 * here every payload word holds exactly the seal a record header at that spot
 * would carry one lap later, and a first header's spot starts as garbage
 * spelling seal 1. After each message is taken, the ring must read empty. */
Test(spsc, old_bytes_that_spell_a_seal_are_never_a_record)
{
    uint32_t cap = 256;
    size_t size = sabq_spsc_size(cap);
    uint8_t *mem = test_region(size);
    for (uint32_t off = 0; off < cap; off += 4) /* garbage: seal of the header at off - 4 */
        memcpy(mem + SABQ_DATA_OFFSET + off, &(uint32_t){SABQ_SEAL(off - 4)}, 4);
    sabq_spsc r;
    cr_assert_eq(sabq_spsc_init(&r, mem, size, cap, 0), 0);
    uint8_t out[128];
    cr_assert_eq(sabq_spsc_recv(&r, out, sizeof out), -EAGAIN, "garbage at the first header");
    for (uint32_t i = 0; i < 5000; i++) {
        uint32_t len = 4 + (i * 20u) % 88u; /* 4..88 bytes, multiples of 4 */
        sabq_spsc_resv w;
        cr_assert_eq(sabq_spsc_reserve(&r, len, &w), 0);
        uint32_t pos = w.head + w.skip + SABQ_REC_HDR; /* ring position of the payload */
        for (uint32_t j = 0; j < len; j += 4) {
            uint32_t next_lap_seal = SABQ_SEAL(pos + j - 4 + cap);
            memcpy((uint8_t *)w.data + j, &next_lap_seal, 4);
        }
        cr_assert_eq(sabq_spsc_commit(&r, &w, len), 0);
        cr_assert_eq(sabq_spsc_recv(&r, out, sizeof out), (int)len, "message %u", i);
        cr_assert_eq(sabq_spsc_recv(&r, out, sizeof out), -EAGAIN, "phantom record after %u", i);
    }
    free(mem);
}

/* Short payloads are copied with fixed-size moves that may overlap
 * (sabq__copy): every length around their boundaries arrives byte-exact, and
 * no byte past the message's length is written into the caller's buffer. */
Test(spsc, every_short_length_is_copied_exactly)
{
    void *mem;
    sabq_spsc r = ring(&mem, CAP, 0);
    uint8_t in[80], out[96]; /* past SABQ__COPY_INLINE (64), where memcpy takes over */
    for (uint32_t len = 0; len <= sizeof in; len++) {
        for (uint32_t i = 0; i < len; i++)
            in[i] = (uint8_t)(len * 31u + i + 1);
        cr_assert_eq(sabq_spsc_send(&r, in, len), 0);
        memset(out, 0xEE, sizeof out);
        cr_assert_eq(sabq_spsc_recv(&r, out, sizeof out), (int)len);
        cr_expect_eq(memcmp(in, out, len), 0, "length %u", len);
        for (uint32_t i = len; i < sizeof out; i++)
            cr_expect_eq(out[i], 0xEE, "length %u: byte %u written", len, i);
    }
    free(mem);
}

/* Long payloads: memcpy, and from SABQ__COPY_STRING (512) on x86-64 a string
 * move; lengths around that switch arrive byte-exact, nothing written past. */
Test(spsc, lengths_around_the_string_copy_are_copied_exactly)
{
    void *mem;
    sabq_spsc r = ring(&mem, 4096, 0);
    static uint8_t in[1100], out[1200];
    const uint32_t lens[] = {496, 505, 511, 512, 513, 520, 1023, 1024, 1025, 1100};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        uint32_t len = lens[k];
        for (uint32_t i = 0; i < len; i++)
            in[i] = (uint8_t)(len * 7u + i * 13u + 1);
        cr_assert_eq(sabq_spsc_send(&r, in, len), 0, "length %u", len);
        memset(out, 0xEE, sizeof out);
        cr_assert_eq(sabq_spsc_recv(&r, out, sizeof out), (int)len);
        cr_expect_eq(memcmp(in, out, len), 0, "length %u", len);
        for (uint32_t i = len; i < sizeof out; i++)
            cr_expect_eq(out[i], 0xEE, "length %u: byte %u written", len, i);
    }
    free(mem);
}

Test(spsc, full_ring_refuses_and_moves_nothing)
{
    void *mem;
    sabq_spsc r = ring(&mem, CAP, 0);
    uint8_t buf[64] = {0};
    uint32_t sent = 0;
    while (sabq_spsc_send(&r, buf, 56) == 0) /* 64-byte records */
        sent++;
    cr_expect_eq(sent, CAP / 64);
    uint32_t used = sabq_spsc_used(&r);
    cr_expect_eq(sabq_spsc_send(&r, buf, 1), -EAGAIN);
    cr_expect_eq(sabq_spsc_used(&r), used, "a failed send moved data");
    cr_expect_eq(sabq_spsc_recv(&r, buf, sizeof buf), 56);
    cr_expect_eq(sabq_spsc_send(&r, buf, 56), 0, "room again after one recv");
    free(mem);
}

Test(spsc, message_size_errors)
{
    void *mem;
    sabq_spsc r = ring(&mem, CAP, 100);
    uint8_t buf[200];
    test_fill(buf, 100, 7);
    cr_expect_eq(sabq_spsc_send(&r, buf, 101), -EMSGSIZE);
    cr_expect_eq(sabq_spsc_used(&r), 0);
    cr_assert_eq(sabq_spsc_send(&r, buf, 100), 0);
    cr_expect_eq(sabq_spsc_recv(&r, buf + 100, 99), -EMSGSIZE, "buffer too small");
    cr_expect_eq(sabq_spsc_recv(&r, buf + 100, 100), 100, "the message stayed");
    cr_expect(test_check(buf + 100, 100, 7));
    cr_assert_eq(sabq_spsc_send(&r, buf, 0), 0, "empty messages are messages");
    cr_expect_eq(sabq_spsc_recv(&r, buf, 0), 0);
    cr_expect_eq(sabq_spsc_recv(&r, buf, 0), -EAGAIN);
    free(mem);
}

Test(spsc, reserve_commit_peek_release_zero_copy)
{
    void *mem;
    sabq_spsc r = ring(&mem, CAP, 0);
    sabq_spsc_resv w;
    cr_assert_eq(sabq_spsc_reserve(&r, 100, &w), 0);
    cr_expect_eq((uintptr_t)w.data % 8, 0, "payload is 8-byte aligned");
    cr_expect_eq(sabq_spsc_used(&r), 0, "nothing visible before commit");
    sabq_spsc_view v;
    cr_expect_eq(sabq_spsc_peek(&r, &v), -EAGAIN);
    test_fill(w.data, 40, 3);
    cr_expect_eq(sabq_spsc_commit(&r, &w, 101), -EINVAL, "cannot commit more than reserved");
    cr_assert_eq(sabq_spsc_commit(&r, &w, 40), 0, "commit fewer bytes than reserved");
    cr_assert_eq(sabq_spsc_peek(&r, &v), 40);
    cr_expect_eq(v.len, 40);
    cr_expect(test_check(v.data, 40, 3));
    cr_expect_eq(sabq_spsc_peek(&r, &v), 40, "peek does not consume");
    sabq_spsc_release(&r, &v);
    cr_expect_eq(sabq_spsc_peek(&r, &v), -EAGAIN);
    free(mem);
}

Test(spsc, peek_next_reads_a_batch_in_place)
{
    void *mem;
    sabq_spsc r = ring(&mem, CAP, 0);
    for (uint32_t i = 0; i < 10; i++)
        cr_assert_eq(sabq_spsc_send(&r, &i, sizeof i), 0);
    sabq_spsc_view v;
    cr_assert_eq(sabq_spsc_peek(&r, &v), 4);
    for (uint32_t i = 0; i < 10; i++) {
        uint32_t got;
        memcpy(&got, v.data, 4);
        cr_assert_eq(got, i);
        int rc = sabq_spsc_peek_next(&r, &v);
        if (i < 9)
            cr_assert_eq(rc, 4);
        else
            cr_assert_eq(rc, -EAGAIN);
    }
    cr_expect_eq(sabq_spsc_used(&r), 10 * 16, "nothing released yet");
    cr_assert_eq(sabq_spsc_peek(&r, &v), 4);
    for (int i = 0; i < 9; i++)
        cr_assert_eq(sabq_spsc_peek_next(&r, &v), 4);
    sabq_spsc_release(&r, &v); /* one store releases all ten */
    cr_expect_eq(sabq_spsc_used(&r), 0);
    free(mem);
}

Test(spsc, batches_send_what_fits)
{
    void *mem;
    sabq_spsc r = ring(&mem, 256, 0);
    uint64_t vals[40];
    sabq_iov iov[40];
    for (uint32_t i = 0; i < 40; i++) {
        vals[i] = i;
        iov[i] = (sabq_iov){&vals[i], 8 + (i & 1)}; /* lengths alternate: one record each */
    }
    int sent = sabq_spsc_send_batch(&r, iov, 40);
    cr_assert_eq(sent, 13, "6 pairs of 16 and 24-byte records, then one of 16: full");
    cr_expect_eq(sabq_spsc_send_batch(&r, iov, 40), -EAGAIN);
    uint64_t out[40];
    sabq_iov in[40];
    for (uint32_t i = 0; i < 40; i++)
        in[i] = (sabq_iov){&out[i], 16};
    cr_assert_eq(sabq_spsc_recv_batch(&r, in, 40), sent);
    for (int i = 0; i < sent; i++) {
        cr_expect_eq(out[i], (uint64_t)i);
        cr_expect_eq(in[i].len, 8 + (i & 1));
    }
    cr_expect_eq(sabq_spsc_recv_batch(&r, in, 40), -EAGAIN);
    cr_expect_eq(sabq_spsc_send_batch(&r, iov, 0), 0);
    free(mem);
}

/* Equal lengths go into one run: 16 header bytes, then 8 bytes per message. */
Test(spsc, a_batch_of_equal_lengths_is_one_run)
{
    void *mem;
    sabq_spsc r = ring(&mem, 256, 0);
    uint64_t vals[40];
    sabq_iov iov[40];
    for (uint32_t i = 0; i < 40; i++) {
        vals[i] = i;
        iov[i] = (sabq_iov){&vals[i], 8};
    }
    int sent = sabq_spsc_send_batch(&r, iov, 40);
    cr_assert_eq(sent, (256 - SABQ_RUN_HDR) / 8, "one run fills the ring");
    cr_expect_eq(sabq_spsc_used(&r), SABQ_RUN_HDR + 8u * (uint32_t)sent);
    for (int i = 0; i < sent; i++) {
        uint64_t got = 99;
        cr_assert_eq(sabq_spsc_recv(&r, &got, sizeof got), 8, "message %d", i);
        cr_assert_eq(got, (uint64_t)i);
    }
    cr_expect_eq(sabq_spsc_recv(&r, vals, 8), -EAGAIN);
    cr_expect_eq(sabq_spsc_used(&r), 0);
    free(mem);
}

/* A run is read in every way a record is: peek, peek_next across its end and
 * into the next record, release in the middle, recv_batch stopping at a
 * buffer too small, and it goes on after the wrap of the area. */
Test(spsc, runs_read_like_records_in_every_form)
{
    void *mem;
    sabq_spsc r = ring(&mem, 512, 0);
    uint8_t msgs[32][24];
    sabq_iov iov[32];
    uint32_t seq = 0, want = 0;
    for (int lap = 0; lap < 200; lap++) {
        uint32_t len = 1 + (uint32_t)lap % 23, n = 3 + (uint32_t)lap % 9;
        for (uint32_t k = 0; k < n; k++) {
            test_fill(msgs[k], len, seq + k);
            iov[k] = (sabq_iov){msgs[k], len};
        }
        uint32_t one = 0xabcd0000u + seq + n; /* and a plain record after the run */
        iov[n] = (sabq_iov){&one, 4};
        int sent = sabq_spsc_send_batch(&r, iov, n + 1);
        cr_assert_eq(sent, (int)n + 1, "lap %d", lap);
        seq += n + 1;
        sabq_spsc_view v;
        switch (lap % 4) {
        case 0: /* one at a time */
            for (uint32_t k = 0; k < n; k++, want++) {
                uint8_t out[32];
                cr_assert_eq(sabq_spsc_recv(&r, out, sizeof out), (int)len);
                cr_assert(test_check(out, len, want), "lap %d message %u", lap, k);
            }
            break;
        case 1: /* peek, walk two, release, walk on from the middle */
            cr_assert_eq(sabq_spsc_peek(&r, &v), (int)len);
            cr_assert(test_check(v.data, len, want));
            cr_assert_eq(sabq_spsc_peek_next(&r, &v), (int)len);
            cr_assert(test_check(v.data, len, want + 1));
            sabq_spsc_release(&r, &v);
            want += 2;
            for (uint32_t k = 2; k < n; k++, want++) {
                cr_assert_eq(sabq_spsc_peek(&r, &v), (int)len);
                cr_assert(test_check(v.data, len, want));
                sabq_spsc_release(&r, &v);
            }
            break;
        case 2: { /* batches, the first buffer of the second one too small */
            uint8_t out[32][32];
            sabq_iov in[32];
            for (int k = 0; k < 32; k++)
                in[k] = (sabq_iov){out[k], k == 0 ? 0 : 32};
            cr_assert_eq(sabq_spsc_recv_batch(&r, in + 1, 2), 2);
            cr_assert(test_check(out[1], len, want) && test_check(out[2], len, want + 1));
            want += 2;
            cr_assert_eq(sabq_spsc_recv_batch(&r, in, 4), -EMSGSIZE, "and it stays");
            cr_assert_eq(sabq_spsc_recv_batch(&r, in + 1, n - 2), (int)n - 2);
            for (uint32_t k = 0; k < n - 2; k++, want++)
                cr_assert(test_check(out[k + 1], len, want), "lap %d message %u", lap, k);
            break;
        }
        default: /* all of it in place, one release */
            cr_assert_eq(sabq_spsc_peek(&r, &v), (int)len);
            for (uint32_t k = 0; k < n; k++, want++) {
                cr_assert(test_check(v.data, len, want), "lap %d message %u", lap, k);
                cr_assert_eq(sabq_spsc_peek_next(&r, &v), k + 1 < n ? (int)len : 4);
            }
            cr_assert_eq(memcmp(v.data, &one, 4), 0);
            cr_assert_eq(sabq_spsc_peek_next(&r, &v), -EAGAIN, "v stays on the last");
            sabq_spsc_release(&r, &v);
            want++;
            continue;
        }
        uint32_t got;
        cr_assert_eq(sabq_spsc_recv(&r, &got, sizeof got), 4, "the record after the run");
        cr_assert_eq(got, one);
        want++;
    }
    cr_expect_eq(sabq_spsc_used(&r), 0);
    free(mem);
}

/* Indices are free-running 32-bit counters: a ring whose indices are about to
 * wrap must read empty when empty, and carry records and runs across. */
Test(spsc, indices_wrap_around_2_to_the_32)
{
    void *mem;
    sabq_spsc r = ring(&mem, CAP, 0);
    struct sabq_region *s = mem;
    uint32_t start = 0u - 3u * CAP;
    s->prod.head = start;
    s->prod.tail_cache = start;
    s->cons.tail = start;
    s->cons.run_end = start;
    memset(r.data, 0, CAP);
    uint8_t buf[64];
    for (uint32_t i = 0; i < 2000; i++) {
        cr_assert_eq(sabq_spsc_recv(&r, buf, sizeof buf), -EAGAIN, "empty at %u", i);
        uint32_t len = 1 + i % 40;
        test_fill(buf, len, i);
        if (i % 3 == 0) {
            sabq_iov iov[4] = {{buf, len}, {buf, len}, {buf, len}, {buf, len}};
            cr_assert_eq(sabq_spsc_send_batch(&r, iov, 4), 4);
            for (int k = 0; k < 3; k++)
                cr_assert_eq(sabq_spsc_recv(&r, buf, sizeof buf), (int)len);
        } else {
            cr_assert_eq(sabq_spsc_send(&r, buf, len), 0);
        }
        memset(buf, 0, sizeof buf);
        cr_assert_eq(sabq_spsc_recv(&r, buf, sizeof buf), (int)len, "message %u", i);
        cr_assert(test_check(buf, len, i), "payload %u", i);
    }
    cr_expect((int32_t)s->cons.tail > 0, "the indices did wrap");
    free(mem);
}

Test(spsc, recv_batch_stops_at_a_message_too_long)
{
    void *mem;
    sabq_spsc r = ring(&mem, CAP, 0);
    uint8_t big[32] = {0}, small[4] = {0};
    cr_assert_eq(sabq_spsc_send(&r, small, 4), 0);
    cr_assert_eq(sabq_spsc_send(&r, big, 32), 0);
    uint8_t a[8], b[8];
    sabq_iov in[2] = {{a, 8}, {b, 8}};
    cr_expect_eq(sabq_spsc_recv_batch(&r, in, 2), 1);
    in[0].len = 8;
    cr_expect_eq(sabq_spsc_recv_batch(&r, in, 2), -EMSGSIZE, "and it stays queued");
    cr_expect_eq(sabq_spsc_recv(&r, big, 32), 32);
    free(mem);
}

Test(spsc, close_drains_then_ends)
{
    void *mem;
    sabq_spsc r = ring(&mem, CAP, 0);
    uint32_t v = 42;
    cr_assert_eq(sabq_spsc_send(&r, &v, 4), 0);
    cr_expect_eq(sabq_spsc_is_closed(&r), 0);
    sabq_spsc_close(&r);
    sabq_spsc_close(&r); /* idempotent */
    cr_expect_neq(sabq_spsc_is_closed(&r), 0);
    cr_expect_eq(sabq_spsc_send(&r, &v, 4), -EPIPE);
    sabq_spsc_resv w;
    cr_expect_eq(sabq_spsc_reserve(&r, 4, &w), -EPIPE);
    v = 0;
    cr_expect_eq(sabq_spsc_recv(&r, &v, 4), 4, "committed data is drained");
    cr_expect_eq(v, 42);
    cr_expect_eq(sabq_spsc_recv(&r, &v, 4), -EPIPE);
    cr_expect_eq(sabq_spsc_recv_wait(&r, &v, 4, SABQ_FOREVER), -EPIPE);
    free(mem);
}

Test(spsc, timeouts_are_honoured)
{
    void *mem;
    sabq_spsc r = ring(&mem, 64, 0);
    uint8_t buf[64] = {0};
    cr_expect_eq(sabq_spsc_recv_wait(&r, buf, sizeof buf, 0), -ETIMEDOUT, "0 polls once");
    uint64_t t0 = sabq_now_ns();
    cr_expect_eq(sabq_spsc_recv_wait(&r, buf, sizeof buf, 20 * MS), -ETIMEDOUT);
    uint64_t waited = sabq_now_ns() - t0;
    cr_expect_geq(waited, 20 * MS, "returned early: %llu ns", (unsigned long long)waited);
    cr_expect_lt(waited, 200 * MS, "returned late: %llu ns", (unsigned long long)waited);
    while (sabq_spsc_send(&r, buf, 8) == 0) {
    }
    t0 = sabq_now_ns();
    cr_expect_eq(sabq_spsc_send_wait(&r, buf, 8, 20 * MS), -ETIMEDOUT);
    waited = sabq_now_ns() - t0;
    cr_expect_geq(waited, 20 * MS);
    cr_expect_lt(waited, 200 * MS);
    sabq_spsc_view v;
    cr_expect_eq(sabq_spsc_peek_wait(&r, &v, 0), 8);
    free(mem);
}

/* ---- two threads ------------------------------------------------------------ */

struct sleeper {
    const sabq_spsc *r;
    int rc;
};

static void *sleep_in_recv(void *arg)
{
    struct sleeper *s = arg;
    uint32_t v;
    s->rc = sabq_spsc_recv_wait(s->r, &v, sizeof v, 5000 * MS);
    return NULL;
}

Test(spsc, close_wakes_a_sleeping_consumer)
{
    void *mem;
    sabq_spsc r = ring(&mem, CAP, 0);
    sabq_set_spin(0); /* park at once, so the close really has to wake a sleeper */
    struct sleeper s = {&r, 1};
    pthread_t t = test_spawn(sleep_in_recv, &s);
    test_until_waiting(&r.shm->wait.readable, 1);
    uint64_t t0 = sabq_now_ns();
    sabq_spsc_close(&r);
    test_join(t);
    cr_expect_eq(s.rc, -EPIPE);
    cr_expect_lt(sabq_now_ns() - t0, TEST_WAKE_BOUND_MS * MS, "the close did not wake the sleeper");
    free(mem);
}

static void *sleep_in_send(void *arg)
{
    struct sleeper *s = arg;
    uint8_t buf[8] = {0};
    s->rc = sabq_spsc_send_wait(s->r, buf, sizeof buf, 5000 * MS);
    return NULL;
}

Test(spsc, close_wakes_a_sleeping_producer)
{
    void *mem;
    sabq_spsc r = ring(&mem, 64, 0);
    uint8_t buf[8] = {0};
    while (sabq_spsc_send(&r, buf, 8) == 0) {
    }
    sabq_set_spin(0);
    struct sleeper s = {&r, 1};
    pthread_t t = test_spawn(sleep_in_send, &s);
    test_until_waiting(&r.shm->wait.writable, 1);
    uint64_t t0 = sabq_now_ns();
    sabq_spsc_close(&r);
    test_join(t);
    cr_expect_eq(s.rc, -EPIPE);
    cr_expect_lt(sabq_now_ns() - t0, TEST_WAKE_BOUND_MS * MS);
    free(mem);
}

Test(spsc, a_message_wakes_a_parked_consumer)
{
    void *mem;
    sabq_spsc r = ring(&mem, CAP, 0);
    sabq_set_spin(0);
    struct sleeper s = {&r, 1};
    pthread_t t = test_spawn(sleep_in_recv, &s);
    test_until_waiting(&r.shm->wait.readable, 1);
    uint64_t t0 = sabq_now_ns();
    uint32_t v = 7;
    cr_assert_eq(sabq_spsc_send(&r, &v, 4), 0);
    test_join(t);
    cr_expect_eq(s.rc, 4);
    cr_expect_lt(sabq_now_ns() - t0, TEST_WAKE_BOUND_MS * MS);
    free(mem);
}

/* Indices just below 2^32: records, padding and seals across the wrap of the
 * 32-bit positions, with every send and receive form. */
Test(spsc, indices_wrap_past_2_32)
{
    void *mem;
    sabq_spsc r = ring(&mem, 256, 0);
    test_spsc_start_below_wrap(&r, 2);
    uint8_t buf[128];
    for (uint32_t i = 0; i < 2000; i++) {
        uint32_t len = (i * 37u) % 100u;
        test_fill(buf, len, i);
        if (i % 2) {
            cr_assert_eq(sabq_spsc_send(&r, buf, len), 0, "send %u", i);
        } else {
            sabq_spsc_resv w;
            cr_assert_eq(sabq_spsc_reserve(&r, len, &w), 0, "reserve %u", i);
            memcpy(w.data, buf, len);
            cr_assert_eq(sabq_spsc_commit(&r, &w, len), 0);
        }
        cr_expect_gt(sabq_spsc_used(&r), 0);
        memset(buf, 0, sizeof buf);
        if (i % 3) {
            cr_assert_eq(sabq_spsc_recv(&r, buf, sizeof buf), (int)len, "recv %u", i);
        } else {
            sabq_spsc_view v;
            cr_assert_eq(sabq_spsc_peek(&r, &v), (int)len, "peek %u", i);
            memcpy(buf, v.data, len);
            sabq_spsc_release(&r, &v);
        }
        cr_assert(test_check(buf, len, i), "payload %u", i);
        cr_assert_eq(sabq_spsc_used(&r), 0);
    }
    uint32_t head = atomic_load(&r.shm->prod.head);
    cr_expect_lt(head, 1u << 20, "the indices crossed 2^32 (head %u)", head);
    free(mem);
}

/* A producer killed between sealing records and storing head (the window
 * tests/kill/spsc_kill.c hits): the consumer may take the records by their
 * seals, so a fresh producer must write after them, not over them, and a
 * close must leave the consumer at the end (-EPIPE), not behind a head that
 * lags its tail (-EPROTO). Made here by sending, then putting head back. */
Test(spsc, records_sealed_by_a_dead_producer_are_adopted)
{
    uint32_t cap = 256;
    size_t size = sabq_spsc_size(cap);
    void *mem;
    sabq_spsc r = ring(&mem, cap, 0);
    uint8_t buf[64];
    uint32_t v;

    /* a fresh producer attaches after the death */
    for (v = 1; v <= 3; v++)
        cr_assert_eq(sabq_spsc_send(&r, &v, 4), 0);
    atomic_store(&r.shm->prod.head, 16); /* died after sealing messages 2 and 3 */
    cr_assert_eq(sabq_spsc_recv(&r, buf, sizeof buf), 4, "taken by head: message 1");
    cr_assert_eq(sabq_spsc_recv(&r, buf, sizeof buf), 4, "taken by its seal: message 2");
    sabq_spsc fresh;
    cr_assert_eq(sabq_spsc_attach(&fresh, mem, size), 0);
    cr_expect_eq(atomic_load(&r.shm->prod.head), 48, "head moved past the sealed records");
    v = 4;
    cr_assert_eq(sabq_spsc_send(&fresh, &v, 4), 0);
    for (uint32_t want = 3; want <= 4; want++) {
        cr_assert_eq(sabq_spsc_recv(&r, buf, sizeof buf), 4);
        memcpy(&v, buf, 4);
        cr_expect_eq(v, want, "message %u, then the fresh producer's", want);
    }
    cr_expect_eq(sabq_spsc_recv(&r, buf, sizeof buf), -EAGAIN);

    /* a supervisor closes after the death */
    cr_assert_eq(sabq_spsc_init(&r, mem, size, cap, 0), 0);
    cr_assert_eq(sabq_spsc_send(&r, &v, 4), 0);
    atomic_store(&r.shm->prod.head, 0); /* died after sealing it */
    cr_assert_eq(sabq_spsc_recv(&r, buf, sizeof buf), 4, "taken by its seal");
    sabq_spsc_close(&r);
    cr_expect_eq(sabq_spsc_recv(&r, buf, sizeof buf), -EPIPE, "the end, not a corrupt ring");

    /* a run sealed by a dead producer is adopted whole */
    cr_assert_eq(sabq_spsc_init(&r, mem, size, cap, 0), 0);
    uint64_t m[4] = {11, 12, 13, 14}, got;
    sabq_iov iov[4];
    for (int i = 0; i < 4; i++)
        iov[i] = (sabq_iov){&m[i], 8};
    cr_assert_eq(sabq_spsc_send_batch(&r, iov, 4), 4);
    atomic_store(&r.shm->prod.head, 0); /* died after sealing the run */
    cr_assert_eq(sabq_spsc_recv(&r, &got, 8), 8, "taken by its seal: the run's first");
    cr_assert_eq(sabq_spsc_attach(&fresh, mem, size), 0);
    cr_expect_eq(atomic_load(&r.shm->prod.head), SABQ_RUN_HDR + 4 * 8, "head moved past the run");
    got = 15;
    cr_assert_eq(sabq_spsc_send(&fresh, &got, 8), 0);
    for (uint64_t want = 12; want <= 15; want++) {
        cr_assert_eq(sabq_spsc_recv(&r, &got, 8), 8);
        cr_expect_eq(got, want, "message %llu, then the fresh producer's", (unsigned long long)want);
    }

    /* only records sealed at their own position count */
    cr_assert_eq(sabq_spsc_init(&r, mem, size, cap, 0), 0);
    struct sabq_rec *rec = (struct sabq_rec *)r.data;
    rec->len = 4;
    atomic_store(&rec->seal, SABQ_SEAL(cap)); /* the seal of the same spot a lap later */
    cr_assert_eq(sabq_spsc_attach(&fresh, mem, size), 0);
    cr_expect_eq(atomic_load(&r.shm->prod.head), 0, "nothing adopted");
    free(mem);
}

/* A position the consumer keeps for itself must not come back 2^32 bytes
 * later. In layout 2 that was the cached head: a consumer taking records by
 * their seals never refreshed it, and 2^32 bytes on the stale value looked
 * valid again (make soak found recv_batch returning -EPROTO after ~4 GB). In
 * layout 3 it would be run_end, left where the last run ended (after a run
 * read one message at a time) or at 0 (a consumer that never stopped inside
 * a run), if "inside a run" were judged by distance: once run_end - tail - 1
 * < capacity again, the consumer would read the old run's length where other
 * records are (a phantom message) or fail with -EPROTO. run_len, 0 outside a
 * run, says it instead. 2^32 bytes of 2048-byte records, received by peek
 * and release or by recv_batch, checking for a phantom wherever a stale
 * run_end would look valid. */
static void no_stale_position_after_2_32_bytes(int run_first, int by_batch)
{
    uint32_t cap = 4096, len = sabq_spsc_msg_limit(cap); /* 2048-byte records */
    void *mem;
    sabq_spsc r = ring(&mem, cap, 0);
    uint64_t bytes = 0, records = 0, small[4] = {1, 2, 3, 4};
    static uint8_t out[2048];
    sabq_iov batch[4], in = {out, sizeof out};
    for (int i = 0; i < 4; i++)
        batch[i] = (sabq_iov){&small[i], 8};
    if (run_first) {
        cr_assert_eq(sabq_spsc_send_batch(&r, batch, 4), 4);
        for (int i = 0; i < 4; i++)
            cr_assert_eq(sabq_spsc_recv(&r, &small[i], 8), 8);
    }
    sabq_spsc_view v;
    for (; bytes < (1ull << 32) + 4 * cap; bytes += SABQ_REC_HDR + len, records++) {
        sabq_spsc_resv w;
        cr_assert_eq(sabq_spsc_reserve(&r, len, &w), 0);
        cr_assert_eq(sabq_spsc_commit(&r, &w, len), 0);
        if (by_batch) {
            in.len = sizeof out;
            cr_assert_eq(sabq_spsc_recv_batch(&r, &in, 1), 1, "record %llu", (unsigned long long)records);
            cr_assert_eq(in.len, len);
        } else {
            cr_assert_eq(sabq_spsc_peek(&r, &v), (int)len, "record %llu", (unsigned long long)records);
            sabq_spsc_release(&r, &v);
        }
        /* empty now: in the window where a stale value would look valid,
         * a phantom would show here */
        uint32_t tail = atomic_load(&r.shm->cons.tail);
        if ((tail & 0xfffff000u) == 0xfffff000u || tail < 4 * cap) {
            cr_assert_eq(sabq_spsc_peek(&r, &v), -EAGAIN, "a phantom record at %u", tail);
            cr_assert_eq(sabq_spsc_recv(&r, out, sizeof out), -EAGAIN, "a phantom at %u", tail);
            in.len = sizeof out;
            cr_assert_eq(sabq_spsc_recv_batch(&r, &in, 1), -EAGAIN, "a phantom at %u", tail);
        }
    }
    free(mem);
}

Test(spsc, a_run_end_never_comes_back_after_2_32_bytes, .timeout = 300)
{
    no_stale_position_after_2_32_bytes(1, 0);
}

Test(spsc, run_end_from_init_never_comes_back_after_2_32_bytes, .timeout = 300)
{
    no_stale_position_after_2_32_bytes(0, 1);
}

/* The producer clears the seal where its next record will start, except when
 * the ring is full up to there: then the spot is the consumer's tail, in
 * layout 2 always a record header whose seal is a lap old. In layout 3 the
 * tail can rest inside a run, on a message whose bytes 4..7 may spell the
 * seal the spot needs a lap later; once the consumer had read on to there it
 * took those bytes for a record (tests/model/spsc.pml found it). The
 * consumer now clears that word when it leaves such a message. */
Test(spsc, a_message_inside_a_run_never_passes_for_a_record_a_lap_later)
{
    uint32_t cap = 64;
    void *mem;
    sabq_spsc r = ring(&mem, cap, 0);
    /* a run at 0: header 0..15, messages at 16, 24, 32; the one at 24 reads
     * as len 8, seal SEAL(24 + 64) */
    uint32_t m[3][2] = {{1, 1}, {8, SABQ_SEAL(24 + 64)}, {3, 3}}, out[2];
    sabq_iov iov[3] = {{m[0], 8}, {m[1], 8}, {m[2], 8}};
    cr_assert_eq(sabq_spsc_send_batch(&r, iov, 3), 3);
    cr_assert_eq(sabq_spsc_recv(&r, out, 8), 8); /* tail rests at 24, inside the run */
    /* records from 40 up to exactly 24 + 64: full, so the spot at 88 (24) is
     * not cleared */
    uint64_t x = 7;
    cr_assert_eq(sabq_spsc_send(&r, &x, 8), 0); /* 40..56 */
    cr_assert_eq(sabq_spsc_send(&r, &x, 0), 0); /* 56..64 */
    cr_assert_eq(sabq_spsc_send(&r, &x, 8), 0); /* 64..80 */
    cr_assert_eq(sabq_spsc_send(&r, &x, 0), 0); /* 80..88 */
    cr_assert_eq(sabq_spsc_used(&r), cap);
    cr_assert_eq(sabq_spsc_recv(&r, out, 8), 8);
    cr_expect_eq(out[1], SABQ_SEAL(24 + 64), "the message itself is intact");
    cr_assert_eq(sabq_spsc_recv(&r, out, 8), 8);
    for (int i = 0; i < 4; i++)
        cr_assert_geq(sabq_spsc_recv(&r, out, 8), 0);
    cr_expect_eq(sabq_spsc_recv(&r, out, 8), -EAGAIN, "a phantom record at 88");
    sabq_spsc_view v;
    cr_expect_eq(sabq_spsc_peek(&r, &v), -EAGAIN, "a phantom record at 88");
    free(mem);
}

/* ---- the fixed-size form (kind 4) --------------------------------------------
 * Messages of one length in slots of sabq_spsc_fixed_stride() bytes with no
 * header; `head` and `tail` count messages, slot i at data + (i & mask) *
 * stride. The same calls as the variable-length ring. */

/* The timeout of a wait that must return at once: a wait that did happen
 * shows as -ETIMEDOUT, and cannot hang the suite. */
#define NO_WAIT_NS (2000 * MS)

static sabq_spsc fixed_ring(void **mem, uint32_t slots, uint32_t msg_len)
{
    sabq_spsc r;
    size_t size = sabq_spsc_fixed_size(slots, msg_len);
    cr_assert_neq(size, 0, "%u slots of %u bytes", slots, msg_len);
    *mem = test_region(size);
    cr_assert_eq(sabq_spsc_init_fixed(&r, *mem, size, slots, msg_len), 0);
    return r;
}

/* A message of a fixed ring: its number in the first (up to) four bytes, then
 * bytes derived from it, so a lost, repeated or torn one shows. */
static void fixed_fill(void *buf, uint32_t len, uint32_t seq)
{
    test_fill(buf, len, seq);
    memcpy(buf, &seq, len < 4 ? len : 4);
}

static int fixed_check(const void *buf, uint32_t len, uint32_t seq)
{
    uint8_t want[256];
    cr_assert_leq(len, sizeof want);
    fixed_fill(want, len, seq);
    return memcmp(buf, want, len) == 0;
}

Test(spsc_fixed, stride_is_4_up_to_4_bytes_then_a_multiple_of_8)
{
    cr_expect_eq(sabq_spsc_fixed_stride(0), 0, "no empty messages");
    for (uint32_t len = 1; len <= 4; len++)
        cr_expect_eq(sabq_spsc_fixed_stride(len), 4, "length %u", len);
    for (uint32_t len = 5; len <= 8; len++)
        cr_expect_eq(sabq_spsc_fixed_stride(len), 8, "length %u", len);
    for (uint32_t len = 9; len <= 300; len++)
        cr_expect_eq(sabq_spsc_fixed_stride(len), (len + 7) & ~7u, "length %u", len);
    cr_expect_eq(sabq_spsc_fixed_stride(12), 16);
    cr_expect_eq(sabq_spsc_fixed_stride(SABQ_FIXED_MSG_MAX - 7), SABQ_FIXED_MSG_MAX);
    cr_expect_eq(sabq_spsc_fixed_stride(SABQ_FIXED_MSG_MAX), SABQ_FIXED_MSG_MAX, "the longest");
    cr_expect_eq(sabq_spsc_fixed_stride(SABQ_FIXED_MSG_MAX + 1), 0, "one byte too long");
    cr_expect_eq(sabq_spsc_fixed_stride(1u << 31), 0);
    cr_expect_eq(sabq_spsc_fixed_stride(UINT32_MAX), 0);
}

Test(spsc_fixed, size_is_the_header_and_a_power_of_two_of_slots_below_4_gib)
{
    cr_expect_eq(sabq_spsc_fixed_size(16, 8), SABQ_DATA_OFFSET + 16 * 8);
    cr_expect_eq(sabq_spsc_fixed_size(16, 3), SABQ_DATA_OFFSET + 16 * 4, "4-byte slots");
    cr_expect_eq(sabq_spsc_fixed_size(16, 5), SABQ_DATA_OFFSET + 16 * 8);
    cr_expect_eq(sabq_spsc_fixed_size(16, 12), SABQ_DATA_OFFSET + 16 * 16);
    cr_expect_eq(sabq_spsc_fixed_size(2, 1), SABQ_DATA_OFFSET + 2 * 4, "the fewest slots");
    cr_expect_eq(sabq_spsc_fixed_size(1, 8), 0, "one slot");
    cr_expect_eq(sabq_spsc_fixed_size(0, 8), 0);
    cr_expect_eq(sabq_spsc_fixed_size(3, 8), 0, "not a power of two");
    cr_expect_eq(sabq_spsc_fixed_size(12, 8), 0, "not a power of two");
    cr_expect_eq(sabq_spsc_fixed_size(1000, 8), 0, "not a power of two");
    cr_expect_eq(sabq_spsc_fixed_size(UINT32_MAX, 8), 0);
    cr_expect_eq(sabq_spsc_fixed_size(16, 0), 0, "empty messages");
    cr_expect_eq(sabq_spsc_fixed_size(16, SABQ_FIXED_MSG_MAX + 1), 0, "one byte too long");
    cr_expect_eq(sabq_spsc_fixed_size(2, SABQ_FIXED_MSG_MAX),
                 SABQ_DATA_OFFSET + 2 * SABQ_FIXED_MSG_MAX, "the longest messages");
    /* the whole must stay below 4 GiB (a 32-bit total_size, wasm32) */
    cr_expect_eq(sabq_spsc_fixed_size(SABQ_CAP_MAX * 2u, 4), 0, "more slots than SABQ_CAP_MAX");
    cr_expect_eq(sabq_spsc_fixed_size(SABQ_CAP_MAX, 4), 0, "2^30 slots of 4 bytes: 4 GiB + 256");
    cr_expect_eq(sabq_spsc_fixed_size(SABQ_CAP_MAX / 2, 4), SABQ_DATA_OFFSET + ((size_t)1 << 31));
    cr_expect_eq(sabq_spsc_fixed_size(1u << 29, 8), 0, "4 GiB + 256");
    cr_expect_eq(sabq_spsc_fixed_size(1u << 28, 8), SABQ_DATA_OFFSET + ((size_t)1 << 31));
    cr_expect_eq(sabq_spsc_fixed_size(4096, SABQ_FIXED_MSG_MAX), 0, "4 GiB + 256");
    cr_expect_eq(sabq_spsc_fixed_size(2048, SABQ_FIXED_MSG_MAX), SABQ_DATA_OFFSET + ((size_t)1 << 31));
    cr_expect_eq(sabq_spsc_fixed_size(4096, SABQ_FIXED_MSG_MAX - 8),
                 SABQ_DATA_OFFSET + (size_t)4096 * (SABQ_FIXED_MSG_MAX - 8), "just below 4 GiB");
}

/* Refused arguments leave the memory as it was (it may be a live ring). */
Test(spsc_fixed, init_refuses_bad_arguments_and_lays_out_a_kind_4_ring)
{
    sabq_spsc r;
    size_t size = sabq_spsc_fixed_size(16, 12);
    uint8_t *mem = test_region(size + SABQ_ALIGN);
    cr_expect_eq(sabq_spsc_init_fixed(&r, mem, size, 12, 12), -EINVAL, "slots not a power of two");
    cr_expect_eq(sabq_spsc_init_fixed(&r, mem, size, 1, 12), -EINVAL, "one slot");
    cr_expect_eq(sabq_spsc_init_fixed(&r, mem, size, 0, 12), -EINVAL);
    cr_expect_eq(sabq_spsc_init_fixed(&r, mem, SIZE_MAX, SABQ_CAP_MAX * 2u, 4), -EINVAL);
    cr_expect_eq(sabq_spsc_init_fixed(&r, mem, SIZE_MAX, SABQ_CAP_MAX, 4), -EINVAL, "above 4 GiB");
    cr_expect_eq(sabq_spsc_init_fixed(&r, mem, size, 16, 0), -EINVAL, "empty messages");
    cr_expect_eq(sabq_spsc_init_fixed(&r, mem, SIZE_MAX, 16, SABQ_FIXED_MSG_MAX + 1), -EINVAL);
    cr_expect_eq(sabq_spsc_init_fixed(&r, mem, size - 1, 16, 12), -EINVAL, "region too small");
    cr_expect_eq(sabq_spsc_init_fixed(&r, mem + 8, size, 16, 12), -EINVAL, "misaligned");
    cr_expect_eq(sabq_spsc_init_fixed(&r, NULL, size, 16, 12), -EINVAL);
    cr_expect_eq(sabq_spsc_init_fixed(NULL, mem, size, 16, 12), -EINVAL);
    for (uint32_t i = 0; i < SABQ_DATA_OFFSET; i++)
        cr_assert_eq(mem[i], 0xA5, "a refused init wrote byte %u", i);

    cr_assert_eq(sabq_spsc_init_fixed(&r, mem, size, 16, 12), 0);
    cr_expect_eq(r.shm, (struct sabq_region *)(void *)mem);
    cr_expect_eq(r.data, mem + SABQ_DATA_OFFSET);
    cr_expect_eq(r.cap, 16, "slots");
    cr_expect_eq(r.mask, 15);
    cr_expect_eq(r.msg_max, 12);
    cr_expect_eq(r.stride, 16);
    struct sabq_region *s = r.shm;
    cr_expect_eq(atomic_load(&s->hdr.magic), SABQ_MAGIC);
    cr_expect_eq(s->hdr.version, SABQ_VERSION);
    cr_expect_eq(s->hdr.kind, SABQ_KIND_SPSC_FIXED);
    cr_expect_eq(s->hdr.capacity, 16);
    cr_expect_eq(s->hdr.msg_max, 12);
    cr_expect_eq(s->hdr.stride, 16);
    cr_expect_eq(s->hdr.data_off, SABQ_DATA_OFFSET);
    cr_expect_eq(s->hdr.total_size, size);
    cr_expect_eq(atomic_load(&s->prod.head), 0);
    cr_expect_eq(atomic_load(&s->cons.tail), 0);
    cr_expect_eq(atomic_load(&s->hdr.closed), 0);
    cr_expect_eq(sabq_spsc_used(&r), 0);
    sabq_pipe p;
    sabq_mpmc q;
    cr_expect_eq(sabq_pipe_attach(&p, mem, size), -EPROTO, "not a pipe");
    cr_expect_eq(sabq_mpmc_attach(&q, mem, size), -EPROTO, "not an MPMC queue");
    free(mem);
}

/* Every length class (4-byte slots, 8, a multiple of 8 with a tail, the
 * copies' in-line and memcpy and string sizes) arrives byte-exact, in its
 * slot, with nothing written past its length in the caller's buffer. */
Test(spsc_fixed, every_length_arrives_exactly_from_its_slot)
{
    static const uint32_t lens[] = {1,  2,  3,  4,   5,   7,   8,   9,   12,  15,   16,  17,
                                    24, 63, 64, 65, 100, 511, 512, 513, 1000, 1024, 4096};
    static uint8_t in[4096], out[4096 + 64];
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        uint32_t len = lens[k];
        void *mem;
        sabq_spsc r = fixed_ring(&mem, 8, len);
        for (uint32_t i = 0; i < 20; i++) { /* two and a half laps */
            test_fill(in, len, i + len);
            cr_assert_eq(sabq_spsc_send(&r, in, len), 0, "length %u, message %u", len, i);
            cr_expect_eq(memcmp(r.data + (i & r.mask) * r.stride, in, len), 0,
                         "length %u: message %u not in slot %u", len, i, i & r.mask);
            cr_expect_eq(sabq_spsc_used(&r), r.stride);
            memset(out, 0xEE, sizeof out);
            cr_assert_eq(sabq_spsc_recv(&r, out, sizeof out), (int)len, "length %u", len);
            cr_assert(test_check(out, len, i + len), "length %u, message %u", len, i);
            for (uint32_t j = len; j < sizeof out; j++)
                cr_assert_eq(out[j], 0xEE, "length %u: byte %u written", len, j);
        }
        cr_expect_eq(sabq_spsc_recv(&r, out, sizeof out), -EAGAIN);
        cr_expect_eq(sabq_spsc_used(&r), 0);
        free(mem);
    }
}

/* Once closed, every producer call says -EPIPE first, as the record form's
 * do (its own_head() runs before any other check), and send_batch even for
 * n == 0 (man sabq_spsc_send). */
Test(spsc_fixed, a_closed_ring_says_epipe_before_anything_else)
{
    void *mem;
    for (int form = 0; form < 2; form++) {
        sabq_spsc r = form ? fixed_ring(&mem, 16, 24) : ring(&mem, 1024, 64);
        uint8_t buf[128] = {0};
        sabq_spsc_resv w;
        sabq_iov wrong[1] = {{buf, 100}};
        sabq_spsc_close(&r);
        const char *what = form ? "fixed ring" : "records";
        cr_expect_eq(sabq_spsc_send(&r, buf, 100), -EPIPE, "%s: send of a wrong length", what);
        cr_expect_eq((sabq_spsc_send)(&r, buf, 100), -EPIPE, "%s: the library's send", what);
        cr_expect_eq(sabq_spsc_reserve(&r, 100, &w), -EPIPE, "%s: reserve of a wrong length", what);
        cr_expect_eq(sabq_spsc_send_batch(&r, wrong, 1), -EPIPE, "%s: batch of a wrong length", what);
        cr_expect_eq(sabq_spsc_send_batch(&r, wrong, 0), -EPIPE, "%s: batch of none", what);
        cr_expect_eq(sabq_spsc_send_wait(&r, buf, 100, NO_WAIT_NS), -EPIPE, "%s: send_wait", what);
        free(mem);
    }
}

Test(spsc_fixed, messages_of_another_length_are_refused)
{
    void *mem;
    sabq_spsc r = fixed_ring(&mem, 16, 24);
    uint8_t buf[4][32], out[32];
    for (uint32_t i = 0; i < 4; i++)
        fixed_fill(buf[i], 24, i);
    sabq_spsc_resv w;
    cr_expect_eq(sabq_spsc_send(&r, buf[0], 25), -EMSGSIZE, "longer");
    cr_expect_eq(sabq_spsc_send(&r, buf[0], 23), -EINVAL, "shorter");
    cr_expect_eq(sabq_spsc_send(&r, buf[0], 0), -EINVAL, "empty");
    cr_expect_eq(sabq_spsc_send(&r, buf[0], UINT32_MAX), -EMSGSIZE);
    cr_expect_eq(sabq_spsc_reserve(&r, 25, &w), -EMSGSIZE);
    cr_expect_eq(sabq_spsc_reserve(&r, 8, &w), -EINVAL);
    cr_expect_eq(sabq_spsc_send_wait(&r, buf[0], 23, NO_WAIT_NS), -EINVAL, "and no wait for room");
    cr_expect_eq(sabq_spsc_send_wait(&r, buf[0], 32, NO_WAIT_NS), -EMSGSIZE);
    sabq_iov bad_first[2] = {{buf[0], 25}, {buf[1], 24}};
    cr_expect_eq(sabq_spsc_send_batch(&r, bad_first, 2), -EMSGSIZE);
    bad_first[0].len = 8;
    cr_expect_eq(sabq_spsc_send_batch(&r, bad_first, 2), -EINVAL);
    cr_expect_eq(sabq_spsc_used(&r), 0, "a refused message moved data");
    cr_expect_eq(sabq_spsc_recv(&r, out, sizeof out), -EAGAIN);

    /* a batch stops before the first message of another length */
    sabq_iov shorter[4] = {{buf[0], 24}, {buf[1], 24}, {buf[2], 23}, {buf[3], 24}};
    cr_expect_eq(sabq_spsc_send_batch(&r, shorter, 4), 2);
    sabq_iov longer[2] = {{buf[2], 24}, {buf[3], 100}};
    cr_expect_eq(sabq_spsc_send_batch(&r, longer, 2), 1);
    cr_expect_eq(sabq_spsc_used(&r), 3 * 24);
    for (uint32_t i = 0; i < 3; i++) {
        cr_assert_eq(sabq_spsc_recv(&r, out, sizeof out), 24);
        cr_expect(fixed_check(out, 24, i), "message %u", i);
    }
    cr_expect_eq(sabq_spsc_recv(&r, out, sizeof out), -EAGAIN, "nothing of another length got in");
    free(mem);
}

/* Full at exactly `slots` messages, a refused send changes nothing, and the
 * slots are reused lap after lap with the indices crossing 2^32. */
Test(spsc_fixed, full_at_slots_messages_lap_after_lap)
{
    void *mem;
    sabq_spsc r = fixed_ring(&mem, 4, 12);
    test_spsc_start_below_wrap(&r, 2);
    uint8_t buf[16], out[16];
    uint32_t seq = 0, want = 0;
    for (uint32_t lap = 0; lap < 1000; lap++) {
        uint32_t fill = lap % 5 == 0 ? 0 : 4 - lap % 4; /* start empty or partly full */
        for (uint32_t k = 0; k < 4 - fill && lap > 0; k++) {
            cr_assert_eq(sabq_spsc_recv(&r, out, sizeof out), 12);
            cr_assert(fixed_check(out, 12, want++), "lap %u", lap);
        }
        for (;;) {
            fixed_fill(buf, 12, seq);
            int rc = sabq_spsc_send(&r, buf, 12);
            if (rc == -EAGAIN)
                break;
            cr_assert_eq(rc, 0, "lap %u: %s", lap, sabq_strerror(rc));
            seq++;
        }
        cr_assert_eq(seq - want, 4, "lap %u: full at %u messages", lap, seq - want);
        cr_expect_eq(sabq_spsc_used(&r), 4 * 16);
        sabq_spsc_resv w;
        sabq_iov iov = {buf, 12};
        cr_expect_eq(sabq_spsc_reserve(&r, 12, &w), -EAGAIN);
        cr_expect_eq(sabq_spsc_send_batch(&r, &iov, 1), -EAGAIN);
        cr_expect_eq(sabq_spsc_send_wait(&r, buf, 12, 0), -ETIMEDOUT);
        cr_expect_eq(sabq_spsc_used(&r), 4 * 16, "a refused send moved data");
    }
    while (want < seq) {
        cr_assert_eq(sabq_spsc_recv(&r, out, sizeof out), 12);
        cr_assert(fixed_check(out, 12, want++));
    }
    cr_expect_eq(sabq_spsc_recv(&r, out, sizeof out), -EAGAIN);
    uint32_t head = atomic_load(&r.shm->prod.head);
    cr_expect_lt(head, 1u << 16, "the indices crossed 2^32 (head %u)", head);
    free(mem);
}

/* A reservation is the slot itself; only a commit of the ring's length
 * publishes it. */
Test(spsc_fixed, reserve_and_commit_write_in_place)
{
    void *mem;
    sabq_spsc r = fixed_ring(&mem, 8, 12);
    sabq_spsc_resv w;
    sabq_spsc_view v;
    for (uint32_t i = 0; i < 20; i++) {
        cr_assert_eq(sabq_spsc_reserve(&r, 12, &w), 0);
        cr_expect_eq(w.data, r.data + (i & 7) * 16, "message %u: its slot", i);
        cr_expect_eq((uintptr_t)w.data % 8, 0);
        cr_expect_eq(w.len, 12);
        cr_expect_eq(sabq_spsc_used(&r), 0, "nothing visible before commit");
        cr_expect_eq(sabq_spsc_peek(&r, &v), -EAGAIN);
        fixed_fill(w.data, 12, i);
        cr_expect_eq(sabq_spsc_commit(&r, &w, 11), -EINVAL, "a commit of another length");
        cr_expect_eq(sabq_spsc_commit(&r, &w, 13), -EINVAL);
        cr_expect_eq(sabq_spsc_commit(&r, &w, 0), -EINVAL);
        cr_expect_eq(sabq_spsc_commit(&r, NULL, 12), -EINVAL);
        cr_expect_eq(sabq_spsc_peek(&r, &v), -EAGAIN, "a refused commit published");
        cr_assert_eq(sabq_spsc_commit(&r, &w, 12), 0);
        cr_assert_eq(sabq_spsc_peek(&r, &v), 12);
        cr_expect_eq(v.data, w.data, "read where it was written");
        cr_expect(fixed_check(v.data, 12, i));
        sabq_spsc_release(&r, &v);
    }
    free(mem);

    /* 4-byte slots: 4-byte aligned, packed */
    r = fixed_ring(&mem, 8, 3);
    for (uint32_t i = 0; i < 20; i++) {
        cr_assert_eq(sabq_spsc_reserve(&r, 3, &w), 0);
        cr_expect_eq(w.data, r.data + (i & 7) * 4, "message %u: its slot", i);
        fixed_fill(w.data, 3, i);
        cr_assert_eq(sabq_spsc_commit(&r, &w, 3), 0);
        uint8_t out[8] = {0};
        cr_assert_eq(sabq_spsc_recv(&r, out, sizeof out), 3);
        cr_expect(fixed_check(out, 3, i));
    }
    free(mem);
}

/* peek and peek_next walk the slots in place (across the end of the area),
 * a failed peek_next leaves the view alone, and release frees every slot up
 * to and including the view. */
Test(spsc_fixed, peek_next_walks_the_slots_and_release_frees_up_to_the_view)
{
    void *mem;
    sabq_spsc r = fixed_ring(&mem, 8, 8);
    uint64_t m;
    sabq_spsc_view v;
    for (m = 0; m < 5; m++) /* move the tail to slot 5 */
        cr_assert_eq(sabq_spsc_send(&r, &m, 8), 0);
    for (uint64_t i = 0; i < 5; i++)
        cr_assert_eq(sabq_spsc_recv(&r, &m, 8), 8);
    for (m = 5; m < 11; m++) /* slots 5, 6, 7, 0, 1, 2 */
        cr_assert_eq(sabq_spsc_send(&r, &m, 8), 0);
    cr_assert_eq(sabq_spsc_peek(&r, &v), 8);
    cr_assert_eq(sabq_spsc_peek(&r, &v), 8, "peek does not consume");
    for (uint64_t i = 5; i < 11; i++) {
        cr_expect_eq(v.data, r.data + (i & 7) * 8, "message %llu in its slot", (unsigned long long)i);
        cr_expect_eq(v.len, 8);
        memcpy(&m, v.data, 8);
        cr_assert_eq(m, i);
        int rc = sabq_spsc_peek_next(&r, &v);
        cr_assert_eq(rc, i < 10 ? 8 : -EAGAIN, "after %llu", (unsigned long long)i);
    }
    memcpy(&m, v.data, 8);
    cr_expect_eq(m, 10, "a failed peek_next left the view as it was");
    cr_expect_eq(sabq_spsc_used(&r), 6 * 8, "nothing released yet");

    cr_assert_eq(sabq_spsc_peek(&r, &v), 8);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(sabq_spsc_peek_next(&r, &v), 8); /* at message 8 */
    sabq_spsc_release(&r, &v);
    cr_expect_eq(sabq_spsc_used(&r), 2 * 8, "four released with one store");
    cr_assert_eq(sabq_spsc_peek(&r, &v), 8);
    memcpy(&m, v.data, 8);
    cr_expect_eq(m, 9);
    m = 11;
    cr_assert_eq(sabq_spsc_send(&r, &m, 8), 0, "seen by a peek_next after it was sent");
    cr_assert_eq(sabq_spsc_peek_next(&r, &v), 8);
    cr_assert_eq(sabq_spsc_peek_next(&r, &v), 8);
    memcpy(&m, v.data, 8);
    cr_expect_eq(m, 11);
    sabq_spsc_release(&r, &v);
    cr_expect_eq(sabq_spsc_used(&r), 0);
    cr_expect_eq(sabq_spsc_peek(&r, &v), -EAGAIN);
    free(mem);
}

Test(spsc_fixed, recv_into_too_short_a_buffer_leaves_the_message)
{
    void *mem;
    sabq_spsc r = fixed_ring(&mem, 8, 24);
    uint8_t in[24], out[40];
    fixed_fill(in, 24, 7);
    memset(out, 0xEE, sizeof out);
    cr_expect_eq(sabq_spsc_recv(&r, out, 23), -EAGAIN, "empty comes first");
    cr_assert_eq(sabq_spsc_send(&r, in, 24), 0);
    cr_expect_eq(sabq_spsc_recv(&r, out, 23), -EMSGSIZE);
    cr_expect_eq(sabq_spsc_recv(&r, out, 0), -EMSGSIZE);
    cr_expect_eq(sabq_spsc_recv_wait(&r, out, 23, NO_WAIT_NS), -EMSGSIZE, "and no wait");
    sabq_iov short_buf = {out, 23};
    cr_expect_eq(sabq_spsc_recv_batch(&r, &short_buf, 1), -EMSGSIZE);
    cr_expect_eq(short_buf.len, 23);
    for (uint32_t j = 0; j < sizeof out; j++)
        cr_assert_eq(out[j], 0xEE, "byte %u written by a refused receive", j);
    cr_expect_eq(sabq_spsc_used(&r), 24, "the message stayed");
    cr_assert_eq(sabq_spsc_recv(&r, out, 24), 24);
    cr_expect(fixed_check(out, 24, 7));
    cr_expect_eq(out[24], 0xEE);
    cr_expect_eq(sabq_spsc_recv(&r, out, sizeof out), -EAGAIN);
    free(mem);
}

/* send_batch sends what fits, recv_batch takes what is there and stops at a
 * buffer too short (that message stays), each with one index store. Each
 * side's cached view of the other's index is kept exact here (a batch that
 * a stale cache cuts short is the test after this one). */
Test(spsc_fixed, batches_move_what_fits_and_stop_at_a_short_buffer)
{
    void *mem;
    sabq_spsc r = fixed_ring(&mem, 4, 16);
    uint8_t in[12][16], out[12][24];
    sabq_iov iov[12], rx[12];
    for (uint32_t i = 0; i < 12; i++) {
        fixed_fill(in[i], 16, i);
        iov[i] = (sabq_iov){in[i], 16};
    }
    cr_expect_eq(sabq_spsc_send_batch(&r, iov, 0), 0);
    cr_expect_eq(sabq_spsc_recv_batch(&r, rx, 0), 0);
    rx[0] = (sabq_iov){out[0], 24};
    cr_expect_eq(sabq_spsc_recv_batch(&r, rx, 1), -EAGAIN);
    cr_assert_eq(sabq_spsc_send_batch(&r, iov, 12), 4, "what fits");
    cr_expect_eq(sabq_spsc_send_batch(&r, iov + 4, 8), -EAGAIN);
    for (uint32_t i = 0; i < 12; i++)
        rx[i] = (sabq_iov){out[i], 24};
    cr_assert_eq(sabq_spsc_recv_batch(&r, rx, 3), 3, "as many as asked");
    for (uint32_t i = 0; i < 3; i++) {
        cr_expect_eq(rx[i].len, 16, "set to the message's length");
        cr_expect(fixed_check(out[i], 16, i));
    }
    cr_assert_eq(sabq_spsc_send_batch(&r, iov + 4, 8), 3, "the room three gave back");
    cr_assert_eq(sabq_spsc_recv(&r, out[0], 24), 16); /* message 3: up to the consumer's cache */
    cr_expect(fixed_check(out[0], 16, 3));
    /* messages 4..6 queued, the second buffer too short */
    for (uint32_t i = 0; i < 12; i++)
        rx[i] = (sabq_iov){out[i], i == 1 ? 15 : 24};
    cr_assert_eq(sabq_spsc_recv_batch(&r, rx, 12), 1);
    cr_expect(fixed_check(out[0], 16, 4));
    cr_expect_eq(rx[1].len, 15, "the short buffer's length untouched");
    cr_expect_eq(sabq_spsc_used(&r), 2 * 16, "message 5 stayed");
    cr_assert_eq(sabq_spsc_recv_batch(&r, rx + 1, 1), -EMSGSIZE);
    for (uint32_t i = 0; i < 12; i++)
        rx[i] = (sabq_iov){out[i], 24};
    cr_assert_eq(sabq_spsc_recv_batch(&r, rx, 12), 2, "as many as are there");
    cr_expect(fixed_check(out[0], 16, 5));
    cr_expect(fixed_check(out[1], 16, 6));
    cr_expect_eq(sabq_spsc_recv_batch(&r, rx, 12), -EAGAIN);
    /* across the end of the area: tail and head at 7, slots 3, 0, 1, 2 */
    cr_assert_eq(sabq_spsc_send_batch(&r, iov + 7, 5), 4);
    cr_assert_eq(sabq_spsc_recv_batch(&r, rx, 12), 4);
    for (uint32_t i = 0; i < 4; i++)
        cr_expect(fixed_check(out[i], 16, 7 + i), "message %u", 7 + i);
    free(mem);
}

/* "As many as fit", as on the variable-length ring (whose room() looks at
 * the consumer's tail when its cache shows less room than a batch wants):
 * a producer whose cached tail is two messages old must still fill an
 * empty ring. */
Test(spsc_fixed, send_batch_fills_the_room_a_stale_cached_tail_hides)
{
    void *mem;
    sabq_spsc r = fixed_ring(&mem, 4, 8);
    uint64_t m[4] = {10, 11, 12, 13}, got;
    sabq_iov iov[4];
    for (int i = 0; i < 4; i++)
        iov[i] = (sabq_iov){&m[i], 8};
    cr_assert_eq(sabq_spsc_send(&r, &m[0], 8), 0);
    cr_assert_eq(sabq_spsc_send(&r, &m[1], 8), 0);
    cr_assert_eq(sabq_spsc_recv(&r, &got, 8), 8);
    cr_assert_eq(sabq_spsc_recv(&r, &got, 8), 8);
    cr_assert_eq(sabq_spsc_used(&r), 0, "empty, with room for 4");
    int sent = sabq_spsc_send_batch(&r, iov, 4);
    cr_expect_eq(sent, 4, "as many as fit: sent %d", sent);
    free(mem);
}

/* Likewise "up to n", stopping early only at a buffer too short: a consumer
 * whose cached head is three messages old takes all four queued. */
Test(spsc_fixed, recv_batch_takes_the_messages_a_stale_cached_head_hides)
{
    void *mem;
    sabq_spsc r = fixed_ring(&mem, 4, 8);
    uint64_t out[4];
    sabq_iov rx[4];
    for (int i = 0; i < 4; i++)
        rx[i] = (sabq_iov){&out[i], 8};
    sabq_spsc_view v;
    uint64_t m = 0;
    cr_assert_eq(sabq_spsc_send(&r, &m, 8), 0);
    cr_assert_eq(sabq_spsc_peek(&r, &v), 8); /* the consumer has seen one */
    for (m = 1; m < 4; m++)
        cr_assert_eq(sabq_spsc_send(&r, &m, 8), 0);
    cr_assert_eq(sabq_spsc_used(&r), 4 * 8);
    int got = sabq_spsc_recv_batch(&r, rx, 4);
    cr_expect_eq(got, 4, "all four queued: got %d", got);
    free(mem);
}

Test(spsc_fixed, close_refuses_sends_and_the_consumer_drains_then_ends)
{
    void *mem;
    sabq_spsc r = fixed_ring(&mem, 8, 4);
    uint32_t v;
    for (v = 0; v < 3; v++)
        cr_assert_eq(sabq_spsc_send(&r, &v, 4), 0);
    sabq_spsc_resv w;
    cr_assert_eq(sabq_spsc_reserve(&r, 4, &w), 0, "a reservation made before the close");
    cr_expect_eq(sabq_spsc_is_closed(&r), 0);
    sabq_spsc_close(&r);
    sabq_spsc_close(&r); /* idempotent */
    cr_expect_neq(sabq_spsc_is_closed(&r), 0);
    cr_expect_eq(sabq_spsc_send(&r, &v, 4), -EPIPE);
    cr_expect_eq(sabq_spsc_send_wait(&r, &v, 4, NO_WAIT_NS), -EPIPE);
    sabq_spsc_resv late;
    cr_expect_eq(sabq_spsc_reserve(&r, 4, &late), -EPIPE);
    sabq_iov iov = {&v, 4};
    cr_expect_eq(sabq_spsc_send_batch(&r, &iov, 1), -EPIPE);
    v = 3;
    memcpy(w.data, &v, 4);
    cr_expect_eq(sabq_spsc_commit(&r, &w, 4), 0, "is still committed");
    cr_expect_eq(sabq_spsc_used(&r), 4 * 4);
    sabq_spsc_view view;
    cr_assert_eq(sabq_spsc_peek(&r, &view), 4);
    for (uint32_t i = 0; i < 4; i++) {
        memcpy(&v, view.data, 4);
        cr_expect_eq(v, i);
        int rc = sabq_spsc_peek_next(&r, &view);
        cr_expect_eq(rc, i < 3 ? 4 : -EPIPE, "after message %u", i);
    }
    for (uint32_t i = 0; i < 4; i++) {
        v = 99;
        int rc = i % 2 ? sabq_spsc_recv(&r, &v, 4) : sabq_spsc_recv_wait(&r, &v, 4, NO_WAIT_NS);
        cr_assert_eq(rc, 4, "committed data is drained");
        cr_expect_eq(v, i);
    }
    cr_expect_eq(sabq_spsc_recv(&r, &v, 4), -EPIPE);
    cr_expect_eq(sabq_spsc_recv_wait(&r, &v, 4, NO_WAIT_NS), -EPIPE);
    cr_expect_eq(sabq_spsc_peek(&r, &view), -EPIPE);
    cr_expect_eq(sabq_spsc_peek_wait(&r, &view, NO_WAIT_NS), -EPIPE);
    cr_expect_eq(sabq_spsc_recv_batch(&r, &iov, 1), -EPIPE);
    cr_expect_eq(sabq_spsc_used(&r), 0);
    free(mem);
}

/* used() counts bytes of whole slots: messages times the stride. */
Test(spsc_fixed, used_is_messages_times_the_stride)
{
    static const uint32_t lens[] = {1, 4, 5, 8, 12, 24, 100};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        uint32_t len = lens[k], stride = sabq_spsc_fixed_stride(len);
        void *mem;
        sabq_spsc r = fixed_ring(&mem, 8, len);
        uint8_t buf[128] = {0};
        sabq_spsc_resv w;
        for (uint32_t n = 1; n <= 8; n++) {
            cr_assert_eq(sabq_spsc_send(&r, buf, len), 0);
            cr_expect_eq(sabq_spsc_used(&r), n * stride, "length %u, %u messages", len, n);
        }
        cr_expect_eq(sabq_spsc_used(&r), 8 * stride, "full: every byte of the area");
        for (uint32_t n = 7; n > 3; n--) {
            cr_assert_eq(sabq_spsc_recv(&r, buf, sizeof buf), (int)len);
            cr_expect_eq(sabq_spsc_used(&r), n * stride, "length %u, %u messages", len, n);
        }
        cr_assert_eq(sabq_spsc_reserve(&r, len, &w), 0);
        cr_expect_eq(sabq_spsc_used(&r), 4 * stride, "a reservation is not queued");
        cr_assert_eq(sabq_spsc_commit(&r, &w, len), 0);
        cr_expect_eq(sabq_spsc_used(&r), 5 * stride);
        free(mem);
    }
}

/* A second handle (another process would do the same) finds the ring's
 * geometry in the header and shares it; attach over a handle last used for
 * a fixed ring gives a variable-length one when that is what the region is. */
Test(spsc_fixed, a_second_handle_attaches_to_the_same_ring)
{
    void *mem;
    sabq_spsc r = fixed_ring(&mem, 16, 12), a;
    size_t size = sabq_spsc_fixed_size(16, 12);
    memset(&a, 0x5A, sizeof a);
    cr_assert_eq(sabq_spsc_attach(&a, mem, size), 0);
    cr_expect_eq(a.shm, r.shm);
    cr_expect_eq(a.data, r.data);
    cr_expect_eq(a.cap, 16);
    cr_expect_eq(a.mask, 15);
    cr_expect_eq(a.msg_max, 12);
    cr_expect_eq(a.stride, 16);
    uint8_t buf[16], out[16];
    for (uint32_t i = 0; i < 40; i++) { /* r produces, a consumes, then the other way */
        const sabq_spsc *prod = i < 20 ? &r : &a, *cons = i < 20 ? &a : &r;
        fixed_fill(buf, 12, i);
        cr_assert_eq(sabq_spsc_send(prod, buf, 12), 0);
        cr_assert_eq(sabq_spsc_recv(cons, out, sizeof out), 12);
        cr_assert(fixed_check(out, 12, i), "message %u", i);
    }
    cr_expect_eq(sabq_spsc_attach(&a, mem, size - 1), -EPROTO, "ring larger than region");
    cr_expect_eq(sabq_spsc_attach(&a, mem, 100), -EINVAL, "smaller than a header");
    free(mem);

    sabq_spsc v = ring(&mem, CAP, 100);
    cr_assert_eq(sabq_spsc_attach(&a, mem, sabq_spsc_size(CAP)), 0);
    cr_expect_eq(a.stride, 0, "a variable-length ring");
    cr_expect_eq(a.cap, v.cap);
    cr_assert_eq(sabq_spsc_send(&v, buf, 5), 0);
    cr_expect_eq(sabq_spsc_recv(&a, out, sizeof out), 5);
    free(mem);
}

/* Whatever attach accepts, the handle's geometry fits the region and is the
 * one every other side computes: a header whose stride or total size
 * disagrees with its slots and length is not a fixed ring. */
Test(spsc_fixed, attach_refuses_a_header_whose_geometry_disagrees)
{
    void *mem;
    (void)fixed_ring(&mem, 16, 12);
    size_t size = sabq_spsc_fixed_size(16, 12);
    struct sabq_region *s = mem;
    sabq_spsc a;
    cr_assert_eq(sabq_spsc_attach(&a, mem, size), 0);

    static const uint32_t strides[] = {0, 4, 8, 12, 24, 32};
    for (size_t k = 0; k < sizeof strides / sizeof strides[0]; k++) {
        s->hdr.stride = strides[k];
        cr_expect_eq(sabq_spsc_attach(&a, mem, size), -EPROTO, "stride %u", strides[k]);
    }
    s->hdr.stride = 16;
    s->hdr.total_size = (uint32_t)size - 16;
    cr_expect_eq(sabq_spsc_attach(&a, mem, size), -EPROTO, "total size short of the slots");
    s->hdr.total_size = (uint32_t)size + 64;
    cr_expect_eq(sabq_spsc_attach(&a, mem, size + 64), -EPROTO, "total size past the slots");
    cr_expect_eq(sabq_spsc_attach(&a, mem, size), -EPROTO, "total size past the region");
    s->hdr.total_size = (uint32_t)size;

    static const uint32_t slots[] = {0, 1, 8, 12, 15, 17, 32, SABQ_CAP_MAX, 0x80000000u};
    for (size_t k = 0; k < sizeof slots / sizeof slots[0]; k++) {
        s->hdr.capacity = slots[k];
        cr_expect_eq(sabq_spsc_attach(&a, mem, size), -EPROTO, "%u slots", slots[k]);
    }
    s->hdr.capacity = 32; /* consistent, but larger than the region */
    s->hdr.total_size = (uint32_t)sabq_spsc_fixed_size(32, 12);
    cr_expect_eq(sabq_spsc_attach(&a, mem, size), -EPROTO);
    s->hdr.capacity = 16;
    s->hdr.total_size = (uint32_t)size;

    static const uint32_t lens[] = {0, 8, 17, 24, SABQ_FIXED_MSG_MAX + 1, UINT32_MAX};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        s->hdr.msg_max = lens[k];
        cr_expect_eq(sabq_spsc_attach(&a, mem, size), -EPROTO, "length %u", lens[k]);
    }
    s->hdr.msg_max = 9; /* another length of the same stride: a valid ring */
    cr_assert_eq(sabq_spsc_attach(&a, mem, size), 0);
    cr_expect_eq(a.msg_max, 9);
    cr_expect_eq(a.stride, 16);
    s->hdr.msg_max = 12;

    s->hdr.kind = 5;
    cr_expect_eq(sabq_spsc_attach(&a, mem, size), -EPROTO, "unknown kind");
    s->hdr.kind = SABQ_KIND_SPSC; /* a variable-length ring's kind: its checks refuse it */
    cr_expect_eq(sabq_spsc_attach(&a, mem, size), -EPROTO);
    s->hdr.kind = SABQ_KIND_SPSC_FIXED;
    s->hdr.version = SABQ_VERSION + 1;
    cr_expect_eq(sabq_spsc_attach(&a, mem, size), -EPROTO, "another version");
    s->hdr.version = SABQ_VERSION;
    s->hdr.data_off = SABQ_DATA_OFFSET + 64;
    cr_expect_eq(sabq_spsc_attach(&a, mem, size), -EPROTO, "data elsewhere");
    s->hdr.data_off = SABQ_DATA_OFFSET;
    atomic_store(&s->hdr.magic, 0);
    cr_expect_eq(sabq_spsc_attach(&a, mem, size), -EPROTO, "not published");
    atomic_store(&s->hdr.magic, SABQ_MAGIC);
    cr_expect_eq(sabq_spsc_attach(&a, mem, size), 0, "all restored");
    free(mem);
}

Test(spsc_fixed, timeouts_are_honoured)
{
    void *mem;
    sabq_spsc r = fixed_ring(&mem, 2, 8);
    uint8_t buf[8] = {0};
    sabq_spsc_view v;
    cr_expect_eq(sabq_spsc_recv_wait(&r, buf, sizeof buf, 0), -ETIMEDOUT, "0 polls once");
    cr_expect_eq(sabq_spsc_peek_wait(&r, &v, 0), -ETIMEDOUT);
    uint64_t t0 = sabq_now_ns();
    cr_expect_eq(sabq_spsc_recv_wait(&r, buf, sizeof buf, 20 * MS), -ETIMEDOUT);
    uint64_t waited = sabq_now_ns() - t0;
    cr_expect_geq(waited, 20 * MS, "returned early: %llu ns", (unsigned long long)waited);
    cr_expect_lt(waited, 200 * MS, "returned late: %llu ns", (unsigned long long)waited);
    t0 = sabq_now_ns();
    cr_expect_eq(sabq_spsc_peek_wait(&r, &v, 20 * MS), -ETIMEDOUT);
    waited = sabq_now_ns() - t0;
    cr_expect_geq(waited, 20 * MS);
    cr_expect_lt(waited, 200 * MS);
    cr_assert_eq(sabq_spsc_send(&r, buf, 8), 0);
    cr_assert_eq(sabq_spsc_send(&r, buf, 8), 0);
    t0 = sabq_now_ns();
    cr_expect_eq(sabq_spsc_send_wait(&r, buf, 8, 20 * MS), -ETIMEDOUT);
    waited = sabq_now_ns() - t0;
    cr_expect_geq(waited, 20 * MS);
    cr_expect_lt(waited, 200 * MS);
    cr_expect_eq(sabq_spsc_peek_wait(&r, &v, 0), 8);
    cr_expect_eq(sabq_spsc_recv_wait(&r, buf, sizeof buf, 0), 8);
    cr_expect_eq(sabq_spsc_send_wait(&r, buf, 8, 0), 0, "room again");
    free(mem);
}

/* The cache-line model (docs/layout.md): each side reads the other's index
 * only when its cached copy of it runs out. Shown with a tripwire: the other
 * index moved to an impossible value, which the calls the cache covers never
 * see, and the first call past the cache reports (-EPROTO). */
Test(spsc_fixed, each_side_reads_the_other_index_only_when_its_cache_runs_out)
{
    void *mem;
    sabq_spsc r = fixed_ring(&mem, 8, 8);
    struct sabq_region *s = r.shm;
    uint64_t m;
    for (m = 0; m < 8; m++)
        cr_assert_eq(sabq_spsc_send(&r, &m, 8), 0);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(sabq_spsc_recv(&r, &m, 8), 8);
    cr_assert_eq(sabq_spsc_send(&r, &m, 8), 0, "full by the cache: reads tail (4)");
    atomic_store(&s->cons.tail, 12345);
    for (int i = 0; i < 3; i++)
        cr_expect_eq(sabq_spsc_send(&r, &m, 8), 0, "send %d: room by the cached tail", i);
    cr_expect_eq(sabq_spsc_send(&r, &m, 8), -EPROTO, "full by the cache: reads tail");
    free(mem);

    r = fixed_ring(&mem, 8, 8);
    s = r.shm;
    for (m = 0; m < 4; m++)
        cr_assert_eq(sabq_spsc_send(&r, &m, 8), 0);
    cr_assert_eq(sabq_spsc_recv(&r, &m, 8), 8, "empty by the cache: reads head (4)");
    atomic_store(&s->prod.head, 12345);
    sabq_spsc_view v;
    cr_expect_eq(sabq_spsc_recv(&r, &m, 8), 8, "by the cached head");
    cr_expect_eq(sabq_spsc_peek(&r, &v), 8);
    cr_expect_eq(sabq_spsc_peek_next(&r, &v), 8);
    sabq_spsc_release(&r, &v);
    cr_expect_eq(sabq_spsc_recv(&r, &m, 8), -EPROTO, "empty by the cache: reads head");
    free(mem);
}

/* Two threads through a 2-slot ring with the blocking forms only: every
 * message arrives in order and whole; then, with the producer gone quiet,
 * a wait times out, and the producer's close ends the next one. */
struct fixed_producer {
    const sabq_spsc *r;
    uint32_t messages, len;
    _Atomic int done; /* 1 once every message is sent, -errno on a failure */
    _Atomic int may_close;
};

static void *fixed_produce_waiting(void *arg)
{
    struct fixed_producer *p = arg;
    uint8_t buf[64];
    for (uint32_t i = 0; i < p->messages; i++) {
        fixed_fill(buf, p->len, i);
        int rc = sabq_spsc_send_wait(p->r, buf, p->len, 10000 * MS);
        if (rc != 0) {
            atomic_store(&p->done, rc);
            return NULL;
        }
    }
    atomic_store(&p->done, 1);
    while (!atomic_load(&p->may_close))
        sched_yield();
    sabq_spsc_close(p->r);
    return NULL;
}

Test(spsc_fixed, blocking_calls_hand_messages_across_threads, .timeout = 120)
{
    void *mem;
    sabq_spsc r = fixed_ring(&mem, 2, 24);
    uint32_t n = SABQ_TEST_TSAN ? 2000 : 20000;
    struct fixed_producer p = {&r, n, 24, 0, 0};
    pthread_t t = test_spawn(fixed_produce_waiting, &p);
    uint8_t out[32];
    for (uint32_t i = 0; i < n; i++) {
        if (i % 2) {
            cr_assert_eq(sabq_spsc_recv_wait(&r, out, sizeof out, 10000 * MS), 24, "message %u", i);
            cr_assert(fixed_check(out, 24, i), "message %u", i);
        } else {
            sabq_spsc_view v;
            cr_assert_eq(sabq_spsc_peek_wait(&r, &v, 10000 * MS), 24, "message %u", i);
            cr_assert(fixed_check(v.data, 24, i), "message %u", i);
            sabq_spsc_release(&r, &v);
        }
    }
    while (!atomic_load(&p.done))
        sched_yield();
    cr_assert_eq(atomic_load(&p.done), 1, "the producer: %s", sabq_strerror(atomic_load(&p.done)));
    uint64_t t0 = sabq_now_ns();
    cr_expect_eq(sabq_spsc_recv_wait(&r, out, sizeof out, 20 * MS), -ETIMEDOUT, "nothing more");
    cr_expect_geq(sabq_now_ns() - t0, 20 * MS);
    atomic_store(&p.may_close, 1);
    cr_expect_eq(sabq_spsc_recv_wait(&r, out, sizeof out, 10000 * MS), -EPIPE);
    test_join(t);
    free(mem);
}

/* Spin 0: each wait parks at once, so the publish, the release or the close
 * must wake it (well within its 5 s timeout). */
Test(spsc_fixed, a_message_wakes_a_parked_consumer)
{
    void *mem;
    sabq_spsc r = fixed_ring(&mem, 4, 4); /* sleep_in_recv takes 4 bytes */
    sabq_set_spin(0);
    struct sleeper s = {&r, 1};
    pthread_t t = test_spawn(sleep_in_recv, &s);
    test_until_waiting(&r.shm->wait.readable, 1);
    uint64_t t0 = sabq_now_ns();
    uint32_t v = 7;
    cr_assert_eq(sabq_spsc_send(&r, &v, 4), 0);
    test_join(t);
    cr_expect_eq(s.rc, 4);
    cr_expect_lt(sabq_now_ns() - t0, TEST_WAKE_BOUND_MS * MS, "the send did not wake the sleeper");
    free(mem);
}

Test(spsc_fixed, room_wakes_a_parked_producer)
{
    void *mem;
    sabq_spsc r = fixed_ring(&mem, 2, 8); /* sleep_in_send sends 8 bytes */
    uint8_t buf[8] = {0};
    while (sabq_spsc_send(&r, buf, 8) == 0) {
    }
    sabq_set_spin(0);
    struct sleeper s = {&r, 1};
    pthread_t t = test_spawn(sleep_in_send, &s);
    test_until_waiting(&r.shm->wait.writable, 1);
    uint64_t t0 = sabq_now_ns();
    sabq_spsc_view v;
    cr_assert_eq(sabq_spsc_peek(&r, &v), 8);
    sabq_spsc_release(&r, &v);
    test_join(t);
    cr_expect_eq(s.rc, 0);
    cr_expect_lt(sabq_now_ns() - t0, TEST_WAKE_BOUND_MS * MS, "the release did not wake the sleeper");
    free(mem);
}

Test(spsc_fixed, close_wakes_parked_sides)
{
    void *mem;
    sabq_spsc r = fixed_ring(&mem, 4, 4);
    sabq_set_spin(0);
    struct sleeper s = {&r, 1};
    pthread_t t = test_spawn(sleep_in_recv, &s);
    test_until_waiting(&r.shm->wait.readable, 1);
    uint64_t t0 = sabq_now_ns();
    sabq_spsc_close(&r);
    test_join(t);
    cr_expect_eq(s.rc, -EPIPE);
    cr_expect_lt(sabq_now_ns() - t0, TEST_WAKE_BOUND_MS * MS, "the close did not wake the consumer");
    free(mem);

    r = fixed_ring(&mem, 2, 8);
    uint8_t buf[8] = {0};
    while (sabq_spsc_send(&r, buf, 8) == 0) {
    }
    s = (struct sleeper){&r, 1};
    t = test_spawn(sleep_in_send, &s);
    test_until_waiting(&r.shm->wait.writable, 1);
    t0 = sabq_now_ns();
    sabq_spsc_close(&r);
    test_join(t);
    cr_expect_eq(s.rc, -EPIPE);
    cr_expect_lt(sabq_now_ns() - t0, TEST_WAKE_BOUND_MS * MS, "the close did not wake the producer");
    free(mem);
}

/* Indices just below 2^32: every send and receive form across the wrap of
 * the 32-bit message counts, on a ring whose slot count does not divide
 * 2^32 into laps of the area any differently from any other. */
Test(spsc_fixed, indices_wrap_past_2_32)
{
    void *mem;
    sabq_spsc r = fixed_ring(&mem, 8, 20);
    test_spsc_start_below_wrap(&r, 3);
    uint8_t buf[4][24];
    uint32_t seq = 0, want = 0;
    for (uint32_t i = 0; i < 3000; i++) {
        uint32_t n = 1 + i % 4;
        switch (i % 3) {
        case 0:
            for (uint32_t k = 0; k < n; k++, seq++) {
                fixed_fill(buf[0], 20, seq);
                cr_assert_eq(sabq_spsc_send(&r, buf[0], 20), 0, "send %u", seq);
            }
            break;
        case 1:
            for (uint32_t k = 0; k < n; k++, seq++) {
                sabq_spsc_resv w;
                cr_assert_eq(sabq_spsc_reserve(&r, 20, &w), 0, "reserve %u", seq);
                fixed_fill(w.data, 20, seq);
                cr_assert_eq(sabq_spsc_commit(&r, &w, 20), 0);
            }
            break;
        default: {
            sabq_iov iov[4];
            for (uint32_t k = 0; k < n; k++) {
                fixed_fill(buf[k], 20, seq + k);
                iov[k] = (sabq_iov){buf[k], 20};
            }
            for (uint32_t sent = 0; sent < n;) { /* a batch may stop short of the room */
                int rc = sabq_spsc_send_batch(&r, iov + sent, n - sent);
                cr_assert_gt(rc, 0, "send_batch at %u: %s", seq + sent, sabq_strerror(rc));
                sent += (uint32_t)rc;
            }
            seq += n;
        }
        }
        cr_expect_eq(sabq_spsc_used(&r), (seq - want) * 24);
        switch (i % 4) {
        case 0:
            while (want < seq) {
                cr_assert_eq(sabq_spsc_recv(&r, buf[0], 24), 20);
                cr_assert(fixed_check(buf[0], 20, want), "message %u", want);
                want++;
            }
            break;
        case 1: {
            sabq_spsc_view v;
            cr_assert_eq(sabq_spsc_peek(&r, &v), 20);
            cr_assert(fixed_check(v.data, 20, want), "message %u", want);
            while (++want < seq) {
                cr_assert_eq(sabq_spsc_peek_next(&r, &v), 20);
                cr_assert(fixed_check(v.data, 20, want), "message %u", want);
            }
            cr_assert_eq(sabq_spsc_peek_next(&r, &v), -EAGAIN);
            sabq_spsc_release(&r, &v);
            break;
        }
        default: {
            sabq_iov in[4];
            while (want < seq) { /* a batch may stop short of what is queued */
                for (uint32_t k = 0; k < 4; k++)
                    in[k] = (sabq_iov){buf[k], 24};
                int got = sabq_spsc_recv_batch(&r, in, 4);
                cr_assert_gt(got, 0, "recv_batch at %u: %s", want, sabq_strerror(got));
                cr_assert_leq(got, (int)(seq - want));
                for (int k = 0; k < got; k++, want++) {
                    cr_assert_eq(in[k].len, 20);
                    cr_assert(fixed_check(buf[k], 20, want), "message %u", want);
                }
            }
        }
        }
        cr_assert_eq(sabq_spsc_used(&r), 0);
        cr_assert_eq(sabq_spsc_recv(&r, buf[0], 24), -EAGAIN, "empty after %u", i);
    }
    uint32_t head = atomic_load(&r.shm->prod.head);
    cr_expect_lt(head, 1u << 16, "the indices crossed 2^32 (head %u)", head);
    free(mem);
}

/* sabq_spsc_send/recv are macros for the header's inline fast paths
 * (sabq/spsc.h); `(sabq_spsc_send)` and a function pointer reach the
 * library. Mixed in every combination, over several laps, through full and
 * empty rings and the close, both must give the same results. */
typedef int (*send_fn)(const sabq_spsc *, const void *, uint32_t);
typedef int (*recv_fn)(const sabq_spsc *, void *, uint32_t);

static int send_by(int library, const sabq_spsc *r, const void *buf, uint32_t len)
{
    send_fn lib = sabq_spsc_send; /* not a call: the function itself */
    return library ? lib(r, buf, len) : sabq_spsc_send(r, buf, len);
}

static int recv_by(int library, const sabq_spsc *r, void *buf, uint32_t cap)
{
    recv_fn lib = sabq_spsc_recv;
    return library ? lib(r, buf, cap) : sabq_spsc_recv(r, buf, cap);
}

static void mixed_calls(sabq_spsc *r, uint32_t fixed_len)
{
    uint8_t msg[64], got[64];
    uint32_t seq = 0, next = 0;
    for (uint32_t round = 0; round < 400; round++) {
        int lib_send = round & 1, lib_recv = (round >> 1) & 1;
        uint32_t burst = 1 + round % 11, sent = 0;
        for (; sent < burst; sent++) {
            uint32_t len = fixed_len ? fixed_len : seq % 17;
            fixed_fill(msg, len, seq);
            int rc = send_by(lib_send, r, msg, len);
            if (rc == -EAGAIN)
                break; /* full: the same answer from either side, checked below */
            cr_assert_eq(rc, 0, "send %u by %s: %d", seq, lib_send ? "library" : "inline", rc);
            seq++;
        }
        if (sent < burst) { /* full by one: so by the other too */
            uint32_t len = fixed_len ? fixed_len : seq % 17;
            cr_assert_eq(send_by(!lib_send, r, msg, len), -EAGAIN);
        }
        for (uint32_t k = 0; k < (round % 3 ? burst : burst / 2); k++) {
            int n = recv_by(lib_recv, r, got, sizeof got);
            if (n == -EAGAIN) {
                cr_assert_eq(next, seq, "empty with %u unread", seq - next);
                cr_assert_eq(recv_by(!lib_recv, r, got, sizeof got), -EAGAIN);
                break;
            }
            uint32_t len = fixed_len ? fixed_len : next % 17;
            cr_assert_eq(n, (int)len, "message %u by %s", next, lib_recv ? "library" : "inline");
            cr_assert(fixed_check(got, len, next), "message %u intact", next);
            next++;
        }
    }
    sabq_spsc_close(r);
    while (next < seq) {
        int n = recv_by(next & 1, r, got, sizeof got);
        cr_assert_geq(n, 0, "message %u after the close: %d", next, n);
        cr_assert(fixed_check(got, (uint32_t)n, next));
        next++;
    }
    cr_assert_eq(recv_by(0, r, got, sizeof got), -EPIPE);
    cr_assert_eq(recv_by(1, r, got, sizeof got), -EPIPE);
    cr_assert_eq(send_by(0, r, msg, fixed_len ? fixed_len : 1), -EPIPE);
    cr_assert_eq(send_by(1, r, msg, fixed_len ? fixed_len : 1), -EPIPE);
}

Test(spsc, inline_and_library_calls_are_interchangeable)
{
#if !defined(sabq_spsc_send) || !defined(sabq_spsc_recv)
    cr_assert_fail("sabq/spsc.h should make sabq_spsc_send/recv inline");
#endif
    void *mem;
    sabq_spsc r = ring(&mem, 256, 64);
    mixed_calls(&r, 0);
    free(mem);
    for (uint32_t len = 1; len <= 24; len += 7) { /* 1, 8, 15 in line; 22 not */
        sabq_spsc f = fixed_ring(&mem, 8, len);
        mixed_calls(&f, len);
        free(mem);
    }
}
