/* tests/fuzz/fuzz_wait.c — libFuzzer target for the wait layer: events
 * (prepare, cancel, wait with a deadline, notify, wake_all) and the bare word
 * wait/wake, with the peer scribbling the event's words in between. Each
 * call is checked against what wait.h promises: notify moves `seq` only when
 * `waiters` says someone waits, wake_all always; a wait whose key is stale
 * returns at once, one whose key is current times out; counts move by one. */
#include "fuzz.h"

enum { OP_PREPARE, OP_CANCEL, OP_WAIT, OP_NOTIFY, OP_WAKE_ALL, OP_WORD_WAIT, OP_WORD_WAKE,
       OP_SCRIBBLE, OP_COUNT };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    fuzz_setup();
    struct fuzz_region reg = fuzz_region_new(16); /* an event and a word */
    struct sabq_event *ev = (struct sabq_event *)reg.mem;
    _Atomic uint32_t *word = (_Atomic uint32_t *)(reg.mem + 8);
    sabq_event_init(ev);
    atomic_store(word, fuzz_u32(&in));
    uint32_t key = atomic_load(&ev->seq);
    int ops = 0;
    while (in.left && ops++ < 24) { /* a wait or a prepare costs tens of microseconds */
        uint32_t seq = atomic_load(&ev->seq), waiters = atomic_load(&ev->waiters);
        switch (fuzz_u8(&in) % OP_COUNT) {
        case OP_PREPARE:
            key = sabq_event_prepare(ev);
            FUZZ_CHECK(key == seq, "prepare returned %u, seq was %u", key, seq);
            FUZZ_CHECK(atomic_load(&ev->waiters) == waiters + 1, "prepare did not count itself");
            break;
        case OP_CANCEL:
            sabq_event_cancel(ev);
            FUZZ_CHECK(atomic_load(&ev->waiters) == waiters - 1, "cancel did not withdraw");
            break;
        case OP_WAIT: {
            uint32_t k = fuzz_u8(&in) & 1 ? key : fuzz_u32(&in);
            uint64_t deadline = fuzz_u8(&in) & 1 ? sabq_now_ns() + 3000 : sabq_now_ns() - 1;
            int rc = sabq_event_wait(ev, k, deadline);
            FUZZ_CHECK(rc == (k == seq ? -ETIMEDOUT : 0), "wait with key %u, seq %u: %d", k, seq, rc);
            FUZZ_CHECK(atomic_load(&ev->waiters) == waiters - 1, "wait did not withdraw");
            FUZZ_CHECK(atomic_load(&ev->seq) == seq, "wait moved seq");
            break;
        }
        case OP_NOTIFY:
            sabq_event_notify(ev);
            FUZZ_CHECK(atomic_load(&ev->seq) == seq + (waiters != 0), "notify: seq %u -> %u, %u waiters",
                       seq, atomic_load(&ev->seq), waiters);
            break;
        case OP_WAKE_ALL:
            sabq_event_wake_all(ev);
            FUZZ_CHECK(atomic_load(&ev->seq) == seq + 1, "wake_all did not move seq");
            FUZZ_CHECK(atomic_load(&ev->waiters) == waiters, "wake_all moved waiters");
            break;
        case OP_WORD_WAIT: {
            uint32_t now = atomic_load(word), expected = fuzz_u8(&in) & 1 ? now : fuzz_u32(&in);
            uint64_t timeout = fuzz_u8(&in) & 1 ? 2000 : 0;
            int rc = sabq_wait(word, expected, timeout);
            FUZZ_CHECK(rc == (expected == now ? -ETIMEDOUT : 0), "wait on a word: %d", rc);
            FUZZ_CHECK(sabq_wait(NULL, 0, 0) == -EINVAL, "wait on NULL");
            break;
        }
        case OP_WORD_WAKE:
            FUZZ_CHECK(sabq_wake(word, fuzz_u32(&in)) == 0, "woke someone: nobody sleeps here");
            FUZZ_CHECK(sabq_wake(NULL, 1) == -EINVAL, "wake on NULL");
            break;
        case OP_SCRIBBLE:
            fuzz_scribble(&in, &reg);
            break;
        }
    }
    fuzz_region_free(&reg);
    return 0;
}
