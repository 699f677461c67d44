/* sabq/inline.h — what the headers' inline fast paths share with the library.
 *
 * Not an interface of its own: names with two underscores are sabq's
 * internals. They are in a public header because the common case of a send
 * and a receive (sabq/spsc.h) is compiled into the caller, where a call into
 * the library would cost more than the work (docs/layout.md, "Inline fast
 * paths"); the library uses the same definitions, so there is one copy of
 * each. Written in the common subset of C11 and C++11 (see layout.h).
 */
#ifndef SABQ_INLINE_H
#define SABQ_INLINE_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "layout.h"
#include "wait.h"

#ifdef __cplusplus
extern "C" {
#endif

#define sabq__likely(x) __builtin_expect(!!(x), 1)
#define sabq__unlikely(x) __builtin_expect(!!(x), 0)

/* Non-zero when the heavy barrier is not available, so publishers must pay a
 * full fence (lib/wait_*.c set it once, when a process first uses sabq).
 * Backends without linear-memory state (sabq.wasm owns no byte of the memory
 * it runs in) define SABQ__NO_STATE and have a constant here. */
#if defined(__wasm__) && !defined(__EMSCRIPTEN__)
#define SABQ__NO_STATE 1
static inline int sabq__need_fence_now(void) { return 0; } /* wasm atomics are SC */
#else
extern sabq_atomic_u32 sabq__need_fence;
static inline int sabq__need_fence_now(void)
{
    return atomic_load_explicit(&sabq__need_fence, memory_order_relaxed) != 0;
}
#endif

/* The publisher's half of the asymmetric barrier: orders the store that
 * publishes (an index) before the load of a `waiters` word. When the waiter side
 * has a real heavy barrier (membarrier, which makes every CPU running a
 * registered process execute a full barrier), a compiler barrier is enough here;
 * otherwise this is a full fence. */
static inline void sabq__barrier_light(void)
{
    if (sabq__unlikely(sabq__need_fence_now()))
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

/* What a header fast path returns when the library must decide (the common
 * case does not hold); never a result of a public call. */
#define SABQ__DECLINE (-0x7fffffff - 1)

/* Payload copies. Up to SABQ__COPY_INLINE bytes: two possibly overlapping
 * fixed-size moves, which compile to plain loads and stores with no call (a
 * call to memcpy cost more than the copy: perf, 16% of an 8-byte SPSC
 * exchange). In-line 16-byte moves up to 64 bytes were tried and measured
 * slower at 64 bytes (0.49-0.79x in interleaved runs on one machine, 1.34x
 * on another day): docs/layout.md "Copies". */
#define SABQ__COPY_INLINE 16u

/* Copy len <= SABQ__COPY_INLINE bytes. */
static inline __attribute__((always_inline)) void sabq__copy_short(uint8_t *d, const uint8_t *s,
                                                                   uint32_t len)
{
    if (len >= 8) {
        uint64_t a, b;
        memcpy(&a, s, 8);
        memcpy(&b, s + len - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + len - 8, &b, 8);
    } else if (len >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + len - 4, 4);
        memcpy(d, &a, 4);
        memcpy(d + len - 4, &b, 4);
    } else if (len > 0) {
        d[0] = s[0];
        d[len / 2] = s[len / 2];
        d[len - 1] = s[len - 1];
    }
}

/* Longer payloads. On x86-64, from 512 bytes on, `rep movsb`: its microcode
 * keeps more line fills in flight than glibc's vector loop when the source
 * lines sit in the other core's cache, as every payload a consumer reads
 * does. Elsewhere, and below that, memcpy. */
#define SABQ__COPY_STRING 512u
/* Sanitizers do not see inside asm: under them the copy stays memcpy, which
 * they check (and TSan sees the payload reads it must order). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SABQ__SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) ||                         \
    __has_feature(memory_sanitizer)
#define SABQ__SANITIZED 1
#endif
#endif

static inline __attribute__((always_inline)) void sabq__copy_long(uint8_t *d, const uint8_t *s,
                                                                  uint32_t len)
{
#if defined(__x86_64__) && !defined(SABQ__SANITIZED)
    if (len >= SABQ__COPY_STRING) {
        size_t n = len;
        __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
        return;
    }
#endif
    memcpy(d, s, len);
}

/* Copy a payload of any length. */
static inline __attribute__((always_inline)) void sabq__copy(void *__restrict dst,
                                                             const void *__restrict src,
                                                             uint32_t len)
{
    if (len > SABQ__COPY_INLINE)
        sabq__copy_long((uint8_t *)dst, (const uint8_t *)src, len);
    else
        sabq__copy_short((uint8_t *)dst, (const uint8_t *)src, len);
}

/* Non-zero once closed. Inline: a polling consumer asks on every empty try.
 * acquire: pairs with the close RMW, so what was published before it is seen. */
static inline int sabq__region_is_closed(const struct sabq_region *shm)
{
    return (atomic_load_explicit(&shm->hdr.closed, memory_order_acquire) & SABQ_CLOSED) != 0;
}

#ifdef __cplusplus
}
#endif
#endif
