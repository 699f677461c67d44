/* sabq/spsc.h — single-producer single-consumer message ring.
 *
 * Variable-length messages, each contiguous in the ring so both sides can work
 * in place: the producer reserves space and commits it, the consumer peeks at a
 * message and releases it. Copying helpers and batch forms sit on top.
 * Exactly one thread (or process) produces and one consumes at a time.
 *
 * A ring laid out by sabq_spsc_init_fixed() holds messages of one length
 * chosen at init, in slots with no header, and takes the same calls: for
 * small messages sent one at a time it moves as few cache lines as a plain
 * slot ring (docs/layout.md, "SPSC fixed-size ring").
 */
#ifndef SABQ_SPSC_H
#define SABQ_SPSC_H

#include <stddef.h>
#include <stdint.h>
#include "layout.h"
#include "inline.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Process-local handle. Filled by init or attach from a validated header and
 * never changed afterwards, so the producer and the consumer may share one. */
typedef struct sabq_spsc {
    struct sabq_region *shm; /* start of the shared region */
    uint8_t *data;           /* shm + SABQ_DATA_OFFSET */
    uint32_t cap;            /* data bytes (fixed ring: slots), a power of two */
    uint32_t mask;           /* cap - 1 */
    uint32_t msg_max;        /* largest payload (fixed ring: every message's length) */
    uint32_t stride;         /* fixed ring: bytes per slot; 0: variable-length records */
} sabq_spsc;

/* A reservation: where to write, and what commit needs. Caller-owned. */
typedef struct sabq_spsc_resv {
    void *data;        /* payload space, 8-byte aligned (4 in a fixed ring of 4-byte slots) */
    uint32_t len;      /* bytes reserved */
    uint32_t head;     /* head when reserved */
    uint32_t skip;     /* bytes of padding before the record (wrap) */
} sabq_spsc_resv;

/* A message seen by the consumer, valid until released. */
typedef struct sabq_spsc_view {
    const void *data;  /* payload, 8-byte aligned (4 in a fixed ring of 4-byte slots) */
    uint32_t len;      /* payload bytes */
    uint32_t next;     /* tail after this message */
    uint32_t run_end;  /* end of the batch run it belongs to (== next if none) */
    uint32_t run_len;  /* that run's message length while more of it follows, else 0 */
} sabq_spsc_view;

/* A buffer for the batch forms: `base`/`len` describe a message to send, or a
 * buffer of `len` bytes to receive into (on return, `len` is the message's). */
typedef struct sabq_iov {
    void *base;
    uint32_t len;
} sabq_iov;

/* Bytes of shared memory a ring of `cap` data bytes needs (header included);
 * 0 if cap is invalid. */
size_t sabq_spsc_size(uint32_t cap);

/* Largest msg_max allowed for a ring of `cap` data bytes: cap/2 - 8. */
uint32_t sabq_spsc_msg_limit(uint32_t cap);

/* Lay out a new empty ring in `mem` (SABQ_ALIGN-aligned, `size` bytes) and fill
 * `r`. The ring holds records of 8-byte header + payload rounded up to 8
 * (docs/layout.md, "SPSC message ring"). `cap` is a power of two from 16 to 2^30 (SABQ_CAP_MAX); `msg_max` at most
 * sabq_spsc_msg_limit(cap), or 0 for that limit. Call before sharing the memory.
 * Returns 0, or -EINVAL for a bad argument, alignment or too small a region. */
int sabq_spsc_init(sabq_spsc *r, void *mem, size_t size, uint32_t cap, uint32_t msg_max);

/* Bytes of one slot of a fixed ring of `msg_len`-byte messages: msg_len
 * rounded up to 8, or 4 for messages of 1 to 4 bytes; 0 if msg_len is 0 or
 * above SABQ_FIXED_MSG_MAX. */
uint32_t sabq_spsc_fixed_stride(uint32_t msg_len);
#define SABQ_FIXED_MSG_MAX (1u << 20) /* longest message of a fixed ring */

