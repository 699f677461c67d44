/* lib/js_exports.c — the functions sabq.wasm exports to the JavaScript binding.
 *
 * JavaScript cannot hand C a pointer to a handle, and sabq.wasm may not use a
 * stack in memory it does not own. So each export takes the geometry the
 * binding got from attach (JS numbers, trusted: they come from the caller, not
 * the peer), builds the handle as a local value, calls the one C
 * implementation (flattened into the export, so the handle lives in registers)
 * and returns one number. Where JS needs two values from one look at the ring
 * (where a message is and how long), C returns both packed in one f64, so JS
 * never reads again a word the peer may have changed since C checked it:
 *
 *     len * 2^32 + address        (exact while len < 2^21: SABQ_JS_PACKED_LEN)
 *
 * Rings whose msg_max reaches 2^21 use the *_wide exports, which return the
 * same pair as an i64 (a BigInt in JS). Short SPSC messages travel through the
 * producer's and the consumer's stage (layout.h), so that sending or receiving
 * one is a single call.
 */
#include <string.h>
#include "internal.h"
#include "js_abi.h"
#include "sabq/sabq.h"

#define EXPORT(name) __attribute__((export_name(#name), flatten))

static inline sabq_spsc spsc_of(uint32_t region, uint32_t cap, uint32_t msg_max)
{
    sabq_spsc r = {(struct sabq_region *)(uintptr_t)region,
                   (uint8_t *)(uintptr_t)region + SABQ_DATA_OFFSET, cap, cap - 1, msg_max,
                   0 /* variable-length records: sabq.wasm has no fixed rings (yet) */};
    return r;
}

static inline sabq_pipe pipe_of(uint32_t region, uint32_t cap)
{
    sabq_pipe p = {(struct sabq_region *)(uintptr_t)region,
                   (uint8_t *)(uintptr_t)region + SABQ_DATA_OFFSET, cap, cap - 1};
    return p;
}

static inline sabq_mpmc mpmc_of(uint32_t region, uint32_t slots, uint32_t msg_max)
{
    sabq_mpmc q = {(struct sabq_region *)(uintptr_t)region,
                   (uint8_t *)(uintptr_t)region + SABQ_DATA_OFFSET, slots, slots - 1, msg_max,
                   sabq_mpmc_stride(msg_max)};
    return q;
}

static inline int addr(const void *p) { return (int)(uintptr_t)p; }


/* A payload's address and length as one exact f64 (len < SABQ_JS_PACKED_LEN,
 * which the callers' msg_max guarantees), and as one i64. */
static inline double packed(const void *data, uint32_t len)
{
    return (double)len * 4294967296.0 + (double)(uint32_t)(uintptr_t)data;
}

static inline int64_t wide(const void *data, uint32_t len)
{
    return (int64_t)((uint64_t)len << 32 | (uint32_t)(uintptr_t)data);
}

/* ---- layout and attach -------------------------------------------------- */

/* Size in bytes of a region of `kind` with capacity `cap` and msg_max; 0 if
 * invalid. */
EXPORT(sabq_js_size) int js_size(uint32_t kind, uint32_t cap, uint32_t msg_max)
{
    size_t n = kind == SABQ_KIND_SPSC   ? sabq_spsc_size(cap)
               : kind == SABQ_KIND_PIPE ? sabq_pipe_size(cap)
               : kind == SABQ_KIND_MPMC ? sabq_mpmc_size(cap, msg_max)
                                        : 0;
    return n > INT32_MAX ? 0 : (int)n;
}

