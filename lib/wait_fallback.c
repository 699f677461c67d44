/* lib/wait_fallback.c — portable wait backend for systems without a futex:
 * waiters poll the word with a backoff of pause, yield and short sleeps, so a
 * wake is never needed and an idle waiter costs little CPU. Publishers fence.
 */
#define _POSIX_C_SOURCE 200809L
#include <sched.h>
#include <time.h>
#include "internal.h"

sabq_atomic_u32 sabq__need_fence = 1; /* no heavy barrier here: publishers fence */

void sabq__os_setup(void) {}

void sabq__os_barrier_heavy(void) { atomic_thread_fence(memory_order_seq_cst); }

uint64_t sabq__os_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int sabq__os_wait(_Atomic uint32_t *w, uint32_t expected, uint64_t deadline_ns)
{
    uint64_t nap = 1000; /* ns; doubles up to 1 ms */
    for (unsigned i = 0;; i++) {
        if (atomic_load_explicit(w, memory_order_acquire) != expected)
            return 0;
        uint64_t now = sabq__os_now_ns();
        if (now >= deadline_ns)
            return -ETIMEDOUT;
        if (i < 64) {
            sabq__cpu_relax();
        } else if (i < 128) {
            sched_yield();
        } else {
            uint64_t left = deadline_ns - now;
            struct timespec ts = {0, (long)(nap < left ? nap : left)};
            nanosleep(&ts, NULL);
            if (nap < 1000000)
                nap *= 2;
        }
    }
}

int sabq__os_wake(_Atomic uint32_t *w, uint32_t n)
{
    (void)w;
    (void)n;
    return 0; /* pollers see the change by themselves */
}