/* Bytes of shared memory a fixed ring of `slots` messages of `msg_len` bytes
 * needs (header included); 0 if the arguments are invalid (slots not a power
 * of two from 2 to 2^30, msg_len 0 or above SABQ_FIXED_MSG_MAX, or the whole
 * above 4 GiB - 1). */
size_t sabq_spsc_fixed_size(uint32_t slots, uint32_t msg_len);

/* Lay out a new empty fixed ring in `mem` (SABQ_ALIGN-aligned, `size` bytes)
 * and fill `r`: `slots` messages of exactly `msg_len` bytes each, in slots of
 * sabq_spsc_fixed_stride(msg_len) bytes with no header. Every sabq_spsc_*
 * call works on it, with these differences: a message of another length is
 * refused (-EMSGSIZE longer, -EINVAL shorter; a batch stops before it), a
 * commit must give msg_len, and sabq_spsc_used() counts whole slots. The
 * consumer learns of messages from the producer's head, not from seals, so a
 * consumer that waits for each message moves two cache lines per message
 * where the variable-length ring moves one (docs/layout.md has the model).
 * Returns 0, or -EINVAL for a bad argument, alignment or too small a region. */
int sabq_spsc_init_fixed(sabq_spsc *r, void *mem, size_t size, uint32_t slots, uint32_t msg_len);

/* Fill `r` from a ring someone else laid out in `mem` (by sabq_spsc_init or
 * sabq_spsc_init_fixed). Validates the header once: -EINVAL for bad
 * arguments, -EPROTO for a header that is not a valid SPSC ring fitting in
 * `size` bytes. A producer that attaches after another
 * one died mid-send continues after the records it had sealed (attach moves
 * head past them), so nothing the consumer can see is overwritten. */
int sabq_spsc_attach(sabq_spsc *r, void *mem, size_t size);

/* --- Producer side ------------------------------------------------------- */

/* Reserve room for a message of `len` bytes. Producer only; never blocks.
 * Nothing is visible to the consumer until sabq_spsc_commit().
 * Returns 0, -EAGAIN (full), -EMSGSIZE (len > msg_max), -EPIPE (closed),
 * -EPROTO (the consumer's index is corrupt). */
int sabq_spsc_reserve(const sabq_spsc *r, uint32_t len, sabq_spsc_resv *resv);

/* Publish a reserved message of `len` <= resv->len bytes and wake a sleeping
 * consumer. Producer only; never blocks. Returns 0 or -EINVAL (len too big). */
int sabq_spsc_commit(const sabq_spsc *r, const sabq_spsc_resv *resv, uint32_t len);

/* Copy one message in. Producer only; never blocks. Errors as reserve. */
int sabq_spsc_send(const sabq_spsc *r, const void *buf, uint32_t len);

/* Copy in as many of the `n` messages as fit, in order, with one publish and at
 * most one wake. Three or more consecutive messages of the same length (at
 * least 1 byte) go into one run record: one header for all of them, so a batch
 * of 8-byte messages takes about 8 bytes of ring per message instead of 16.
 * The consumer receives them one by one as usual. Producer only; never blocks.
 * Returns how many were sent (0 to n), or a negative error if none were (as
 * reserve). */
int sabq_spsc_send_batch(const sabq_spsc *r, const sabq_iov *msgs, uint32_t n);

/* Like sabq_spsc_send(), waiting up to timeout_ns for room (spins, then parks).
 * Producer only; blocks. Extra errors: -ETIMEDOUT;
 * -EDEADLK on a thread that may not block (see sabq/wait.h). */
int sabq_spsc_send_wait(const sabq_spsc *r, const void *buf, uint32_t len,
                        uint64_t timeout_ns);

/* --- Consumer side ------------------------------------------------------- */

/* Look at the oldest message without removing it. Consumer only; never blocks.
 * Returns its length (>= 0), -EAGAIN (empty), -EPIPE (closed and drained),
 * -EPROTO (corrupt index or record). */
