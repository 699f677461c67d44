/* tests/cpp/inline_subset.h — a fast path written the way header code must be
 * (see include/sabq/layout.h): C11 atomic calls on the shared fields, in the
 * common subset of C11 and C++11. `make test-cpp` compiles it as C and as
 * C++11..23 with every compiler, so the promise that such code builds in both
 * languages, with the same meaning, is checked before a header relies on it. */
#ifndef SABQ_TEST_INLINE_SUBSET_H
#define SABQ_TEST_INLINE_SUBSET_H

#include <sabq/sabq.h>

#ifdef __cplusplus
extern "C" {
#endif

/* sabq_spsc_used() again, inline: both indices with acquire (pairs with the
 * release stores of head and tail), and the close flag read and set the way
 * lib/ does. */
static inline uint32_t sabq_test_used_inline(const sabq_spsc *r)
{
    uint32_t tail = atomic_load_explicit(&r->shm->cons.tail, memory_order_acquire);
    uint32_t head = atomic_load_explicit(&r->shm->prod.head, memory_order_acquire);
    uint32_t used = head - tail;
    return used > r->cap ? r->cap : used;
}

static inline int sabq_test_close_inline(const sabq_spsc *r)
{
    uint32_t was = atomic_fetch_or_explicit(&r->shm->hdr.closed, SABQ_CLOSED, memory_order_seq_cst);
    atomic_thread_fence(memory_order_seq_cst);
    return (was & SABQ_CLOSED) != 0;
}

#ifdef __cplusplus
}
#endif
#endif