EXPORT(sabq_js_init) int js_init(uint32_t kind, uint32_t region, uint32_t size, uint32_t cap,
                                 uint32_t msg_max)
{
    void *mem = (void *)(uintptr_t)region;
    if (kind == SABQ_KIND_SPSC) {
        sabq_spsc r;
        int rc = sabq_spsc_init(&r, mem, size, cap, msg_max);
        return rc < 0 ? rc : (int)r.msg_max;
    }
    if (kind == SABQ_KIND_PIPE) {
        sabq_pipe p;
        return sabq_pipe_init(&p, mem, size, cap);
    }
    if (kind == SABQ_KIND_MPMC) {
        sabq_mpmc q;
        return sabq_mpmc_init(&q, mem, size, cap, msg_max);
    }
    return -EINVAL;
}

/* Validate the header of a region of `kind` and return its capacity. */
EXPORT(sabq_js_attach_capacity) int js_attach_capacity(uint32_t kind, uint32_t region, uint32_t size)
{
    void *mem = (void *)(uintptr_t)region;
    int rc = -EINVAL;
    if (kind == SABQ_KIND_SPSC) {
        sabq_spsc r;
        rc = sabq_spsc_attach(&r, mem, size);
        rc = rc < 0 ? rc : r.stride ? -EPROTO : (int)r.cap; /* no fixed rings in JS (yet) */
    } else if (kind == SABQ_KIND_PIPE) {
        sabq_pipe p;
        rc = sabq_pipe_attach(&p, mem, size);
        rc = rc < 0 ? rc : (int)p.cap;
    } else if (kind == SABQ_KIND_MPMC) {
        sabq_mpmc q;
        rc = sabq_mpmc_attach(&q, mem, size);
        rc = rc < 0 ? rc : (int)q.cap;
    }
    return rc;
}

/* Validate again and return msg_max, if the capacity is still `cap`: the two
 * attach calls then describe one consistent header. */
EXPORT(sabq_js_attach_msg_max) int js_attach_msg_max(uint32_t kind, uint32_t region, uint32_t size,
                                                     uint32_t cap)
{
    void *mem = (void *)(uintptr_t)region;
    int rc = -EINVAL;
    uint32_t got_cap = 0, msg_max = 0;
    if (kind == SABQ_KIND_SPSC) {
        sabq_spsc r;
        rc = sabq_spsc_attach(&r, mem, size);
        rc = rc < 0 ? rc : r.stride ? -EPROTO : rc; /* as in js_attach_capacity */
        got_cap = r.cap;
        msg_max = r.msg_max;
    } else if (kind == SABQ_KIND_PIPE) {
        sabq_pipe p;
        rc = sabq_pipe_attach(&p, mem, size);
        got_cap = p.cap;
    } else if (kind == SABQ_KIND_MPMC) {
        sabq_mpmc q;
        rc = sabq_mpmc_attach(&q, mem, size);
        got_cap = q.cap;
        msg_max = q.msg_max;
    }
    if (rc < 0)
        return rc;
    return got_cap == cap ? (int)msg_max : -EPROTO;
}

/* ---- any kind ------------------------------------------------------------ */

EXPORT(sabq_js_close) void js_close(uint32_t region)
{
    sabq__region_close((struct sabq_region *)(uintptr_t)region);
}

EXPORT(sabq_js_is_closed) int js_is_closed(uint32_t region)
{
    return sabq__region_is_closed((struct sabq_region *)(uintptr_t)region);
}

/* Bytes (spsc, pipe) or messages (mpmc) queued; `cap` clamps a corrupt value.
 * An SPSC consumer may be ahead of the published head by records it took by
 * their seals: that reads as empty. */
EXPORT(sabq_js_used) int js_used(uint32_t region, uint32_t cap)
{
    struct sabq_region *s = (struct sabq_region *)(uintptr_t)region;
    uint32_t tail = atomic_load_explicit(&s->cons.tail, memory_order_acquire);
    uint32_t head = atomic_load_explicit(&s->prod.head, memory_order_acquire);
    if (head - tail > cap)
        return tail - head <= cap ? 0 : (int)cap;
    return (int)(head - tail);
}

EXPORT(sabq_js_event_prepare) int js_event_prepare(uint32_t ev)
{
    return (int)sabq_event_prepare((struct sabq_event *)(uintptr_t)ev);
}