int sabq_spsc_peek(const sabq_spsc *r, sabq_spsc_view *view);

/* Look at the message after `view` (from a peek or peek_next) without releasing
 * anything, so a batch can be read in place and released with one call.
 * Consumer only; never blocks. Same returns as peek. */
int sabq_spsc_peek_next(const sabq_spsc *r, sabq_spsc_view *view);

/* Remove every message up to and including `view`, making room for the
 * producer, and wake it if it sleeps. Consumer only; never blocks. */
void sabq_spsc_release(const sabq_spsc *r, const sabq_spsc_view *view);

/* Copy the oldest message out and remove it. Consumer only; never blocks.
 * Returns its length, or -EMSGSIZE when it is longer than `cap` (the message
 * stays in the ring), or as peek. */
int sabq_spsc_recv(const sabq_spsc *r, void *buf, uint32_t cap);

/* Copy out up to `n` messages into msgs[i].base (msgs[i].len bytes each; set to
 * the message length on return), releasing them with one store and at most one
 * wake. Stops early at a message longer than its buffer (it stays).
 * Consumer only; never blocks. Returns how many were received, or a negative
 * error if none were (as recv). */
int sabq_spsc_recv_batch(const sabq_spsc *r, sabq_iov *msgs, uint32_t n);

/* Like sabq_spsc_recv(), waiting up to timeout_ns for a message (spins, then
 * parks). Consumer only; blocks. Extra errors: -ETIMEDOUT;
 * -EDEADLK on a thread that may not block (see sabq/wait.h). */
int sabq_spsc_recv_wait(const sabq_spsc *r, void *buf, uint32_t cap, uint64_t timeout_ns);

/* Like sabq_spsc_peek(), waiting up to timeout_ns. Consumer only; blocks. */
int sabq_spsc_peek_wait(const sabq_spsc *r, sabq_spsc_view *view, uint64_t timeout_ns);

/* --- Either side ---------------------------------------------------------- */

/* Close the ring and wake every waiter. Afterwards sends fail with -EPIPE;
 * the consumer drains what was committed (and any record a producer that died
 * mid-send had sealed), then gets -EPIPE. Idempotent. Any thread; never
 * blocks. */
void sabq_spsc_close(const sabq_spsc *r);

/* Non-zero once the ring is closed. Any thread. */
int sabq_spsc_is_closed(const sabq_spsc *r);

/* Bytes currently queued (records and padding; a fixed ring: messages times
 * the stride), as seen now. Any thread. */
uint32_t sabq_spsc_used(const sabq_spsc *r);

/* --- In line: the common case of send and receive ---------------------------
 * sabq_spsc_send() and sabq_spsc_recv() are macros for the functions below,
 * which do the common case in the caller and call the library for the rest:
 * a message of at most SABQ__COPY_INLINE (16) bytes sent with room by the
 * tail the producer has cached, and a message received that is ready (any
 * length in the record form; at most 16 bytes in a fixed ring, by the head
 * the consumer has cached). Inside a caller's loop that takes a fraction of
 * the instructions of a library call (docs/layout.md, "Inline fast paths").
 * The library's own functions run the same code first, so the result is the
 * same either way. Define SABQ_NO_INLINE before including sabq to call the
 * library for every message; `(sabq_spsc_send)(...)` or a pointer to it
 * calls the library too.
 *
 * Each sabq__*_short function returns what the public call would, or
 * SABQ__DECLINE, having changed nothing, when the library must decide. */

/* Bytes of ring a record of a `len`-byte payload takes: header + payload
 * rounded up to 8. The library's and the inline paths' one definition. */
static inline uint32_t sabq__rec_size(uint32_t len) { return SABQ_REC_HDR + ((len + 7u) & ~7u); }

/* A fixed ring's slot for position `pos`: any value maps inside the area. */
static inline uint8_t *sabq__fixed_slot(const sabq_spsc *r, uint32_t pos)
{
    return r->data + (size_t)(pos & r->mask) * r->stride;
}

