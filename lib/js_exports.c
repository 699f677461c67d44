/* lib/js_exports.c — the functions sabq.wasm exports to the JavaScript binding.
 *
 * JavaScript cannot hand C a pointer to a handle or take two results back, and
 * sabq.wasm may not use a stack in memory it does not own. So each export takes
 * the geometry the binding got from attach (JS numbers, trusted: they come from
 * the caller, not the peer), builds the handle as a local value, calls the one C
 * implementation (flattened into the export, so the handle lives in registers)
 * and returns one number: an address in the memory, a length, or a negative
 * errno. Where JS needs a second value it reads it from the ring and checks it
 * against the bounds it already holds (see bindings-js/src/).
 */
#include <string.h>
#include "internal.h"
#include "sabq/sabq.h"

#define EXPORT(name) __attribute__((export_name(#name), flatten))

static inline sabq_spsc spsc_of(uint32_t region, uint32_t cap, uint32_t msg_max)
{
    sabq_spsc r = {(struct sabq_region *)(uintptr_t)region,
                   (uint8_t *)(uintptr_t)region + SABQ_DATA_OFFSET, cap, cap - 1, msg_max};
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
        rc = rc < 0 ? rc : (int)r.cap;
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

/* The oldest message's payload address (its length is the u32 8 bytes before
 * it), or a negative errno. */
EXPORT(sabq_js_spsc_peek) int js_spsc_peek(uint32_t region, uint32_t cap, uint32_t msg_max)
{
    sabq_spsc r = spsc_of(region, cap, msg_max);
    sabq_spsc_view v;
    int rc = sabq_spsc_peek(&r, &v);
    return rc < 0 ? rc : addr(v.data);
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
 * its length and turn. pop_claim returns a claimed slot's payload address (its
 * length is the u32 4 bytes before); pop_release hands the slot back. */

static inline int slot_payload(const sabq_mpmc *q, int slot)
{
    return slot < 0 ? slot : addr(q->slots + (size_t)slot * q->stride + SABQ_SLOT_HDR);
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
    return slot_payload(&q, sabq__mpmc_claim_slot(&q, len));
}

EXPORT(sabq_js_mpmc_push_publish) int js_mpmc_push_publish(uint32_t region, uint32_t slots,
                                                           uint32_t msg_max, uint32_t payload,
                                                           uint32_t len)
{
    sabq_mpmc q = mpmc_of(region, slots, msg_max);
    int slot = slot_index(&q, payload);
    return slot < 0 ? slot : sabq__mpmc_publish_slot(&q, (uint32_t)slot, len);
}

EXPORT(sabq_js_mpmc_pop_claim) int js_mpmc_pop_claim(uint32_t region, uint32_t slots,
                                                     uint32_t msg_max)
{
    sabq_mpmc q = mpmc_of(region, slots, msg_max);
    return slot_payload(&q, sabq__mpmc_take_slot(&q));
}

EXPORT(sabq_js_mpmc_pop_release) int js_mpmc_pop_release(uint32_t region, uint32_t slots,
                                                         uint32_t msg_max, uint32_t payload)
{
    sabq_mpmc q = mpmc_of(region, slots, msg_max);
    int slot = slot_index(&q, payload);
    return slot < 0 ? slot : sabq__mpmc_return_slot(&q, (uint32_t)slot);
}