EXPORT(sabq_js_event_cancel) void js_event_cancel(uint32_t ev)
{
    sabq_event_cancel((struct sabq_event *)(uintptr_t)ev);
}

/* ---- SPSC message ring ---------------------------------------------------- */

/* Reserve `len` bytes: the payload's address, or a negative errno. */
EXPORT(sabq_js_spsc_reserve) int js_spsc_reserve(uint32_t region, uint32_t cap, uint32_t msg_max,
                                                 uint32_t len)
{
    sabq_spsc r = spsc_of(region, cap, msg_max);
    sabq_spsc_resv resv;
    int rc = sabq_spsc_reserve(&r, len, &resv);
    return rc < 0 ? rc : addr(resv.data);
}

/* Commit `len` bytes written at `payload` (from reserve, of `reserved` bytes).
 * The reservation is rebuilt from our own head: the payload is either at head
 * (no padding) or at the start of the area (padding to the end first). */
EXPORT(sabq_js_spsc_commit) int js_spsc_commit(uint32_t region, uint32_t cap, uint32_t msg_max,
                                               uint32_t payload, uint32_t reserved, uint32_t len)
{
    sabq_spsc r = spsc_of(region, cap, msg_max);
    uint32_t head = atomic_load_explicit(&r.shm->prod.head, memory_order_relaxed); /* own */
    uint32_t off = head & r.mask;
    uint32_t rec = payload - SABQ_REC_HDR - (uint32_t)(uintptr_t)r.data;
    sabq_spsc_resv resv = {(void *)(uintptr_t)payload, reserved, head, 0};
    if (rec != off) {
        if (rec != 0 || off == 0)
            return -EINVAL;
        resv.skip = cap - off;
    }
    if (reserved > msg_max)
        return -EINVAL;
    return sabq_spsc_commit(&r, &resv, len);
}

/* Copy a message of `len` bytes (at most SABQ_PROD_STAGE) from the
 * producer's stage into the ring: sabq_spsc_send in one call. */
EXPORT(sabq_js_spsc_send_small) int js_spsc_send_small(uint32_t region, uint32_t cap,
                                                       uint32_t msg_max, uint32_t len)
{
    sabq_spsc r = spsc_of(region, cap, msg_max);
    if (len > SABQ_PROD_STAGE)
        return -EINVAL;
    return sabq_spsc_send(&r, r.shm->prod.stage, len);
}

/* Receive the oldest message into a buffer of `bufcap` bytes. A message of at
 * most SABQ_CONS_STAGE bytes is copied into the consumer's stage and removed:
 * its length is returned (0..SABQ_CONS_STAGE). A longer one is left in place
 * and its packed address and length are returned (>= 2^32): JS copies it and
 * calls release; one of 2^21 bytes or more (a wide ring) gives
 * SABQ_JS_USE_WIDE: ask peek_wide. -EMSGSIZE (longer than bufcap, left
 * queued), or as peek. */
EXPORT(sabq_js_spsc_recv_small) double js_spsc_recv_small(uint32_t region, uint32_t cap,
                                                          uint32_t msg_max, uint32_t bufcap)
{
    sabq_spsc r = spsc_of(region, cap, msg_max);
    sabq_spsc_view v;
    int rc = sabq_spsc_peek(&r, &v);
    if (rc < 0)
        return rc;
    if (v.len > bufcap)
        return -EMSGSIZE;
    if (v.len > SABQ_CONS_STAGE)
        return v.len < SABQ_JS_PACKED_LEN ? packed(v.data, v.len) : SABQ_JS_USE_WIDE;
    sabq__copy(r.shm->cons.stage, v.data, v.len);
    sabq_spsc_release(&r, &v);
    return v.len;
}

/* The oldest message, left in place: packed address and length, or a
 * negative errno. For msg_max < SABQ_JS_PACKED_LEN. */
