/* lib/spsc_fixed.c — the SPSC ring in its fixed-size form (kind 4): slots of
 * one length with no header, published by the producer's head alone. The
 * public sabq_spsc_* calls in lib/spsc.c hand a fixed ring's handle here.
 * Protocol, orderings and the cache-line model: docs/layout.md, "SPSC
 * fixed-size ring". `head` and `tail` count messages; slot i is at
 * data + (i & mask) * stride.
 */
#include <string.h>
#include "internal.h"
#include "sabq/spsc.h"

uint32_t sabq_spsc_fixed_stride(uint32_t msg_len)
{
    if (msg_len == 0 || msg_len > SABQ_FIXED_MSG_MAX)
        return 0;
    return msg_len <= 4 ? 4 : sabq__align8(msg_len);
}

static int valid_slots(uint32_t slots) { return sabq__is_pow2(slots) && slots >= 2 && slots <= SABQ_CAP_MAX; }

size_t sabq_spsc_fixed_size(uint32_t slots, uint32_t msg_len)
{
    uint32_t stride = sabq_spsc_fixed_stride(msg_len);
    if (!valid_slots(slots) || stride == 0)
        return 0;
    uint64_t total = SABQ_DATA_OFFSET + (uint64_t)slots * stride;
    return total > UINT32_MAX ? 0 : (size_t)total;
}

void sabq__fixed_fill(sabq_spsc *r, void *mem, uint32_t slots, uint32_t msg_len)
{
    r->shm = mem;
    r->data = (uint8_t *)mem + SABQ_DATA_OFFSET;
    r->cap = slots;
    r->mask = slots - 1;
    r->msg_max = msg_len;
    r->stride = sabq_spsc_fixed_stride(msg_len);
}

int sabq_spsc_init_fixed(sabq_spsc *r, void *mem, size_t size, uint32_t slots, uint32_t msg_len)
{
    size_t total = sabq_spsc_fixed_size(slots, msg_len);
    if (!r || total == 0)
        return -EINVAL;
    int rc = sabq__region_init(mem, size, SABQ_KIND_SPSC_FIXED, slots, msg_len,
                               sabq_spsc_fixed_stride(msg_len), total);
    if (rc < 0)
        return rc;
    sabq__fixed_fill(r, mem, slots, msg_len);
    sabq__region_publish(r->shm);
    return 0;
}

int sabq__fixed_check(const struct sabq_hdr *h)
{
    return h->stride == sabq_spsc_fixed_stride(h->msg_max) &&
           h->total_size == sabq_spsc_fixed_size(h->capacity, h->msg_max) ? 0 : -EPROTO;
}

/* A message of another length than the ring's one. */
static inline int wrong_len(const sabq_spsc *r, uint32_t len)
{
    return len > r->msg_max ? -EMSGSIZE : -EINVAL;
}

/* ---- producer ------------------------------------------------------------ */

/* Free slots at our own `head` (checked: any value maps inside the area, and
 * a head a peer moved is caught against tail): from the cached tail, or from
 * the consumer's tail when the cache shows fewer than `want` (1 to cap), so
 * that a batch is not cut short by a stale cache. */
static inline __attribute__((always_inline)) int free_slots(const sabq_spsc *r, uint32_t head,
                                                            uint32_t want)
{
    return sabq__spsc_room(r->shm, r->cap, head, want);
}

/* Our own head, or -EPIPE once closed. relaxed: only this side stores head. */
static inline __attribute__((always_inline)) int own_head(const sabq_spsc *r, uint32_t *head)
{
    struct sabq_region *s = r->shm;
    if (sabq__unlikely(atomic_load_explicit(&s->hdr.closed, memory_order_relaxed)))
        return -EPIPE;
    *head = atomic_load_explicit(&s->prod.head, memory_order_relaxed);
    return 0;
}

static inline __attribute__((always_inline)) void publish(const sabq_spsc *r, uint32_t head)
{
    /* R1p: release: pairs with A1c in avail_at(); the slots before head are
     * written before the consumer can see head. */
    atomic_store_explicit(&r->shm->prod.head, head, memory_order_release);
    sabq__notify(&r->shm->wait.readable);
}

/* The slot at our own head for one message of `len` bytes: 0 and *head, or
 * -EMSGSIZE/-EINVAL (another length), -EPIPE, -EAGAIN (full), -EPROTO. */
