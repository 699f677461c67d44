/* lib/wait_wasm.c — wait backend for the freestanding sabq.wasm: wasm's own
 * memory.atomic.wait32/notify, and the host's clock through one import.
 * Every wasm atomic is sequentially consistent, so the asymmetric barrier needs
 * nothing on either side beyond a fence. No variable lives in linear memory.
 */
#include <string.h>
#include "internal.h"

/* Monotonic nanoseconds from the host (the JS binding passes performance.now). */
__attribute__((import_module("env"), import_name("sabq_now_ns"))) uint64_t sabq_host_now_ns(void);

void sabq__os_setup(void) {}

void sabq__os_barrier_heavy(void) { atomic_thread_fence(memory_order_seq_cst); }

uint64_t sabq__os_now_ns(void) { return sabq_host_now_ns(); }

int sabq__os_wait(_Atomic uint32_t *w, uint32_t expected, uint64_t deadline_ns)
{
    int64_t rel = -1; /* forever */
    if (deadline_ns != SABQ_FOREVER) {
        uint64_t now = sabq_host_now_ns();
        if (now >= deadline_ns)
            return -ETIMEDOUT;
        rel = (int64_t)(deadline_ns - now);
    }
    /* Traps on a thread that may not block (the browser main thread): the JS
     * binding refuses blocking calls there before they reach this point. */
    int r = __builtin_wasm_memory_atomic_wait32((int32_t *)w, (int32_t)expected, rel);
    return r == 2 ? -ETIMEDOUT : 0; /* 0 woken, 1 not-equal, 2 timed out */
}

int sabq__os_wake(_Atomic uint32_t *w, uint32_t n)
{
    return (int)__builtin_wasm_memory_atomic_notify((int32_t *)w, n);
}

/* With -mbulk-memory these become memory.copy and memory.fill. */
void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    __builtin_memcpy(dst, src, n);
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    __builtin_memset(dst, c, n);
    return dst;
}
