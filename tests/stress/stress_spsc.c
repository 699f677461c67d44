/* tests/stress/stress_spsc.c — one producer and one consumer thread move 10^7
 * variable-length messages through a small SPSC ring (so it wraps and fills
 * constantly), mixing every send and receive form. Each message carries its
 * sequence number and a payload derived from it: nothing may be lost,
 * duplicated, reordered or torn. The same harness runs the ring's fixed-size
 * form (messages of one length in slots), blocking or spinning. */
#include <errno.h>
#include <sched.h>
#include "stress.h"

struct spsc_run {
    sabq_spsc r;
    uint64_t messages;
    uint32_t longest; /* messages are 8..longest bytes */
    uint32_t group;   /* ...the same length for `group` messages in a row */
    uint64_t plain_after; /* from this message on, no two lengths in a row equal */
    uint32_t fixed;   /* a fixed ring of messages of this many bytes (0: lengths as above) */
    int spin;         /* the non-blocking calls only, retried until they go through */
};

static uint32_t msg_len(const struct spsc_run *run, uint64_t seq)
{
    if (run->fixed)
        return run->fixed;
    if (seq >= run->plain_after) /* never a run: every record plain */
        return 8 + (uint32_t)(seq % (run->longest - 7));
    return 8 + ((uint32_t)(seq / run->group) * 2654435761u >> 26) % (run->longest - 7);
}

/* Bytes of a message that carry its sequence number: 8, or the low bytes of
 * it in a shorter message (a fixed ring's; 4 bytes tell 2^32 messages apart). */
static uint32_t seq_bytes(uint32_t len) { return len < 8 ? len : 8; }

static void fill_msg(uint8_t *buf, uint64_t seq, uint32_t len)
{
    memcpy(buf, &seq, seq_bytes(len)); /* little-endian: the low bytes first */
    for (uint32_t i = seq_bytes(len); i < len; i++)
        buf[i] = stress_byte(0, seq, i);
}

static void check_msg(const struct spsc_run *run, const uint8_t *buf, uint32_t len, uint64_t want)
{
    uint64_t seq = 0, want_bits = want;
    memcpy(&seq, buf, seq_bytes(len));
    if (seq_bytes(len) < 8)
        want_bits &= (1ull << (8 * seq_bytes(len))) - 1;
    cr_assert_eq(seq, want_bits, "expected message %llu, got %llu", (unsigned long long)want,
                 (unsigned long long)seq);
    cr_assert_eq(len, msg_len(run, want), "length of message %llu", (unsigned long long)want);
    for (uint32_t i = seq_bytes(len); i < len; i++)
        cr_assert_eq(buf[i], stress_byte(0, want, i), "torn payload in %llu", (unsigned long long)want);
}

/* A spinning side retries at once, but yields now and then: on a busy
 * machine its peer may be waiting for this very core (a producer that spun
 * without yielding on a full 8-slot ring moved 3000 messages a second when
 * the two threads shared a core). */
static void spin_pause(uint32_t *tries)
{
    if (++*tries % 64 == 0)
        sched_yield();
}

/* One message in or out, blocking (each wait must be woken, STRESS_WAIT) or
 * spinning on the non-blocking call. */
static int send_one(const struct spsc_run *run, const void *buf, uint32_t len)
{
    if (!run->spin)
        return STRESS_WAIT(sabq_spsc_send_wait(&run->r, buf, len, stress_timeout_ns));
    uint32_t tries = 0;
    int rc;
    while ((rc = sabq_spsc_send(&run->r, buf, len)) == -EAGAIN)
        spin_pause(&tries);
    return rc;
}

static int recv_one(const struct spsc_run *run, void *buf, uint32_t cap)
{
    if (!run->spin)
        return STRESS_WAIT(sabq_spsc_recv_wait(&run->r, buf, cap, stress_timeout_ns));
    uint32_t tries = 0;
    int rc;
    while ((rc = sabq_spsc_recv(&run->r, buf, cap)) == -EAGAIN)
        spin_pause(&tries);
    return rc;
}

static int peek_one(const struct spsc_run *run, sabq_spsc_view *v)
{
    if (!run->spin)
        return STRESS_WAIT(sabq_spsc_peek_wait(&run->r, v, stress_timeout_ns));
    uint32_t tries = 0;
    int rc;
    while ((rc = sabq_spsc_peek(&run->r, v)) == -EAGAIN)
        spin_pause(&tries);
    return rc;
}

