/* tests/model/wait.pml — the wait protocol alone (lib/wait.c, lib/internal.h;
 * inlines in event.pml): waiters count themselves in `waiters`, re-check,
 * and park on `seq`; a publisher stores, then wakes only if `waiters` says
 * somebody sleeps. Properties:
 *   - no lost wake-up: every waiter returns once its condition holds (a
 *     waiter parked for ever is an invalid end state);
 *   - close ends every waiter, on both events (CLOSE);
 *   - the announcements balance: `waiters` is 0 once everybody returned.
 *
 * The asymmetric barrier is modelled as the ordering it guarantees, not as
 * membarrier: the publisher's store of the index sits in a store buffer
 * (x86-TSO: a store may pass a later load), so its load of `waiters` can
 * happen before the store is visible; the light barrier is only a compiler
 * barrier, so it drains nothing:
 *   @c include/sabq/inline.h sabq__barrier_light(): atomic_signal_fence(memory_order_seq_cst);
 * The waiter's heavy barrier (membarrier: a full barrier on every CPU of
 * every registered process) drains every store buffer:
 *   @c lib/wait_linux.c sabq__os_barrier_heavy(): syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0, 0) != 0) {
 * and the release RMW on seq drains the publisher's own (R2).
 *
 * Configurations: default, two publishes that two waiters wait for (a lost
 * wake-up is not masked by a close); -DCLOSE, no publisher: a closer, with a
 * waiter on each event.
 * Mutants (check.sh: each must be refuted with a trail):
 *   MUTANT_NO_RECHECK          the try after announcing is left out
 *   MUTANT_KEY_AFTER_RECHECK   the key is read after that try
 *   MUTANT_NO_HEAVY_BARRIER    the waiter's barrier drains nothing (F1 gone)
 *   MUTANT_WAKE_NO_RELEASE     seq is bumped before the publish is visible (R2 weakened)
 *   MUTANT_CLOSE_NO_WAKE       close sets the flag and wakes nobody
 *   MUTANT_NO_CANCEL           a waiter whose re-check succeeds keeps its count
 */

#define NPROC 6
#define NPUB 2

byte data;          /* the published index, as the waiters see it */
bool sb_full;       /* the publisher's store buffer: one store in flight */
byte sb_val;

inline drain() {
    atomic { if :: sb_full -> data = sb_val; sb_full = false :: else fi }
}

#ifndef MUTANT_NO_HEAVY_BARRIER
#define HEAVY_BARRIER drain();
#endif
#ifndef MUTANT_WAKE_NO_RELEASE
#define RELEASE_OWN_STORES if :: sb_full -> data = sb_val; sb_full = false :: else fi;
#endif

#include "event.pml"

byte want[NPROC];

inline waiter_try() {
    if
    :: data >= want[_pid] -> rc = 0
    :: else ->
       if
       :: closed -> rc = EPIPE
       :: else -> rc = EAGAIN
       fi
    fi
}

proctype Waiter(byte e; byte target) {
    byte key, rc;
    want[_pid] = target;
    WAIT_LOOP(e, waiter_try);
    assert((rc == 0 && data >= target) || (rc == EPIPE && closed))
}

/* Stores data = 1, 2, ... through its store buffer, then notifies. */
proctype Publisher() {
    byte k = 1;
    do
    :: k <= NPUB ->
       atomic { !sb_full -> sb_val = k; sb_full = true };
       notify(READABLE);
       k++
    :: else -> break
    od
}

/* The store buffer drains on its own, at any moment. */
active proctype Memory() {
end:
    do
    :: atomic { sb_full -> data = sb_val; sb_full = false }
    od
}

proctype Closer() {
    region_close()
}

init {
    atomic {
#ifdef CLOSE
        run Waiter(READABLE, 255);
        run Waiter(WRITABLE, 255);
        run Closer()
#else
        run Waiter(READABLE, 1);
        run Waiter(READABLE, NPUB);
        run Publisher()
#endif
    };
    _nr_pr == 2; /* everybody but Memory and init returned */
    assert(waiters[READABLE] == 0 && waiters[WRITABLE] == 0)
}
