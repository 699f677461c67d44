/* lib/internal.h — what the library's files share and users never see:
 * the wait-backend interface, the generic blocking loop and header helpers.
 */
#ifndef SABQ_INTERNAL_H
#define SABQ_INTERNAL_H

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include "sabq/layout.h"
#include "sabq/wait.h"

#define sabq__likely(x) __builtin_expect(!!(x), 1)
#define sabq__unlikely(x) __builtin_expect(!!(x), 0)

/* Tell the CPU we are spinning (frees the sibling hyperthread, saves power). */
static inline void sabq__cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Read a 32-bit word the peer may scribble on exactly once, so the value we
 * validate is the value we use (the compiler may not re-load it). */
static inline uint32_t sabq__read_once(const void *p)
{
    return __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED);
}

static inline uint32_t sabq__align8(uint32_t n) { return (n + 7u) & ~7u; }
static inline int sabq__is_pow2(uint32_t n) { return n && !(n & (n - 1)); }

/* --- Wait backend: one file per platform implements these ------------------ */

/* Make this process able to take part (Linux: register for membarrier).
 * Idempotent, thread-safe; called by every init and attach. */
void sabq__os_setup(void);
/* Sleep while *w == expected or until the absolute deadline. 0 or -ETIMEDOUT. */
int sabq__os_wait(_Atomic uint32_t *w, uint32_t expected, uint64_t deadline_ns);
/* Wake up to n sleepers on w. */
int sabq__os_wake(_Atomic uint32_t *w, uint32_t n);
/* The waiter's half of the asymmetric barrier (see sabq__barrier_light). */
void sabq__os_barrier_heavy(void);
uint64_t sabq__os_now_ns(void);

/* Set when the heavy barrier is not available: publishers then pay a full fence. */
extern _Atomic int sabq__need_fence;

/* The publisher's half of the asymmetric barrier: orders the store that
 * publishes (an index) before the load of a `waiters` word. When the waiter side
 * has a real heavy barrier (membarrier, which makes every CPU running a
 * registered process execute a full barrier), a compiler barrier is enough here;
 * otherwise this is a full fence. */
static inline void sabq__barrier_light(void)
{
    if (sabq__unlikely(atomic_load_explicit(&sabq__need_fence, memory_order_relaxed)))
        atomic_thread_fence(memory_order_seq_cst);
    else
        atomic_signal_fence(memory_order_seq_cst);
}

/* Publisher fast path: wake sleepers only if the waiters word says there are. */
static inline void sabq__notify(struct sabq_event *ev)
{
    sabq__barrier_light(); /* F1 (light side): pairs with F1 heavy in event_prepare */
    if (sabq__unlikely(atomic_load_explicit(&ev->waiters, memory_order_relaxed) != 0))
        sabq_event_wake_all(ev);
}

/* The one blocking loop behind every *_wait call: try; spin re-trying; then
 * announce, re-try, park; until try gives anything but -EAGAIN or the absolute
 * deadline (SABQ_FOREVER for none) passes (-ETIMEDOUT). */
typedef int (*sabq__try_fn)(void *ctx);
int sabq__await(struct sabq_event *ev, sabq__try_fn try_fn, void *ctx, uint64_t deadline_ns);

/* --- Header helpers shared by the ring kinds ------------------------------- */

/* Checks mem/size, zeroes the first SABQ_DATA_OFFSET bytes and fills the header
 * but its magic. -EINVAL if mem is NULL or misaligned, or size < total. */
int sabq__region_init(void *mem, size_t size, uint16_t kind, uint32_t cap,
                      uint32_t msg_max, uint32_t stride, uint64_t total);
/* Stores the magic (release): from here on, attach accepts the region. */
void sabq__region_publish(struct sabq_region *shm);

/* Reads the header once into *copy and checks magic, version, kind, data_off and
 * that total_size fits in `size`. 0, -EINVAL (arguments) or -EPROTO. */
int sabq__region_check(const void *mem, size_t size, uint16_t kind, struct sabq_hdr *copy);

/* Set the closed flag and wake both sides. */
void sabq__region_close(struct sabq_region *shm);
int sabq__region_is_closed(const struct sabq_region *shm);

#endif
