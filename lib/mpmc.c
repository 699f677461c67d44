/* lib/mpmc.c — the bounded MPMC queue: a ticket per message and a turn number
 * per slot (after Vyukov's bounded queue). A producer may write slot t%cap when
 * its turn is t, a consumer read it when its turn is t+1; each claims its
 * ticket with one CAS on head or tail. docs/layout.md, "MPMC queue".
 */
#include <string.h>
#include "internal.h"
#include "sabq/mpmc.h"

#define MSG_MAX_LIMIT (1u << 24)
/* A CAS that keeps failing means others make progress; a peer that keeps
 * moving an index to keep us looping is hostile. Either way, give up. */
#define RETRY_LIMIT (1u << 20)

static int valid_slots(uint32_t n) { return sabq__is_pow2(n) && n >= 2 && n <= SABQ_CAP_MAX; }

uint32_t sabq_mpmc_stride(uint32_t msg_max)
{
    if (msg_max == 0 || msg_max > MSG_MAX_LIMIT)
        return 0;
    /* Packed, 8-byte aligned: docs/layout.md "Why slots are packed". */
    return sabq__align8(SABQ_SLOT_HDR + msg_max);
}

size_t sabq_mpmc_size(uint32_t slots, uint32_t msg_max)
{
    uint64_t stride = sabq_mpmc_stride(msg_max);
    if (!valid_slots(slots) || stride == 0)
        return 0;
    uint64_t total = SABQ_DATA_OFFSET + (uint64_t)slots * stride;
    return total > UINT32_MAX ? 0 : (size_t)total;
}

static void fill(sabq_mpmc *q, void *mem, uint32_t slots, uint32_t msg_max)
{
    q->shm = mem;
    q->slots = (uint8_t *)mem + SABQ_DATA_OFFSET;
    q->cap = slots;
    q->mask = slots - 1;
    q->msg_max = msg_max;
    q->stride = sabq_mpmc_stride(msg_max);
}

static struct sabq_slot *slot_at(const sabq_mpmc *q, uint32_t ticket)
{
    return (struct sabq_slot *)(q->slots + (size_t)(ticket & q->mask) * q->stride);
}

int sabq_mpmc_init(sabq_mpmc *q, void *mem, size_t size, uint32_t slots, uint32_t msg_max)
{
    size_t total = sabq_mpmc_size(slots, msg_max);
    if (!q || total == 0)
        return -EINVAL;
    int rc = sabq__region_init(mem, size, SABQ_KIND_MPMC, slots, msg_max,
                               sabq_mpmc_stride(msg_max), total);
    if (rc < 0)
        return rc;
    fill(q, mem, slots, msg_max);
    for (uint32_t i = 0; i < slots; i++) {
        atomic_store_explicit(&slot_at(q, i)->turn, i, memory_order_relaxed);
        atomic_store_explicit(&slot_at(q, i)->len, 0, memory_order_relaxed);
    }
    sabq__region_publish(q->shm); /* R0 also publishes the turns above */
    return 0;
}

int sabq_mpmc_attach(sabq_mpmc *q, void *mem, size_t size)
{
    struct sabq_hdr h;
    if (!q)
        return -EINVAL;
    int rc = sabq__region_check(mem, size, SABQ_KIND_MPMC, &h);
    if (rc < 0)
        return rc;
    if (sabq_mpmc_size(h.capacity, h.msg_max) != h.total_size ||
        h.stride != sabq_mpmc_stride(h.msg_max))
        return -EPROTO;
    fill(q, mem, h.capacity, h.msg_max);
    return 0;
}

/* Claim up to `n` consecutive tickets whose slots are free (turn == ticket).
 * Returns how many, with the first in *first; or -EAGAIN (full), -EPROTO. */