static void *produce(void *arg)
{
    struct spsc_run *run = arg;
    uint8_t buf[8][80];
    uint64_t seq = 0;
    uint32_t tries = 0; /* failed non-blocking sends, for spin_pause */
    while (seq < run->messages) {
        int rc;
        switch (seq % 3) {
        case 0: { /* copy in, blocking (or spinning) */
            uint32_t len = msg_len(run, seq);
            fill_msg(buf[0], seq, len);
            rc = send_one(run, buf[0], len);
            stress_require(rc == 0, "send_wait: %s", sabq_strerror(rc));
            seq++;
            break;
        }
        case 1: { /* zero-copy */
            uint32_t len = msg_len(run, seq);
            sabq_spsc_resv w;
            rc = sabq_spsc_reserve(&run->r, len, &w);
            if (rc == -EAGAIN) {
                spin_pause(&tries);
                continue;
            }
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
            if (rc == -EAGAIN) {
                spin_pause(&tries);
                continue;
            }
            stress_require(rc > 0, "send_batch: %s", sabq_strerror(rc));
            seq += (uint64_t)rc;
        }
        }
    }
    sabq_spsc_close(&run->r);
    return NULL;
}

/* One producer thread, this thread consuming: `setup->messages` messages
 * through the ring of setup->r, whose memory started as garbage (a consumer
 * must never take old bytes for a record). */