static inline __attribute__((always_inline)) int claim(const sabq_spsc *r, uint32_t len,
                                                       uint32_t *head)
{
    /* The close first, as the record form reports it (then the length). */
    int rc = own_head(r, head);
    if (rc < 0)
        return rc;
    if (len != r->msg_max)
        return wrong_len(r, len);
    int free = free_slots(r, *head, 1);
    return free > 0 ? 0 : free < 0 ? free : -EAGAIN;
}

int sabq__fixed_reserve(const sabq_spsc *r, uint32_t len, sabq_spsc_resv *resv)
{
    uint32_t head;
    int rc = claim(r, len, &head);
    if (rc < 0)
        return rc;
    resv->data = sabq__fixed_slot(r, head);
    resv->len = len;
    resv->head = head;
    resv->skip = 0;
    return 0;
}

int sabq__fixed_commit(const sabq_spsc *r, const sabq_spsc_resv *resv, uint32_t len)
{
    if (!resv || len != r->msg_max || resv->len != r->msg_max)
        return -EINVAL;
    publish(r, resv->head + 1);
    return 0;
}

/* sabq__fixed_send, all of it: out of line, for what the short path (in
 * sabq/spsc.h) leaves (long messages, a full cache, the close, errors). */
SABQ__OUT_OF_LINE int send_general(const sabq_spsc *handle, const void *buf, uint32_t len)
{
    /* A local copy of the handle, as in sabq_spsc_send: the stores into the
     * ring cannot alias it, so its fields stay in registers. */
    const sabq_spsc local = *handle, *r = &local;
    uint32_t head;
    int rc = claim(r, len, &head);
    if (rc < 0)
        return rc;
    sabq__copy(sabq__fixed_slot(r, head), buf, len);
    publish(r, head + 1);
    return 0;
}

int sabq__fixed_send(const sabq_spsc *handle, const void *buf, uint32_t len)
{
    /* The common case, as callers of sabq_spsc_send() run it in line
     * (sabq/spsc.h); anything else goes to send_general(), which starts over. */
    int rc = sabq__fixed_send_short(handle, buf, len);
    if (sabq__likely(rc != SABQ__DECLINE))
        return rc;
    return send_general(handle, buf, len);
}

int sabq__fixed_send_batch(const sabq_spsc *handle, const sabq_iov *msgs, uint32_t n)
{
    const sabq_spsc local = *handle, *r = &local;
    uint32_t head;
    /* As the record form: -EPIPE once closed, even for n == 0 (man page). */
    int rc = own_head(r, &head);
    if (rc < 0)
        return rc;
    if (n == 0)
        return 0;
    if (msgs[0].len != r->msg_max)
        return wrong_len(r, msgs[0].len);
    int free = free_slots(r, head, n < r->cap ? n : r->cap);
    if (free <= 0)
        return free < 0 ? free : -EAGAIN;
    uint32_t k = n < (uint32_t)free ? n : (uint32_t)free, i;
    for (i = 0; i < k && msgs[i].len == r->msg_max; i++)
        sabq__copy(sabq__fixed_slot(r, head + i), msgs[i].base, r->msg_max);
    publish(r, head + i); /* one store for all of them: i >= 1 */
    return (int)i;
}

/* ---- consumer ------------------------------------------------------------ */

/* Messages readable at `pos`: > 0; -EAGAIN when none; -EPIPE at the end
 * (closed and drained); -EPROTO for a head more than a ring ahead. From the
 * cached head, or from the producer's head when the cache shows none (or a
 * value that cannot be right), or fewer than `want` (1 to cap), so that a
 * batch is not cut short by a stale cache. */
static inline __attribute__((always_inline)) int avail_at(const sabq_spsc *r, uint32_t pos,
                                                          uint32_t want)
{
    struct sabq_region *s = r->shm;
    uint32_t head = s->cons.head_cache;
    if (sabq__unlikely(head - pos - 1u >= r->cap || head - pos < want)) {
        /* A1c: pairs with R1p in publish(): the slots before head are written. */
        head = atomic_load_explicit(&s->prod.head, memory_order_acquire);
        if (head == pos) {
            /* Empty. The end only if head is still here once the flag is
             * seen: the producer closes after its last send, so a head read
             * after the flag is final (as in the pipe: tests/model/pipe.pml
             * found that judging by the flag alone loses a last message). */
            if (!sabq__region_is_closed(s))
                return -EAGAIN;
            head = atomic_load_explicit(&s->prod.head, memory_order_acquire); /* A1c */
            if (head == pos)
                return -EPIPE;
        }
        if (head - pos > r->cap)
            return -EPROTO;
        s->cons.head_cache = head; /* private */
    }
    return (int)(head - pos);
}

