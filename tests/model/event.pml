/* tests/model/event.pml — the wait protocol every blocking sabq call uses,
 * as Promela inlines shared by the ring models (wait.pml, pipe.pml, mpmc.pml,
 * spsc.pml, spsc_fixed.pml). A model defines NPROC (processes it runs) before including this.
 *
 * What is modelled, with the C it stands for (check.sh fails when a quoted
 * fragment no longer appears in the named function, in the order quoted, so
 * a model cannot drift from the code it claims to model unnoticed):
 *
 *   event_prepare  @c lib/wait.c sabq_event_prepare(): atomic_fetch_add_explicit(&ev->waiters, 1, memory_order_relaxed);
 *                  @c lib/wait.c sabq_event_prepare(): sabq__os_barrier_heavy();
 *                  @c lib/wait.c sabq_event_prepare(): return atomic_load_explicit(&ev->seq, memory_order_acquire);
 *   event_cancel   @c lib/wait.c sabq_event_cancel(): atomic_fetch_sub_explicit(&ev->waiters, 1, memory_order_relaxed);
 *   event_wait     @c lib/wait.c sabq_event_wait(): while (atomic_load_explicit(&ev->seq, memory_order_acquire) == key) {
 *                  @c lib/wait.c sabq_event_wait(): rc = sabq__os_wait(&ev->seq, key, deadline_ns);
 *                  (the futex compares and sleeps as one step: FUTEX_WAIT_BITSET)
 *                  @c lib/wait_linux.c sabq__os_wait(): long rc = syscall(SYS_futex, (uint32_t *)w, FUTEX_WAIT_BITSET, expected, tsp, NULL,
 *   event_wake_all @c lib/wait.c sabq_event_wake_all(): atomic_fetch_add_explicit(&ev->seq, 1, memory_order_release);
 *                  @c lib/wait.c sabq_event_wake_all(): sabq__os_wake(&ev->seq, SABQ_WAKE_ALL);
 *   notify         @c include/sabq/inline.h sabq__notify(): static inline void sabq__notify(struct sabq_event *ev)
 *                  @c include/sabq/inline.h sabq__notify(): sabq__barrier_light();
 *                  @c include/sabq/inline.h sabq__notify(): if (sabq__unlikely(atomic_load_explicit(&ev->waiters, memory_order_relaxed) != 0))
 *   region_close   @c lib/region.c sabq__region_close(): atomic_fetch_or_explicit(&shm->hdr.closed, SABQ_CLOSED, memory_order_seq_cst);
 *                  @c lib/region.c sabq__region_close(): sabq_event_wake_all(&shm->wait.readable);
 *                  @c lib/region.c sabq__region_close(): sabq_event_wake_all(&shm->wait.writable);
 *   WAIT_LOOP      the blocking loop written out at every *_wait call site:
 *                  @c lib/internal.h sabq__wait_step(): w->key = sabq_event_prepare(ev);
 *                  @c lib/internal.h sabq__wait_step(): w->phase = SABQ__ANNOUNCED;
 *                  @c lib/internal.h sabq__wait_step(): switch (sabq_event_wait(ev, w->key, w->deadline)) {
 *                  @c lib/internal.h sabq__wait_end(): if (w->phase == SABQ__ANNOUNCED)
 *                  @c lib/internal.h sabq__wait_end(): sabq_event_cancel(ev);
 *
 * Not modelled: deadlines (every wait here is SABQ_FOREVER, so a lost wake-up
 * is a process blocked for ever, which SPIN reports as an invalid end state,
 * instead of a delay that a timed wait would hide); seq wrapping all the way
 * round (2^32 wakes between a waiter's key and its futex call).
 *
 * Memory model: the ring models run under sequential consistency, which is
 * what the asymmetric barrier F1 provides between a publisher's index store
 * and its load of `waiters` against a waiter's `waiters += 1` and re-check.
 * wait.pml checks that claim itself, with a store buffer for the publisher.
 */

#define READABLE 0
#define WRITABLE 1
#define NEV 2

/* Results, as the C returns them (negative errno values). */
#define EAGAIN 11
#define EPIPE 32
#define EPROTO 71

