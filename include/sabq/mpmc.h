/* sabq/mpmc.h — bounded multi-producer multi-consumer queue.
 *
 * Fixed-size slots, each with a turn number (ticket): producers and consumers
 * claim tickets with one compare-and-swap and then own their slot, so any
 * number of each may call concurrently. Messages are copied in and out.
 */
#ifndef SABQ_MPMC_H
#define SABQ_MPMC_H

#include <stddef.h>
#include <stdint.h>
#include "layout.h"
#include "spsc.h" /* sabq_iov */

#ifdef __cplusplus
extern "C" {
#endif

/* Process-local handle, immutable after init/attach; share it freely. */
typedef struct sabq_mpmc {
    struct sabq_region *shm;
    uint8_t *slots;      /* shm + SABQ_DATA_OFFSET */
    uint32_t cap;        /* number of slots, a power of two */
    uint32_t mask;       /* cap - 1 */
    uint32_t msg_max;    /* payload bytes per slot */
    uint32_t stride;     /* bytes per slot: header + payload, rounded to 8 */
} sabq_mpmc;

/* Bytes per slot for a given payload size: 8 + msg_max rounded up to a
 * multiple of 8 (layout 4; layout 3 rounded to a cache line). 0 when msg_max
 * is 0 or above 2^24. */
uint32_t sabq_mpmc_stride(uint32_t msg_max);

/* Bytes of shared memory for `slots` slots of `msg_max` payload bytes; 0 if
 * invalid. */
size_t sabq_mpmc_size(uint32_t slots, uint32_t msg_max);

/* Lay out an empty queue. `slots` is a power of two from 2 to 2^30, msg_max from
 * 1 to 2^24, `mem` SABQ_ALIGN-aligned. Returns 0 or -EINVAL. */
int sabq_mpmc_init(sabq_mpmc *q, void *mem, size_t size, uint32_t slots, uint32_t msg_max);

/* Validate an existing queue's header and fill `q`. 0, -EINVAL or -EPROTO. */
int sabq_mpmc_attach(sabq_mpmc *q, void *mem, size_t size);

/* Copy one message in. Any thread; lock-free; never blocks. Returns 0,
 * -EAGAIN (full), -EMSGSIZE (len > msg_max), -EPIPE (closed), -EPROTO
 * (corrupt turn or index). */
int sabq_mpmc_push(const sabq_mpmc *q, const void *buf, uint32_t len);

/* Copy one message out. Any thread; lock-free; never blocks. Returns its length,
 * -EAGAIN (empty), -EMSGSIZE (longer than `cap`; it stays queued), -EPIPE
 * (closed and drained), -EPROTO (corrupt). */
int sabq_mpmc_pop(const sabq_mpmc *q, void *buf, uint32_t cap);

/* Push up to `n` messages with a single claim: as many consecutive free slots
 * as are there, in order. Any thread; never blocks. Returns how many (>= 1),
 * or a negative error if none (as push). */
int sabq_mpmc_push_bulk(const sabq_mpmc *q, const sabq_iov *msgs, uint32_t n);

/* Pop up to `n` messages with a single claim, into msgs[i].base (msgs[i].len
 * bytes; set to the message length). Every buffer must hold msg_max bytes.
 * Any thread; never blocks. Returns how many, or a negative error (as pop). */
int sabq_mpmc_pop_bulk(const sabq_mpmc *q, sabq_iov *msgs, uint32_t n);

/* Blocking forms: wait up to timeout_ns (spin, then park). Extra: -ETIMEDOUT,
 * and -EDEADLK on a thread that may not block (see sabq/wait.h). */
int sabq_mpmc_push_wait(const sabq_mpmc *q, const void *buf, uint32_t len, uint64_t timeout_ns);
int sabq_mpmc_pop_wait(const sabq_mpmc *q, void *buf, uint32_t cap, uint64_t timeout_ns);

/* Close: pushes fail with -EPIPE; pops drain, then get -EPIPE. Wakes every
 * waiter. Any thread; idempotent. A push racing with close may still land; one
 * that starts after close returned never does. */
void sabq_mpmc_close(const sabq_mpmc *q);

/* Non-zero once closed. */
int sabq_mpmc_is_closed(const sabq_mpmc *q);

/* Messages claimed by producers and not yet claimed by consumers, as seen now. */
uint32_t sabq_mpmc_used(const sabq_mpmc *q);

#ifdef __cplusplus
}
#endif
#endif