static inline __attribute__((always_inline)) int claim_push(const sabq_mpmc *q, uint32_t n, uint32_t *first)
{
    struct sabq_region *s = q->shm;
    uint32_t pos = atomic_load_explicit(&s->prod.head, memory_order_relaxed);
    for (uint32_t tries = 0; tries < RETRY_LIMIT; tries++) {
        uint32_t k = 0;
        int32_t diff = 0;
        while (k < n) {
            /* A3: pairs with R4 in pop_n: that slot's last reader is done. */
            uint32_t turn = atomic_load_explicit(&slot_at(q, pos + k)->turn, memory_order_acquire);
            diff = (int32_t)(turn - (pos + k));
            if (diff != 0)
                break;
            k++;
        }
        if (k > 0) {
            /* R5, release on success: whoever reads this head also sees the consumer
             * tail that freed these slots (empty_or_closed relies on
             * head - tail <= cap). The payload itself is ordered by turn. */
            if (atomic_compare_exchange_weak_explicit(&s->prod.head, &pos, pos + k,
                                                      memory_order_release, memory_order_relaxed)) {
                *first = pos;
                return (int)k;
            }
        } else if (diff < 0) {
            return -EAGAIN; /* the slot still holds the message of ticket pos - cap */
        } else {
            /* Someone took ticket pos, so head has moved on; if it has not, the
             * turn is a lie. */
            uint32_t now = atomic_load_explicit(&s->prod.head, memory_order_relaxed);
            if (now == pos)
                return -EPROTO;
            pos = now;
        }
    }
    return -EAGAIN;
}

/* Slot `pos` holds no message and cons.tail was still `pos` when read: the
 * queue is empty, or closed and drained. */
static int empty_or_closed(const sabq_mpmc *q, uint32_t pos)
{
    struct sabq_region *s = q->shm;
    if (!sabq__region_is_closed(s))
        return -EAGAIN;
    /* Closed: the end only once no producer holds a ticket at or after pos.
     * A5: pairs with R5 in claim_push. */
    uint32_t head = atomic_load_explicit(&s->prod.head, memory_order_acquire);
    if (head == pos)
        return -EPIPE;
    if (head - pos <= q->cap)
        return -EAGAIN; /* a producer still fills its slot */
    /* More than a lap ahead of our tail. Consumers may have moved on since we
     * read it: only if tail is still pos is the index a lie (A5 makes the tail
     * that allowed this head visible here). */
    if (atomic_load_explicit(&s->cons.tail, memory_order_relaxed) != pos)
        return -EAGAIN;
    return -EPROTO;
}

/* Claim up to `n` consecutive tickets whose slots hold a message
 * (turn == ticket + 1) that fits its buffer msgs[i].len (any length when msgs
 * is NULL: the caller reads in place). */
static inline __attribute__((always_inline)) int claim_pop(const sabq_mpmc *q, const sabq_iov *msgs, uint32_t n, uint32_t *first)
{
    struct sabq_region *s = q->shm;
    uint32_t pos = atomic_load_explicit(&s->cons.tail, memory_order_relaxed);
    for (uint32_t tries = 0; tries < RETRY_LIMIT; tries++) {
        uint32_t k = 0;
        int32_t diff = 0;
        int too_long = 0;
        while (k < n) {
            struct sabq_slot *slot = slot_at(q, pos + k);
            /* A4: pairs with R3 in push_n: the payload is written. */
            uint32_t turn = atomic_load_explicit(&slot->turn, memory_order_acquire);
            diff = (int32_t)(turn - (pos + k + 1));
            if (diff != 0)
                break;
            uint32_t len = atomic_load_explicit(&slot->len, memory_order_relaxed);
            if (msgs && len <= q->msg_max && len > msgs[k].len) {
                too_long = 1; /* leave it queued for a caller with a bigger buffer */
                break;
            }
            k++;
        }
        if (k > 0) {
            if (atomic_compare_exchange_weak_explicit(&s->cons.tail, &pos, pos + k,
                                                      memory_order_relaxed, memory_order_relaxed)) {
                *first = pos;
                return (int)k;
            }
        } else if (too_long) {
            return -EMSGSIZE;
        } else if (diff < 0) {
            /* Nothing in slot pos when we looked. Our pos may be stale (others
             * consumed meanwhile, producers refilled, close came): decide
             * emptiness or the end only against the tail as it is now. */
            uint32_t now = atomic_load_explicit(&s->cons.tail, memory_order_relaxed);
            if (now == pos)
                return empty_or_closed(q, pos);
            pos = now;
        } else {
            uint32_t now = atomic_load_explicit(&s->cons.tail, memory_order_relaxed);
            if (now == pos)
                return -EPROTO;
            pos = now;
        }
    }
    return -EAGAIN;
}

