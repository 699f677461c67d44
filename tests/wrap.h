/* tests/wrap.h — start a fresh ring's indices just below 2^32, as if that
 * many bytes or tickets had already passed, so that a test crosses the wrap
 * of the 32-bit indices within its first few laps. Call right after init,
 * before the region is shared. */
#ifndef SABQ_TEST_WRAP_H
#define SABQ_TEST_WRAP_H

#include <stdatomic.h>
#include <sabq/sabq.h>

/* SPSC: `laps` laps of the ring below 2^32 (a multiple of the capacity, so
 * the first record's spot is still the one init cleared). */
static inline void test_spsc_start_below_wrap(const sabq_spsc *r, uint32_t laps)
{
    uint32_t start = 0u - laps * r->cap;
    atomic_store(&r->shm->prod.head, start);
    r->shm->prod.tail_cache = start;
    atomic_store(&r->shm->cons.tail, start);
    r->shm->cons.head_cache = start;
    r->shm->cons.run_end = start; /* "no run", as a ring that got here would have it */
}

/* Pipe: `bytes` below 2^32 (any value: bytes have no alignment). */
static inline void test_pipe_start_below_wrap(const sabq_pipe *p, uint32_t bytes)
{
    uint32_t start = 0u - bytes;
    atomic_store(&p->shm->prod.head, start);
    p->shm->prod.tail_cache = start;
    atomic_store(&p->shm->cons.tail, start);
    p->shm->cons.head_cache = start;
}

/* MPMC: `tickets` below 2^32; each slot's turn moves with its ticket. */
static inline void test_mpmc_start_below_wrap(const sabq_mpmc *q, uint32_t tickets)
{
    uint32_t start = 0u - tickets;
    atomic_store(&q->shm->prod.head, start);
    atomic_store(&q->shm->cons.tail, start);
    for (uint32_t i = 0; i < q->cap; i++) {
        struct sabq_slot *slot =
            (struct sabq_slot *)(void *)(q->slots + (size_t)((start + i) & q->mask) * q->stride);
        atomic_store(&slot->turn, start + i);
    }
}

#endif
