/* sabq/wait.h — wait and wake on a 32-bit word in shared memory.
 *
 * The primitive every blocking sabq call is built on: Linux futex (shared, so it
 * works between processes), wasm memory.atomic.wait32/notify, or a portable
 * spin-yield-sleep fallback, chosen when the library is built.
 */
#ifndef SABQ_WAIT_H
#define SABQ_WAIT_H

#include <stdint.h>
#include "layout.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A timeout meaning "never time out". Timeouts are relative, in nanoseconds. */
#define SABQ_FOREVER UINT64_MAX

/* Wake every sleeper, for sabq_wake(). */
#define SABQ_WAKE_ALL UINT32_MAX

/* Monotonic clock in nanoseconds. Any thread. Never blocks. */
uint64_t sabq_now_ns(void);

/* Sleep while *word == expected, at most timeout_ns. `word` is any 32-bit
 * atomic (sabq_atomic_u32: `_Atomic uint32_t` in C, `std::atomic<uint32_t>`
 * in C++), in shared memory or not.
 * Any thread that may block. Returns 0 when woken or when *word no longer held
 * `expected` (wake-ups may be spurious: re-check your condition), -ETIMEDOUT
 * when the timeout passed, -EDEADLK on a thread that must not block (in an
 * emscripten build, the main browser thread — where a wait would freeze the
 * page or busy-wait — so run blocking code in a pthread, e.g. with
 * -sPROXY_TO_PTHREAD; every blocking ring call fails the same way there).
 * A timeout of 0 returns at once. */
int sabq_wait(sabq_atomic_u32 *word, uint32_t expected, uint64_t timeout_ns);

/* Wake up to `count` threads sleeping in sabq_wait() on `word` (SABQ_WAKE_ALL for
 * all), in this process or any other that maps the same memory. Any thread.
 * Returns how many were woken where the platform says (0 otherwise). */
int sabq_wake(sabq_atomic_u32 *word, uint32_t count);

/* --- Events: wait until a condition holds, without a wake per publish ------
 *
 * A waiter calls sabq_event_prepare(), re-checks its condition, then either
 * sabq_event_cancel() (condition now true) or sabq_event_wait(). A publisher
 * makes its change visible, then calls sabq_event_notify(), which costs one
 * load and no fence unless somebody sleeps. The ordering between the
 * publisher's store and its load of `waiters` is provided by an asymmetric
 * barrier: the waiter pays (a membarrier on Linux), the publisher does not.
 */

/* Set an event to its initial state. Call before the region is shared. */
void sabq_event_init(struct sabq_event *ev);

/* Announce a waiter. Returns the key for sabq_event_wait(). Any thread. */
uint32_t sabq_event_prepare(struct sabq_event *ev);

/* Withdraw an announcement made by sabq_event_prepare(). */
void sabq_event_cancel(struct sabq_event *ev);

/* Sleep until the event is notified after `key` was taken, or until the
 * absolute deadline (sabq_now_ns() clock; SABQ_FOREVER for none). Withdraws the
 * announcement. Returns 0 or -ETIMEDOUT. Blocks. */
int sabq_event_wait(struct sabq_event *ev, uint32_t key, uint64_t deadline_ns);

/* Wake every sleeper, but only if `waiters` says someone sleeps. Publisher side;
 * call after the store that makes the change visible. Never blocks. */
void sabq_event_notify(struct sabq_event *ev);

/* Wake every sleeper unconditionally (used by close). Never blocks. */
void sabq_event_wake_all(struct sabq_event *ev);

/* How many times a blocking call re-checks its condition before it parks.
 * Between re-checks it pauses the CPU, and every 64th time yields it
 * (sched_yield; not in wasm), so a peer queued on the same CPU gets to run.
 * Default SABQ_SPIN_DEFAULT (4000 pause instructions and tries: tens of
 * microseconds); 0 parks at once. Process-wide; any thread.
 *
 * Spinning pays when the other side runs on another CPU. With more busy
 * threads than CPUs it can be wasted: two busy SPSC pairs on two CPUs are at
 * times many times slower, depending on where the scheduler puts the four
 * threads (see it with `build/rel/stress --jobs 2 --filter 'stress/spsc*'`),
 * and a smaller spin helps there; many producers and consumers on one MPMC
 * queue want the long spin. */
#define SABQ_SPIN_DEFAULT 4000u
void sabq_set_spin(uint32_t iterations);
uint32_t sabq_get_spin(void);

/* Turns a relative timeout into an absolute deadline on sabq_now_ns()'s clock,
 * saturating at SABQ_FOREVER. */
uint64_t sabq_deadline(uint64_t timeout_ns);

#ifdef __cplusplus
}
#endif
#endif
