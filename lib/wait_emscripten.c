/* lib/wait_emscripten.c — wait backend for wasm32-emscripten with pthreads:
 * emscripten's futex (Atomics.wait/notify underneath) and the monotonic clock.
 * The main browser thread may not block: emscripten would turn a futex wait
 * there into a busy-wait, so waits refuse with -EDEADLK instead (and the
 * blocking ring calls return it before spinning, see sabq__os_may_block).
 */
#include <emscripten/threading.h>
#include <limits.h>
#include <time.h>
#include "internal.h"

/* wasm atomics are sequentially consistent: the publisher's compiler barrier
 * (sabq__barrier_light) already orders its index store before its waiters
 * load, so no full fence is needed. */
sabq_atomic_u32 sabq__need_fence = 0; /* declared in sabq/inline.h */

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
    if (emscripten_is_main_browser_thread())
        return -EDEADLK;
    double ms = 1.0 / 0.0; /* INFINITY: wait forever */
    if (deadline_ns != SABQ_FOREVER) {
        uint64_t now = sabq__os_now_ns();
        if (now >= deadline_ns)
            return -ETIMEDOUT;
        ms = (double)(deadline_ns - now) / 1e6;
    }
    int rc = emscripten_futex_wait((volatile void *)w, expected, ms);
    return rc == -ETIMEDOUT ? -ETIMEDOUT : 0; /* 0 woken, -EWOULDBLOCK changed */
}

int sabq__os_wake(_Atomic uint32_t *w, uint32_t n)
{
    int rc = emscripten_futex_wake((volatile void *)w, n > INT_MAX ? INT_MAX : (int)n);
    return rc < 0 ? 0 : rc;
}
