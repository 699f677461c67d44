/* tests/stress/stress_spsc.c — one producer and one consumer thread move 10^7
 * variable-length messages through a small SPSC ring (so it wraps and fills
 * constantly), mixing every send and receive form. Each message carries its
 * sequence number and a payload derived from it: nothing may be lost,
 * duplicated, reordered or torn. */
#include <errno.h>
#include "stress.h"

struct spsc_run {
    sabq_spsc r;
    uint64_t messages;
    uint32_t longest; /* messages are 8..longest bytes */
    uint32_t group;   /* ...the same length for `group` messages in a row */
    uint64_t plain_after; /* from this message on, no two lengths in a row equal */
};

static uint32_t msg_len(const struct spsc_run *run, uint64_t seq)
{
    if (seq >= run->plain_after) /* never a run: every record plain */
        return 8 + (uint32_t)(seq % (run->longest - 7));
    return 8 + ((uint32_t)(seq / run->group) * 2654435761u >> 26) % (run->longest - 7);
}

static void fill_msg(uint8_t *buf, uint64_t seq, uint32_t len)
{
    memcpy(buf, &seq, 8);
    for (uint32_t i = 8; i < len; i++)
        buf[i] = stress_byte(0, seq, i);
}

static void check_msg(const struct spsc_run *run, const uint8_t *buf, uint32_t len, uint64_t want)
{
    uint64_t seq;
    memcpy(&seq, buf, 8);
    cr_assert_eq(seq, want, "expected message %llu, got %llu", (unsigned long long)want,
                 (unsigned long long)seq);
    cr_assert_eq(len, msg_len(run, want), "length of message %llu", (unsigned long long)want);
    for (uint32_t i = 8; i < len; i++)
        cr_assert_eq(buf[i], stress_byte(0, want, i), "torn payload in %llu", (unsigned long long)want);
}

static void *produce(void *arg)
{
    struct spsc_run *run = arg;
    uint8_t buf[8][80];
    uint64_t seq = 0;
    while (seq < run->messages) {
        int rc;
        switch (seq % 3) {
        case 0: { /* copy in, blocking */
            uint32_t len = msg_len(run, seq);
            fill_msg(buf[0], seq, len);
            rc = STRESS_WAIT(sabq_spsc_send_wait(&run->r, buf[0], len, stress_timeout_ns));
            stress_require(rc == 0, "send_wait: %s", sabq_strerror(rc));
            seq++;
            break;
        }
        case 1: { /* zero-copy */
            uint32_t len = msg_len(run, seq);
            sabq_spsc_resv w;
            rc = sabq_spsc_reserve(&run->r, len, &w);
            if (rc == -EAGAIN)
                continue;
            stress_require(rc == 0, "reserve: %s", sabq_strerror(rc));
            fill_msg(w.data, seq, len);
            stress_require(sabq_spsc_commit(&run->r, &w, len) == 0);
            seq++;
            break;
        }
        default: { /* batch */
            sabq_iov iov[8];
            uint32_t n = 0;
            for (; n < 8 && seq + n < run->messages; n++) {
                uint32_t len = msg_len(run, seq + n);
                fill_msg(buf[n], seq + n, len);
                iov[n] = (sabq_iov){buf[n], len};
            }
            rc = sabq_spsc_send_batch(&run->r, iov, n);
            if (rc == -EAGAIN)
                continue;
            stress_require(rc > 0, "send_batch: %s", sabq_strerror(rc));
            seq += (uint64_t)rc;
        }
        }
    }
    sabq_spsc_close(&run->r);
    return NULL;
}

/* One producer thread, this thread consuming: `messages` messages of 8 to
 * `longest` bytes through a ring of `cap` bytes whose memory starts as
 * garbage (a consumer must never take old bytes for a record). */