/* Our own tail. relaxed: only this side stores it. */
static inline uint32_t own_tail(const sabq_spsc *r)
{
    return atomic_load_explicit(&r->shm->cons.tail, memory_order_relaxed);
}

static inline __attribute__((always_inline)) void give_back(const sabq_spsc *r, uint32_t tail)
{
    /* R1c: release: pairs with A1 in sabq__spsc_room(); our reads of the slots
     * before tail are done before the producer may overwrite them. */
    atomic_store_explicit(&r->shm->cons.tail, tail, memory_order_release);
    sabq__notify(&r->shm->wait.writable);
}

/* peek (pos = our tail) and peek_next (pos = the view's next). */
int sabq__fixed_peek_at(const sabq_spsc *r, uint32_t pos, sabq_spsc_view *v)
{
    int avail = avail_at(r, pos, 1);
    if (avail < 0)
        return avail;
    v->data = sabq__fixed_slot(r, pos);
    v->len = r->msg_max;
    v->next = pos + 1;
    v->run_end = pos + 1;
    v->run_len = 0;
    return (int)r->msg_max;
}

int sabq__fixed_peek(const sabq_spsc *r, sabq_spsc_view *v) { return sabq__fixed_peek_at(r, own_tail(r), v); }

void sabq__fixed_release(const sabq_spsc *r, const sabq_spsc_view *v) { give_back(r, v->next); }

/* sabq__fixed_recv, all of it: out of line, for what the short path (in
 * sabq/spsc.h) leaves (long messages, an empty cache, the close, errors). */
SABQ__OUT_OF_LINE int recv_general(const sabq_spsc *handle, void *buf, uint32_t cap)
{
    const sabq_spsc local = *handle, *r = &local; /* as in send_general */
    uint32_t tail = own_tail(r);
    int avail = avail_at(r, tail, 1);
    if (avail < 0)
        return avail;
    if (cap < r->msg_max)
        return -EMSGSIZE;
    sabq__copy(buf, sabq__fixed_slot(r, tail), r->msg_max);
    give_back(r, tail + 1);
    return (int)r->msg_max;
}

int sabq__fixed_recv(const sabq_spsc *handle, void *buf, uint32_t cap)
{
    /* The common case, as in sabq__fixed_send. */
    int rc = sabq__fixed_recv_short(handle, buf, cap);
    if (sabq__likely(rc != SABQ__DECLINE))
        return rc;
    return recv_general(handle, buf, cap);
}

int sabq__fixed_recv_batch(const sabq_spsc *handle, sabq_iov *msgs, uint32_t n)
{
    const sabq_spsc local = *handle, *r = &local;
    if (n == 0)
        return 0;
    uint32_t tail = own_tail(r), i;
    int avail = avail_at(r, tail, n < r->cap ? n : r->cap);
    if (avail < 0)
        return avail;
    uint32_t k = n < (uint32_t)avail ? n : (uint32_t)avail;
    for (i = 0; i < k && msgs[i].len >= r->msg_max; i++) {
        sabq__copy(msgs[i].base, sabq__fixed_slot(r, tail + i), r->msg_max);
        msgs[i].len = r->msg_max;
    }
    if (i == 0)
        return -EMSGSIZE; /* the first buffer is too short; the message stays */
    give_back(r, tail + i);
    return (int)i;
}

uint32_t sabq__fixed_used(const sabq_spsc *r)
{
    uint32_t tail = atomic_load_explicit(&r->shm->cons.tail, memory_order_acquire);
    uint32_t head = atomic_load_explicit(&r->shm->prod.head, memory_order_acquire);
    uint32_t used = head - tail;
    /* More than a ring: a corrupt index, or both sides moved a lap between
     * the two loads (tail first, so never negative); either reads as full. */
    return (used > r->cap ? r->cap : used) * r->stride;
}