static int closed_for_push(const sabq_mpmc *q)
{
    return (atomic_load_explicit(&q->shm->hdr.closed, memory_order_relaxed) & SABQ_CLOSED) != 0;
}

static inline __attribute__((always_inline)) int push_n(const sabq_mpmc *q,
                                                    const sabq_iov *msgs, uint32_t n)
{
    uint32_t first = 0; /* set by a successful claim; 0 quiets -Wmaybe-uninitialized */
    if (n == 0)
        return 0;
    for (uint32_t i = 0; i < n; i++)
        if (msgs[i].len > q->msg_max) {
            if (i == 0)
                return -EMSGSIZE;
            n = i;
            break;
        }
    if (closed_for_push(q))
        return -EPIPE;
    int k = claim_push(q, n, &first);
    if (k < 0)
        return k;
    for (uint32_t i = 0; i < (uint32_t)k; i++) {
        struct sabq_slot *slot = slot_at(q, first + i);
        sabq__copy(slot + 1, msgs[i].base, msgs[i].len);
        atomic_store_explicit(&slot->len, msgs[i].len, memory_order_relaxed);
        /* R3: pairs with A4 in claim_pop: the consumer of this ticket sees the payload. */
        atomic_store_explicit(&slot->turn, first + i + 1, memory_order_release);
    }
    sabq__notify(&q->shm->wait.readable);
    return k;
}

int sabq_mpmc_push_bulk(const sabq_mpmc *q, const sabq_iov *msgs, uint32_t n)
{
    return push_n(q, msgs, n);
}

int sabq_mpmc_push(const sabq_mpmc *q, const void *buf, uint32_t len)
{
    sabq_iov one = {(void *)buf, len}; /* inlined away: no stack in sabq.wasm */
    int rc = push_n(q, &one, 1);
    return rc < 0 ? rc : 0;
}

static inline __attribute__((always_inline)) int pop_n(const sabq_mpmc *q, sabq_iov *msgs,
                                                   uint32_t n)
{
    uint32_t first = 0; /* set by a successful claim; 0 quiets -Wmaybe-uninitialized */
    if (n == 0)
        return 0;
    int k = claim_pop(q, msgs, n, &first);
    if (k < 0)
        return k;
    int rc = k;
    for (uint32_t i = 0; i < (uint32_t)k; i++) {
        struct sabq_slot *slot = slot_at(q, first + i);
        /* Read again now that the slot is ours: the value checked before the
         * claim was only advisory, a peer could have changed it since. */
        uint32_t len = atomic_load_explicit(&slot->len, memory_order_relaxed);
        if (len > q->msg_max || len > msgs[i].len) {
            rc = -EPROTO;
            msgs[i].len = 0;
        } else {
            sabq__copy(msgs[i].base, slot + 1, len);
            msgs[i].len = len;
        }
        /* R4: pairs with A3 in claim_push: the producer of ticket + cap may reuse it. */
        atomic_store_explicit(&slot->turn, first + i + q->cap, memory_order_release);
    }
    sabq__notify(&q->shm->wait.writable);
    return rc;
}

int sabq_mpmc_pop_bulk(const sabq_mpmc *q, sabq_iov *msgs, uint32_t n)
{
    return pop_n(q, msgs, n);
}