EXPORT(sabq_js_spsc_peek) double js_spsc_peek(uint32_t region, uint32_t cap, uint32_t msg_max)
{
    sabq_spsc r = spsc_of(region, cap, msg_max);
    sabq_spsc_view v;
    int rc = sabq_spsc_peek(&r, &v);
    return rc < 0 ? rc : packed(v.data, v.len);
}

/* As sabq_js_spsc_peek, the pair as an i64 (len << 32 | address). */
EXPORT(sabq_js_spsc_peek_wide) int64_t js_spsc_peek_wide(uint32_t region, uint32_t cap,
                                                         uint32_t msg_max)
{
    sabq_spsc r = spsc_of(region, cap, msg_max);
    sabq_spsc_view v;
    int rc = sabq_spsc_peek(&r, &v);
    return rc < 0 ? rc : wide(v.data, v.len);
}

/* Release the message at `payload` of `len` bytes (the oldest one): peeked
 * again here, so the position after it comes from C's own checks. */
EXPORT(sabq_js_spsc_release) int js_spsc_release(uint32_t region, uint32_t cap, uint32_t msg_max,
                                                 uint32_t payload, uint32_t len)
{
    sabq_spsc r = spsc_of(region, cap, msg_max);
    sabq_spsc_view v;
    int rc = sabq_spsc_peek(&r, &v);
    if (rc < 0)
        return rc;
    if ((uint32_t)addr(v.data) != payload || v.len != len)
        return -EINVAL;
    sabq_spsc_release(&r, &v);
    return 0;
}

/* ---- byte pipe ------------------------------------------------------------ */

/* Writable contiguous bytes now (> 0), or -EAGAIN, -EPIPE, -EPROTO. */
EXPORT(sabq_js_pipe_write_span) int js_pipe_write_span(uint32_t region, uint32_t cap)
{
    sabq_pipe p = pipe_of(region, cap);
    void *span;
    return sabq_pipe_write_span(&p, &span);
}

/* Address where the next write goes (our head's offset in the area). */
EXPORT(sabq_js_pipe_write_addr) int js_pipe_write_addr(uint32_t region, uint32_t cap)
{
    sabq_pipe p = pipe_of(region, cap);
    uint32_t head = atomic_load_explicit(&p.shm->prod.head, memory_order_relaxed);
    return addr(p.data + (head & p.mask));
}

EXPORT(sabq_js_pipe_write_commit) int js_pipe_write_commit(uint32_t region, uint32_t cap, uint32_t n)
{
    sabq_pipe p = pipe_of(region, cap);
    return sabq_pipe_write_commit(&p, n);
}

/* Readable contiguous bytes now (> 0), 0 at end of stream, or -EAGAIN/-EPROTO. */
EXPORT(sabq_js_pipe_read_span) int js_pipe_read_span(uint32_t region, uint32_t cap)
{
    sabq_pipe p = pipe_of(region, cap);
    const void *span;
    return sabq_pipe_read_span(&p, &span);
}

EXPORT(sabq_js_pipe_read_addr) int js_pipe_read_addr(uint32_t region, uint32_t cap)
{
    sabq_pipe p = pipe_of(region, cap);
    uint32_t tail = atomic_load_explicit(&p.shm->cons.tail, memory_order_relaxed);
    return addr(p.data + (tail & p.mask));
}

EXPORT(sabq_js_pipe_read_consume) int js_pipe_read_consume(uint32_t region, uint32_t cap, uint32_t n)
{
    sabq_pipe p = pipe_of(region, cap);
    return sabq_pipe_read_consume(&p, n);
}

/* ---- MPMC queue ---------------------------------------------------------------
 * Claim and publish are split so JS can copy straight into and out of the slot:
 * push_claim returns the payload address of a claimed slot; push_publish sets
 * its length and turn. pop_claim returns a claimed slot's payload address and
 * length, packed (the length read once, after the claim, and checked);
 * pop_release hands the slot back. */

