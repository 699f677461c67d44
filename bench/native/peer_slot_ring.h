/* bench/native/peer_slot_ring.h — the strongest simple SPSC design as a peer:
 * a ring of fixed-size slots with cached indices, written here from the
 * published description of Erik Rigtorp's SPSCQueue (no code taken from it).
 *
 * - capacity + 1 slots, so "full" and "empty" differ without a counter;
 *   indices run 0..capacity and wrap by comparison (no power of two needed);
 * - the producer's index and its cached copy of the consumer's index share
 *   one padded cache line, the consumer's index and its cached copy of the
 *   producer's index another: a side reads the other's line only when its
 *   cache says full (producer) or empty (consumer);
 * - messages are copied in and out by value (compile-time size), as ck_ring's
 *   typed interface does.
 *
 * SLOT_RING_PROTOTYPE(name, type) defines slot_ring_push_NAME() and
 * slot_ring_pop_NAME() over a struct slot_ring whose slots hold `type`. */
#ifndef SABQ_BENCH_SLOT_RING_H
#define SABQ_BENCH_SLOT_RING_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

struct slot_ring {
    _Alignas(64) _Atomic uint32_t write_idx; /* producer line: written by the producer */
    uint32_t read_idx_cache;                 /* producer's last view of read_idx */
    _Alignas(64) _Atomic uint32_t read_idx;  /* consumer line: written by the consumer */
    uint32_t write_idx_cache;                /* consumer's last view of write_idx */
    _Alignas(64) uint32_t slots;             /* capacity + 1; read-only after init */
    void *buf;                               /* slots * sizeof(type), 64-byte aligned */
};

static inline void slot_ring_init(struct slot_ring *q, uint32_t capacity, void *buf)
{
    atomic_init(&q->write_idx, 0);
    atomic_init(&q->read_idx, 0);
    q->read_idx_cache = 0;
    q->write_idx_cache = 0;
    q->slots = capacity + 1;
    q->buf = buf;
}

#define SLOT_RING_PROTOTYPE(name, type)                                                           \
    static inline int slot_ring_push_##name(struct slot_ring *q, const type *m)                 \
    {                                                                                             \
        uint32_t w = atomic_load_explicit(&q->write_idx, memory_order_relaxed); /* own */         \
        uint32_t next = w + 1 == q->slots ? 0 : w + 1;                                            \
        if (next == q->read_idx_cache) {                                                          \
            /* acquire: the consumer is done with the slot before we overwrite it */             \
            q->read_idx_cache = atomic_load_explicit(&q->read_idx, memory_order_acquire);        \
            if (next == q->read_idx_cache)                                                        \
                return 0; /* full */                                                              \
        }                                                                                         \
        ((type *)q->buf)[w] = *m;                                                                 \
        /* release: the slot is written before the consumer sees the index */                    \
        atomic_store_explicit(&q->write_idx, next, memory_order_release);                         \
        return 1;                                                                                 \
    }                                                                                             \
    static inline int slot_ring_pop_##name(struct slot_ring *q, type *m)                        \
    {                                                                                             \
        uint32_t r = atomic_load_explicit(&q->read_idx, memory_order_relaxed); /* own */          \
        if (r == q->write_idx_cache) {                                                            \
            /* acquire: pairs with the producer's release; the slot is written */                 \
            q->write_idx_cache = atomic_load_explicit(&q->write_idx, memory_order_acquire);      \
            if (r == q->write_idx_cache)                                                          \
                return 0; /* empty */                                                             \
        }                                                                                         \
        *m = ((const type *)q->buf)[r];                                                           \
        /* release: our read of the slot is done before the producer reuses it */                \
        atomic_store_explicit(&q->read_idx, r + 1 == q->slots ? 0 : r + 1, memory_order_release); \
        return 1;                                                                                 \
    }

#endif