/* Record form, send: a message of len <= SABQ__COPY_INLINE bytes that needs
 * no padding and leaves the next record's seal word free by the cached tail
 * (so that word is cleared without asking the consumer's tail: as
 * unseal_next() in lib/spsc.c, for that case). Producer only. */
static inline int sabq__rec_send_short(const sabq_spsc *handle, const void *buf, uint32_t len)
{
    /* A local copy of the handle: the stores into the ring cannot alias it,
     * so its fields stay in registers instead of being reloaded. */
    const sabq_spsc local = *handle, *r = &local;
    struct sabq_region *s = r->shm;
    if (sabq__likely(len <= r->msg_max && len <= SABQ__COPY_INLINE &&
                     !atomic_load_explicit(&s->hdr.closed, memory_order_relaxed))) {
        uint32_t head = atomic_load_explicit(&s->prod.head, memory_order_relaxed); /* own */
        uint32_t off = head & r->mask, size = sabq__rec_size(len);
        uint32_t used = head - s->prod.tail_cache;
        /* A head the peer scribbled fails the alignment or the room test. */
        if (sabq__likely(!(head & 7u) && size <= r->cap - off && used <= r->cap &&
                         r->cap - used > size)) {
            struct sabq_rec *rec = (struct sabq_rec *)(void *)(r->data + off);
            struct sabq_rec *next = (struct sabq_rec *)(void *)(r->data + ((head + size) & r->mask));
            sabq__copy_short((uint8_t *)(rec + 1), (const uint8_t *)buf, len);
            rec->len = len; /* plain: the consumer reads it after the seal (R6/A6) */
            /* The next record's seal cleared (lib/spsc.c unseal_next()); ordered by R6. */
            atomic_store_explicit(&next->seal, 0, memory_order_relaxed);
            /* R6: release: pairs with A6 in lib/spsc.c take_sealed(). */
            atomic_store_explicit(&rec->seal, SABQ_SEAL(head), memory_order_release);
            /* R1p: release: pairs with A1c in lib/spsc.c peek_at(). */
            atomic_store_explicit(&s->prod.head, head + size, memory_order_release);
            sabq__notify(&s->wait.readable);
            return 0;
        }
    }
    return SABQ__DECLINE;
}

/* Record form, receive: a plain record (not a run, not padding) of any
 * length, when it is sealed; -EAGAIN when it is not and the ring is open (as
 * lib/spsc.c peek_at() then: head is not read). Consumer only. */
static inline int sabq__rec_recv_short(const sabq_spsc *handle, void *buf, uint32_t cap)
{
    const sabq_spsc local = *handle, *r = &local; /* as in sabq__rec_send_short */
    struct sabq_region *s = r->shm;
    uint32_t tail = atomic_load_explicit(&s->cons.tail, memory_order_relaxed); /* own */
    uint32_t run_len = __atomic_load_n(&s->cons.run_len, __ATOMIC_RELAXED);  /* own */
    if (sabq__likely(!(tail & 7u) && run_len == 0)) {
        uint32_t off = tail & r->mask, len;
        const struct sabq_rec *rec = (const struct sabq_rec *)(const void *)(r->data + off);
        /* A6: pairs with R6 in lib/spsc.c seal_record(): the record is written. */
        if (atomic_load_explicit(&rec->seal, memory_order_acquire) != SABQ_SEAL(tail)) {
            if (!sabq__region_is_closed(s))
                return -EAGAIN;
        } else if ((len = __atomic_load_n(&rec->len, __ATOMIC_RELAXED)) <= cap &&
                   len <= r->msg_max && sabq__rec_size(len) <= r->cap - off) {
            /* Padding and runs have lengths above msg_max: not here. */
            sabq__copy(buf, rec + 1, len);
            /* R1c: release: pairs with A1 in lib/internal.h sabq__spsc_room():
             * the record is read before the producer may overwrite it. */
            atomic_store_explicit(&s->cons.tail, tail + sabq__rec_size(len), memory_order_release);
            sabq__notify(&s->wait.writable);
            return (int)len;
        }
    }
    return SABQ__DECLINE;
}

