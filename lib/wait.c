/* lib/wait.c — the platform-independent half of waiting: events (waiters word +
 * sequence word), the spin-then-park loop, deadlines. The platform half is in
 * wait_linux.c, wait_wasm.c or wait_fallback.c.
 */
#include "internal.h"

#ifdef SABQ__NO_STATE
/* sabq.wasm keeps no variable in the memory it is given: the spin is fixed
 * (the JavaScript binding spins in JavaScript, where it is tunable). */
void sabq_set_spin(uint32_t iterations) { (void)iterations; }
uint32_t sabq_get_spin(void) { return SABQ_SPIN_DEFAULT; }
#else
/* Stored as spins + 1 so that the zero-initialised state means "default"
 * (a zero-initialised variable needs no data segment). */
static _Atomic uint32_t spin_plus_one;

void sabq_set_spin(uint32_t iterations)
{
    atomic_store_explicit(&spin_plus_one, iterations == UINT32_MAX ? iterations : iterations + 1,
                          memory_order_relaxed);
}

uint32_t sabq_get_spin(void)
{
    uint32_t v = atomic_load_explicit(&spin_plus_one, memory_order_relaxed);
    return v == 0 ? SABQ_SPIN_DEFAULT : v - 1;
}
#endif

uint64_t sabq_now_ns(void) { return sabq__os_now_ns(); }

uint64_t sabq_deadline(uint64_t timeout_ns)
{
    if (timeout_ns == SABQ_FOREVER)
        return SABQ_FOREVER; /* no clock read: waits without a timeout are common */
    uint64_t now = sabq__os_now_ns();
    if (timeout_ns >= SABQ_FOREVER - now)
        return SABQ_FOREVER;
    return now + timeout_ns;
}

int sabq_wait(sabq_atomic_u32 *word, uint32_t expected, uint64_t timeout_ns)
{
    if (!word)
        return -EINVAL;
    if (timeout_ns == 0)
        return atomic_load_explicit(word, memory_order_acquire) == expected ? -ETIMEDOUT : 0;
    return sabq__os_wait(word, expected, sabq_deadline(timeout_ns));
}

int sabq_wake(sabq_atomic_u32 *word, uint32_t count)
{
    if (!word)
        return -EINVAL;
    return sabq__os_wake(word, count);
}

void sabq_event_init(struct sabq_event *ev)
{
    atomic_store_explicit(&ev->seq, 0, memory_order_relaxed);
    atomic_store_explicit(&ev->waiters, 0, memory_order_relaxed);
}

uint32_t sabq_event_prepare(struct sabq_event *ev)
{
    atomic_fetch_add_explicit(&ev->waiters, 1, memory_order_relaxed);
    /* F1 (heavy side): after this, either the publisher's index store is visible
     * to our re-check, or its later load of `waiters` sees our increment. */
    sabq__os_barrier_heavy();
    /* A2: pairs with R2 in wake_all: a bump we see here happened after the
     * publish it announces, so the caller's re-check sees that publish. */
    return atomic_load_explicit(&ev->seq, memory_order_acquire);
}

void sabq_event_cancel(struct sabq_event *ev)
{
    atomic_fetch_sub_explicit(&ev->waiters, 1, memory_order_relaxed);
}

int sabq_event_wait(struct sabq_event *ev, uint32_t key, uint64_t deadline_ns)
{
    int rc = 0;
    /* The kernel compares seq with key atomically with going to sleep, so a
     * bump between prepare and here makes the wait return at once. */
    while (atomic_load_explicit(&ev->seq, memory_order_acquire) == key) {
        rc = sabq__os_wait(&ev->seq, key, deadline_ns);
        if (rc == -ETIMEDOUT || rc == -EDEADLK)
            break;
    }
    atomic_fetch_sub_explicit(&ev->waiters, 1, memory_order_relaxed);
    return rc == -ETIMEDOUT || rc == -EDEADLK ? rc : 0;
}

void sabq_event_notify(struct sabq_event *ev) { sabq__notify(ev); }

void sabq_event_wake_all(struct sabq_event *ev)
{
    /* R2: release, so a waiter that sees the new seq also sees what we published. */
    atomic_fetch_add_explicit(&ev->seq, 1, memory_order_release);
    sabq__os_wake(&ev->seq, SABQ_WAKE_ALL);
}