byte seq[NEV];          /* struct sabq_event.seq: the futex word */
byte waiters[NEV];      /* struct sabq_event.waiters */
byte parked[NPROC];     /* 0, or e + 1 while process _pid sleeps in the futex of event e */
bool closed;            /* sabq_hdr.closed */

/* The waiter's heavy barrier, with the `;` that follows it. A model with
 * store buffers defines it to drain them (membarrier runs a full barrier on
 * every CPU); under SC it is nothing at all (not even a step). */
#ifndef HEAVY_BARRIER
#define HEAVY_BARRIER
#endif
/* What a release RMW on seq does first: make this process's earlier stores
 * visible. Nothing under SC. */
#ifndef RELEASE_OWN_STORES
#define RELEASE_OWN_STORES
#endif

inline event_prepare(e, key) {
    waiters[e]++;
    HEAVY_BARRIER
    key = seq[e]
}

inline event_cancel(e) {
#ifndef MUTANT_NO_CANCEL
    waiters[e]--
#else
    skip
#endif
}

/* Sleep while seq == key: the kernel compares and parks in one step. A wake
 * clears parked[]; the loop re-reads seq as the C does. */
inline event_wait(e, key) {
    do
    :: atomic { seq[e] == key -> parked[_pid] = e + 1 };
       parked[_pid] == 0
    :: seq[e] != key -> break
    od;
    waiters[e]--
}

byte wake_i; /* scratch for the futex wake, always back to 0 */

inline event_wake_all(e) {
    d_step {
        RELEASE_OWN_STORES
        seq[e] = seq[e] + 1
    };
    d_step { /* the futex wake: every sleeper on seq */
        wake_i = 0;
        do
        :: wake_i < NPROC ->
           if
           :: parked[wake_i] == e + 1 -> parked[wake_i] = 0
           :: else
           fi;
           wake_i++
        :: else -> break
        od;
        wake_i = 0
    }
}

inline notify(e) {
    if
    :: waiters[e] != 0 -> event_wake_all(e)
    :: else
    fi
}

inline region_close() {
#ifdef MUTANT_CLOSE_NO_WAKE
    closed = true
#else
    closed = true;
    event_wake_all(READABLE);
    event_wake_all(WRITABLE)
#endif
}

/* The blocking loop behind every *_wait call, for a non-blocking try TRY()
 * that sets `rc` (EAGAIN: try again). Declares nothing: the calling process
 * has `byte key, rc`. The spin (tries before announcing) is left out: a try
 * that fails changes only the caller's private cache of the peer's index,
 * and one that succeeds while spinning is the same as a first try made that
 * much later, which SPIN explores anyway. So this is the loop with spin 0,
 * which parks as early as the protocol allows.
 *
 * MUTANT_NO_RECHECK: the try after announcing is left out.
 * MUTANT_KEY_AFTER_RECHECK: the key is read after that try, not before.
 * MUTANT_NO_CANCEL: a waiter whose re-check succeeds keeps its count. */
#ifdef MUTANT_KEY_AFTER_RECHECK
#define PREPARE_AND_RECHECK(e, TRY)                                           \
    waiters[e]++; HEAVY_BARRIER                                               \
    TRY();                                                                    \
    if :: rc != EAGAIN -> event_cancel(e); goto wait_done_##TRY :: else fi;  \
    key = seq[e]
#elif defined(MUTANT_NO_RECHECK)
#define PREPARE_AND_RECHECK(e, TRY) event_prepare(e, key)
#else
#define PREPARE_AND_RECHECK(e, TRY)                                           \
    event_prepare(e, key);                                                    \
    TRY();                                                                    \
    if :: rc != EAGAIN -> event_cancel(e); goto wait_done_##TRY :: else fi
#endif

#define WAIT_LOOP(e, TRY)                                                     \
wait_retry_##TRY:                                                             \
    TRY();                                                                    \
    if :: rc != EAGAIN -> goto wait_done_##TRY :: else fi;                    \
    PREPARE_AND_RECHECK(e, TRY);                                              \
    event_wait(e, key);                                                       \
    goto wait_retry_##TRY;                                                    \
wait_done_##TRY: skip