static void run_stress_plain_after(const char *label, uint32_t cap, uint32_t longest,
                                   uint32_t group, uint64_t messages, uint64_t plain_after)
{
    struct spsc_run run = {.messages = messages, .longest = longest, .group = group,
                           .plain_after = plain_after};
    size_t size = sabq_spsc_size(cap);
    void *mem = stress_region(size);
    memset(mem, 0x5A, size);
    cr_assert_eq(sabq_spsc_init(&run.r, mem, size, cap, longest), 0);
    test_spsc_start_below_wrap(&run.r, 3); /* cross 2^32 within the first laps */
    uint64_t t0 = sabq_now_ns();
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, produce, &run), 0);

    uint64_t want = 0;
    uint8_t buf[8][128];
    for (;;) {
        int rc;
        if (want % 4 == 0) { /* copy out, blocking */
            rc = STRESS_WAIT(sabq_spsc_recv_wait(&run.r, buf[0], sizeof buf[0], stress_timeout_ns));
            if (rc == -EPIPE)
                break;
            cr_assert_geq(rc, 0, "recv_wait: %s", sabq_strerror(rc));
            check_msg(&run, buf[0], (uint32_t)rc, want++);
        } else if (want % 4 == 1) { /* zero-copy, several in place, one release */
            sabq_spsc_view v;
            rc = STRESS_WAIT(sabq_spsc_peek_wait(&run.r, &v, stress_timeout_ns));
            if (rc == -EPIPE)
                break;
            cr_assert_geq(rc, 0, "peek_wait: %s", sabq_strerror(rc));
            check_msg(&run, v.data, v.len, want++);
            for (int k = 0; k < 4; k++) { /* a failed peek_next leaves v as it was */
                if (sabq_spsc_peek_next(&run.r, &v) < 0)
                    break;
                check_msg(&run, v.data, v.len, want++);
            }
            sabq_spsc_release(&run.r, &v); /* everything up to v */
        } else { /* batch */
            sabq_iov iov[8];
            for (int k = 0; k < 8; k++)
                iov[k] = (sabq_iov){buf[k], sizeof buf[k]};
            rc = sabq_spsc_recv_batch(&run.r, iov, 8);
            if (rc == -EAGAIN) { /* nothing yet: block for one */
                rc = STRESS_WAIT(sabq_spsc_recv_wait(&run.r, buf[0], sizeof buf[0], stress_timeout_ns));
                if (rc == -EPIPE)
                    break;
                cr_assert_geq(rc, 0);
                check_msg(&run, buf[0], (uint32_t)rc, want++);
                continue;
            }
            if (rc == -EPIPE)
                break;
            cr_assert_gt(rc, 0, "recv_batch: %s", sabq_strerror(rc));
            for (int k = 0; k < rc; k++)
                check_msg(&run, buf[k], iov[k].len, want++);
        }
    }
    cr_assert_eq(pthread_join(t, NULL), 0);
    cr_assert_eq(want, run.messages, "received %llu of %llu", (unsigned long long)want,
                 (unsigned long long)run.messages);
    stress_report(label, run.messages, t0);
    free(mem);
}

static void run_stress(const char *label, uint32_t cap, uint32_t longest, uint32_t group,
                       uint64_t messages)
{
    run_stress_plain_after(label, cap, longest, group, messages, UINT64_MAX);
}

Test(stress, spsc_no_loss_duplication_or_reordering, .timeout = 900)
{
    run_stress("spsc", 4096, 71, 1, stress_count(10000000));
}

/* Lengths repeat in groups of 8, so most batches are sent as runs, and the
 * consumer takes them apart in every way: one by one, several in place with
 * one release in the middle of a run, and in batches that end inside one. */
Test(stress, spsc_runs_of_equal_lengths, .timeout = 900)
{
    run_stress("spsc runs", 512, 40, 8, stress_count(5000000));
}

Test(soak, spsc_10e9_messages, .timeout = SOAK_TIMEOUT_S)
{
    SOAK_ONLY();
    run_stress("soak spsc", 4096, 71, 1, 1000000000);
}

/* Runs for the first 10^5 messages (the consumer stops inside many of them
 * and keeps run_end), then 2 * 10^8 plain records of 8..71 bytes, about 11
 * GB, more than 2^32 bytes past the last run, through every send and receive
 * form, batches included: a run_end left stale would pass for valid again
 * (phantom messages or -EPROTO), as layout 2's cached head did in this soak. */
Test(soak, spsc_2_32_bytes_after_the_last_run, .timeout = SOAK_TIMEOUT_S)
{
    SOAK_ONLY();
    run_stress_plain_after("soak spsc past 2^32 after runs", 4096, 71, 8, 200100000, 100000);
}

/* A 64-byte ring holds two or three messages of 8..24 bytes: it wraps, pads
 * and fills every few messages, so the seal of the next record is cleared,
 * set and read across a wrap all the time; lengths repeat in threes, so
 * small runs are padded around the end too, or fall back to plain records. */
Test(stress, spsc_tiny_ring_wraps_every_few_messages, .timeout = 900)
{
    run_stress("spsc tiny ring", 64, 24, 3, stress_count(5000000));
}

/* Spin 0: a 64-byte ring, so both sides wait all the time, and every wait
 * parks at once: each is a park and a wake. A lost wake-up would leave a side
 * asleep for its whole (10 s) timeout, which STRESS_WAIT fails. */
Test(stress, spsc_parking_at_every_wait, .timeout = 900)
{
    sabq_set_spin(0);
    stress_timeout_ns = 10ull * 1000000000ull;
    run_stress("spsc spin 0, tiny ring", 64, 24, 3, stress_count(200000));
}