int sabq_mpmc_pop(const sabq_mpmc *q, void *buf, uint32_t cap)
{
    sabq_iov one = {buf, cap}; /* inlined away: no stack in sabq.wasm */
    int rc = pop_n(q, &one, 1);
    return rc < 0 ? rc : (int)one.len;
}

int sabq__mpmc_claim_slot(const sabq_mpmc *q, uint32_t len)
{
    uint32_t first = 0; /* set by a successful claim; 0 quiets -Wmaybe-uninitialized */
    if (len > q->msg_max)
        return -EMSGSIZE;
    if (closed_for_push(q))
        return -EPIPE;
    int k = claim_push(q, 1, &first);
    return k < 0 ? k : (int)(first & q->mask);
}

int sabq__mpmc_publish_slot(const sabq_mpmc *q, uint32_t slot, uint32_t len)
{
    if (slot >= q->cap || len > q->msg_max)
        return -EINVAL;
    struct sabq_slot *s = (struct sabq_slot *)(q->slots + (size_t)slot * q->stride);
    /* relaxed: our claimed slot's turn is its ticket; only we change it now */
    uint32_t ticket = atomic_load_explicit(&s->turn, memory_order_relaxed);
    atomic_store_explicit(&s->len, len, memory_order_relaxed);
    /* R3: pairs with A4 in claim_pop. */
    atomic_store_explicit(&s->turn, ticket + 1, memory_order_release);
    sabq__notify(&q->shm->wait.readable);
    return 0;
}

int sabq__mpmc_take_slot(const sabq_mpmc *q)
{
    uint32_t first = 0; /* set by a successful claim; 0 quiets -Wmaybe-uninitialized */
    int k = claim_pop(q, NULL, 1, &first);
    return k < 0 ? k : (int)(first & q->mask);
}

int sabq__mpmc_return_slot(const sabq_mpmc *q, uint32_t slot)
{
    if (slot >= q->cap)
        return -EINVAL;
    struct sabq_slot *s = (struct sabq_slot *)(q->slots + (size_t)slot * q->stride);
    /* relaxed: a claimed slot's turn is ticket + 1 until we hand it back */
    uint32_t ticket = atomic_load_explicit(&s->turn, memory_order_relaxed) - 1;
    /* R4: pairs with A3 in claim_push. */
    atomic_store_explicit(&s->turn, ticket + q->cap, memory_order_release);
    sabq__notify(&q->shm->wait.writable);
    return 0;
}

int sabq_mpmc_push_wait(const sabq_mpmc *q, const void *buf, uint32_t len, uint64_t timeout_ns)
{
    struct sabq_event *ev = &q->shm->wait.writable;
    struct sabq__waiter w = sabq__waiter_start(timeout_ns);
    int rc;
    while ((rc = sabq_mpmc_push(q, buf, len)) == -EAGAIN && (rc = sabq__wait_step(ev, &w)) == 0) {
    }
    sabq__wait_end(ev, &w);
    return rc;
}

int sabq_mpmc_pop_wait(const sabq_mpmc *q, void *buf, uint32_t cap, uint64_t timeout_ns)
{
    struct sabq_event *ev = &q->shm->wait.readable;
    struct sabq__waiter w = sabq__waiter_start(timeout_ns);
    int rc;
    while ((rc = sabq_mpmc_pop(q, buf, cap)) == -EAGAIN && (rc = sabq__wait_step(ev, &w)) == 0) {
    }
    sabq__wait_end(ev, &w);
    return rc;
}

void sabq_mpmc_close(const sabq_mpmc *q) { sabq__region_close(q->shm); }

int sabq_mpmc_is_closed(const sabq_mpmc *q) { return sabq__region_is_closed(q->shm); }

uint32_t sabq_mpmc_used(const sabq_mpmc *q)
{
    uint32_t tail = atomic_load_explicit(&q->shm->cons.tail, memory_order_acquire);
    uint32_t head = atomic_load_explicit(&q->shm->prod.head, memory_order_acquire);
    uint32_t used = head - tail;
    return used > q->cap ? q->cap : used;
}