static void run_through(const char *label, const struct spsc_run *setup)
{
    struct spsc_run run = *setup;
    test_spsc_start_below_wrap(&run.r, 3); /* cross 2^32 within the first laps */
    uint64_t t0 = sabq_now_ns();
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, produce, &run), 0);

    uint64_t want = 0;
    uint8_t buf[8][128];
    for (;;) {
        int rc;
        if (want % 4 == 0) { /* copy out, blocking (or spinning) */
            rc = recv_one(&run, buf[0], sizeof buf[0]);
            if (rc == -EPIPE)
                break;
            cr_assert_geq(rc, 0, "recv_wait: %s", sabq_strerror(rc));
            check_msg(&run, buf[0], (uint32_t)rc, want++);
        } else if (want % 4 == 1) { /* zero-copy, several in place, one release */
            sabq_spsc_view v;
            rc = peek_one(&run, &v);
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
            if (rc == -EAGAIN) { /* nothing yet: block (or spin) for one */
                rc = recv_one(&run, buf[0], sizeof buf[0]);
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
}

/* `messages` messages of 8 to `longest` bytes through a ring of `cap` bytes. */
static void run_stress_plain_after(const char *label, uint32_t cap, uint32_t longest,
                                   uint32_t group, uint64_t messages, uint64_t plain_after)
{
    struct spsc_run run = {.messages = messages, .longest = longest, .group = group,
                           .plain_after = plain_after};
    size_t size = sabq_spsc_size(cap);
    void *mem = stress_region(size);
    memset(mem, 0x5A, size);
    cr_assert_eq(sabq_spsc_init(&run.r, mem, size, cap, longest), 0);
    run_through(label, &run);
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

/* ---- the fixed-size form (kind 4) -------------------------------------------- */

/* `messages` messages of `len` bytes through a fixed ring of `slots` slots,
 * the _wait forms blocking or (spin) the non-blocking calls retried. */
static void run_fixed(const char *what, uint32_t slots, uint32_t len, int spin, uint64_t messages)
{
    char label[80];
    snprintf(label, sizeof label, "%s %s, %u x %u B", what, spin ? "spinning" : "blocking", slots, len);
    struct spsc_run run = {.messages = messages, .fixed = len, .spin = spin};
    size_t size = sabq_spsc_fixed_size(slots, len);
    void *mem = stress_region(size);
    memset(mem, 0x5A, size);
    cr_assert_eq(sabq_spsc_init_fixed(&run.r, mem, size, slots, len), 0);
    run_through(label, &run);
    free(mem);
}

/* Messages of 4 bytes (4-byte slots), 8 and 24 through rings of 8, 4 and 2
 * slots, so each fills and wraps every few messages, with every send and
 * receive form, the _wait forms blocking. */
Test(stress, spsc_fixed_no_loss_duplication_or_reordering, .timeout = 900)
{
    run_fixed("spsc fixed", 8, 4, 0, stress_count(3000000));
    run_fixed("spsc fixed", 4, 8, 0, stress_count(3000000));
    run_fixed("spsc fixed", 2, 24, 0, stress_count(3000000));
}

/* The same with both sides spinning on the non-blocking calls: the consumer
 * reads a slot the moment head shows it, the producer refills one the moment
 * tail gives it back (a head published before the copy, or a tail before
 * it, shows here as a torn message). */
Test(stress, spsc_fixed_spinning, .timeout = 900)
{
    run_fixed("spsc fixed", 8, 4, 1, stress_count(3000000));
    run_fixed("spsc fixed", 4, 8, 1, stress_count(3000000));
    run_fixed("spsc fixed", 2, 24, 1, stress_count(3000000));
}

/* Spin 0 on a ring of 2 slots: both sides wait all the time and every wait
 * parks at once; a lost wake-up would leave a side asleep for its whole
 * (10 s) timeout, which STRESS_WAIT fails. */
Test(stress, spsc_fixed_parking_at_every_wait, .timeout = 900)
{
    sabq_set_spin(0);
    stress_timeout_ns = 10ull * 1000000000ull;
    run_fixed("spsc fixed spin 0", 2, 12, 0, stress_count(200000));
}

Test(soak, spsc_fixed_10e9_messages, .timeout = SOAK_TIMEOUT_S)
{
    SOAK_ONLY();
    run_fixed("soak spsc fixed", 64, 24, 0, 1000000000);
}

/* A fixed ring's indices count messages: 2^32 of them and 10^8 more, so the
 * indices pass every value and each side's cached copy of the other's would
 * pass for valid again had it been left behind (as layout 2's cached head
 * did after 2^32 bytes); 4-byte messages, whose number is its low 32 bits. */
Test(soak, spsc_fixed_2_32_messages, .timeout = SOAK_TIMEOUT_S)
{
    SOAK_ONLY();
    run_fixed("soak spsc fixed past 2^32", 16, 4, 0, (1ull << 32) + 100000000);
}

/* The producer closes right after its last send while the consumer polls:
 * the consumer must take that message before it reports the end. An end
 * judged by the flag alone, without a second look at head, would lose it
 * (tests/model/pipe.pml found that in the pipe). Many short rounds, each on
 * a fresh ring, so that the close lands at every point of a receive. */
struct close_rounds {
    sabq_spsc r;
    uint32_t rounds;
    _Atomic uint32_t go, done; /* the round the consumer has set up, the producer ended */
};

static void *send_then_close(void *arg)
{
    struct close_rounds *c = arg;
    for (uint32_t i = 1; i <= c->rounds; i++) {
        uint32_t tries = 0;
        while (atomic_load_explicit(&c->go, memory_order_acquire) != i)
            spin_pause(&tries);
        uint64_t v = i;
        int rc = sabq_spsc_send(&c->r, &v, 8);
        stress_require(rc == 0, "round %u: send: %s", i, sabq_strerror(rc));
        sabq_spsc_close(&c->r);
        atomic_store_explicit(&c->done, i, memory_order_release);
    }
    return NULL;
}

Test(stress, spsc_fixed_close_right_after_the_last_send, .timeout = 900)
{
    struct close_rounds c = {.rounds = (uint32_t)stress_count(200000)};
    size_t size = sabq_spsc_fixed_size(2, 8);
    void *mem = stress_region(size);
    uint64_t t0 = sabq_now_ns();
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, send_then_close, &c), 0);
    for (uint32_t i = 1; i <= c.rounds; i++) {
        cr_assert_eq(sabq_spsc_init_fixed(&c.r, mem, size, 2, 8), 0);
        atomic_store_explicit(&c.go, i, memory_order_release);
        uint64_t v = 0;
        uint32_t tries = 0;
        sabq_spsc_view view;
        sabq_iov iov = {&v, 8};
        int rc;
        do { /* each form of receive in turn, polling */
            switch (i % 4) {
            case 0:
                rc = sabq_spsc_recv(&c.r, &v, 8);
                break;
            case 1:
                rc = sabq_spsc_recv_wait(&c.r, &v, 8, 0);
                break;
            case 2:
                rc = sabq_spsc_peek(&c.r, &view);
                if (rc >= 0) {
                    memcpy(&v, view.data, 8);
                    sabq_spsc_release(&c.r, &view);
                }
                break;
            default:
                rc = sabq_spsc_recv_batch(&c.r, &iov, 1);
                rc = rc == 1 ? (int)iov.len : rc;
            }
            if (rc == -EAGAIN || rc == -ETIMEDOUT)
                spin_pause(&tries);
        } while (rc == -EAGAIN || rc == -ETIMEDOUT);
        cr_assert_eq(rc, 8, "round %u: the end before the last message (%s)", i, sabq_strerror(rc));
        cr_assert_eq(v, i, "round %u", i);
        while ((rc = sabq_spsc_recv(&c.r, &v, 8)) == -EAGAIN) /* the close may be on its way */
            spin_pause(&tries);
        cr_assert_eq(rc, -EPIPE, "round %u: %s", i, sabq_strerror(rc));
        while (atomic_load_explicit(&c.done, memory_order_acquire) != i)
            spin_pause(&tries);
    }
    cr_assert_eq(pthread_join(t, NULL), 0);
    stress_report("spsc fixed close after the last send", c.rounds, t0);
    free(mem);
}