static inline uint8_t *slot_payload(const sabq_mpmc *q, uint32_t slot)
{
    return q->slots + (size_t)slot * q->stride + SABQ_SLOT_HDR;
}

/* The slot index of a payload address, or -EINVAL if it is not one. */
static inline int slot_index(const sabq_mpmc *q, uint32_t payload)
{
    uint32_t rel = payload - SABQ_SLOT_HDR - (uint32_t)(uintptr_t)q->slots;
    if (rel % q->stride != 0 || rel / q->stride >= q->cap)
        return -EINVAL;
    return (int)(rel / q->stride);
}

EXPORT(sabq_js_mpmc_push_claim) int js_mpmc_push_claim(uint32_t region, uint32_t slots,
                                                       uint32_t msg_max, uint32_t len)
{
    sabq_mpmc q = mpmc_of(region, slots, msg_max);
    int slot = sabq__mpmc_claim_slot(&q, len);
    return slot < 0 ? slot : addr(slot_payload(&q, (uint32_t)slot));
}

EXPORT(sabq_js_mpmc_push_publish) int js_mpmc_push_publish(uint32_t region, uint32_t slots,
                                                           uint32_t msg_max, uint32_t payload,
                                                           uint32_t len)
{
    sabq_mpmc q = mpmc_of(region, slots, msg_max);
    int slot = slot_index(&q, payload);
    return slot < 0 ? slot : sabq__mpmc_publish_slot(&q, (uint32_t)slot, len);
}

/* Claim the oldest message's slot and read its length once: the slot's index,
 * and the length in *len (checked against msg_max: a corrupt one hands the
 * slot back and gives -EPROTO). */
static inline __attribute__((always_inline)) int pop_claim(const sabq_mpmc *q, uint32_t *len)
{
    int slot = sabq__mpmc_take_slot(q);
    if (slot < 0)
        return slot;
    const struct sabq_slot *s = (const struct sabq_slot *)(slot_payload(q, (uint32_t)slot) - SABQ_SLOT_HDR);
    *len = atomic_load_explicit(&s->len, memory_order_relaxed); /* ordered by the claim's A4 */
    if (*len > q->msg_max) {
        sabq__mpmc_return_slot(q, (uint32_t)slot);
        return -EPROTO;
    }
    return slot;
}

/* The claimed slot's payload address and length, packed, or a negative errno.
 * For msg_max < SABQ_JS_PACKED_LEN. */
EXPORT(sabq_js_mpmc_pop_claim) double js_mpmc_pop_claim(uint32_t region, uint32_t slots,
                                                        uint32_t msg_max)
{
    sabq_mpmc q = mpmc_of(region, slots, msg_max);
    uint32_t len = 0;
    int slot = pop_claim(&q, &len);
    return slot < 0 ? slot : packed(slot_payload(&q, (uint32_t)slot), len);
}

/* As sabq_js_mpmc_pop_claim, the pair as an i64 (len << 32 | address). */
EXPORT(sabq_js_mpmc_pop_claim_wide) int64_t js_mpmc_pop_claim_wide(uint32_t region, uint32_t slots,
                                                                   uint32_t msg_max)
{
    sabq_mpmc q = mpmc_of(region, slots, msg_max);
    uint32_t len = 0;
    int slot = pop_claim(&q, &len);
    return slot < 0 ? slot : wide(slot_payload(&q, (uint32_t)slot), len);
}

EXPORT(sabq_js_mpmc_pop_release) int js_mpmc_pop_release(uint32_t region, uint32_t slots,
                                                         uint32_t msg_max, uint32_t payload)
{
    sabq_mpmc q = mpmc_of(region, slots, msg_max);
    int slot = slot_index(&q, payload);
    return slot < 0 ? slot : sabq__mpmc_return_slot(&q, (uint32_t)slot);
}