/* Fixed ring, send: a message of len <= SABQ__COPY_INLINE bytes when the
 * cached tail shows room. Producer only. */
static inline int sabq__fixed_send_short(const sabq_spsc *handle, const void *buf, uint32_t len)
{
    const sabq_spsc local = *handle, *r = &local; /* as in sabq__rec_send_short */
    struct sabq_region *s = r->shm;
    if (sabq__likely(len == r->msg_max && len <= SABQ__COPY_INLINE &&
                     !atomic_load_explicit(&s->hdr.closed, memory_order_relaxed))) {
        uint32_t head = atomic_load_explicit(&s->prod.head, memory_order_relaxed); /* own */
        if (sabq__likely(head - s->prod.tail_cache < r->cap)) {
            /* Any head maps inside the area: a scribbled one moves no write out. */
            sabq__copy_short(sabq__fixed_slot(r, head), (const uint8_t *)buf, len);
            /* R1p: release: pairs with A1c in lib/spsc_fixed.c avail_at(): the
             * slot is written before the consumer can see head. */
            atomic_store_explicit(&s->prod.head, head + 1, memory_order_release);
            sabq__notify(&s->wait.readable);
            return 0;
        }
    }
    return SABQ__DECLINE;
}

/* Fixed ring, receive: a message of msg_max <= SABQ__COPY_INLINE bytes when
 * the cached head shows one. Consumer only. */
static inline int sabq__fixed_recv_short(const sabq_spsc *handle, void *buf, uint32_t cap)
{
    const sabq_spsc local = *handle, *r = &local; /* as in sabq__rec_send_short */
    struct sabq_region *s = r->shm;
    uint32_t tail = atomic_load_explicit(&s->cons.tail, memory_order_relaxed); /* own */
    uint32_t len = r->msg_max;
    /* head_cache was read with acquire (A1c) when it was stored: the slots
     * before it are written. tail < cached head, in wrap arithmetic. */
    if (sabq__likely(len <= cap && len <= SABQ__COPY_INLINE &&
                     s->cons.head_cache - tail - 1u < r->cap)) {
        sabq__copy_short((uint8_t *)buf, sabq__fixed_slot(r, tail), len);
        /* R1c: release: pairs with A1 in lib/internal.h sabq__spsc_room(): our
         * read of the slot is done before the producer may overwrite it. */
        atomic_store_explicit(&s->cons.tail, tail + 1, memory_order_release);
        sabq__notify(&s->wait.writable);
        return (int)len;
    }
    return SABQ__DECLINE;
}

/* sabq_spsc_send(), the common case in line. */
static inline int sabq__spsc_send_inline(const sabq_spsc *r, const void *buf, uint32_t len)
{
    int rc = r->stride != 0 ? sabq__fixed_send_short(r, buf, len) : sabq__rec_send_short(r, buf, len);
    return sabq__likely(rc != SABQ__DECLINE) ? rc : (sabq_spsc_send)(r, buf, len);
}

/* sabq_spsc_recv(), the common case in line. */
static inline int sabq__spsc_recv_inline(const sabq_spsc *r, void *buf, uint32_t cap)
{
    int rc = r->stride != 0 ? sabq__fixed_recv_short(r, buf, cap) : sabq__rec_recv_short(r, buf, cap);
    return sabq__likely(rc != SABQ__DECLINE) ? rc : (sabq_spsc_recv)(r, buf, cap);
}

#if !defined(SABQ_NO_INLINE) && !defined(SABQ__LIBRARY)
#define sabq_spsc_send(r, buf, len) sabq__spsc_send_inline(r, buf, len)
#define sabq_spsc_recv(r, buf, cap) sabq__spsc_recv_inline(r, buf, cap)
#endif

#ifdef __cplusplus
}
#endif
#endif
