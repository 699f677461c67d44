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
