/* lib/spsc.c — the SPSC message ring: length-prefixed records, each contiguous,
 * with a padding record where a message would straddle the end of the area.
 * Protocol and orderings: docs/layout.md, "SPSC ring".
 */
#include <string.h>
#include "internal.h"
#include "sabq/spsc.h"

static int valid_cap(uint32_t cap) { return sabq__is_pow2(cap) && cap >= 16 && cap <= SABQ_CAP_MAX; }

static uint32_t rec_size(uint32_t len) { return SABQ_REC_HDR + sabq__align8(len); }

size_t sabq_spsc_size(uint32_t cap) { return valid_cap(cap) ? SABQ_DATA_OFFSET + (size_t)cap : 0; }

/* Half the area less a header: then an empty ring always has room for the
 * largest record, padding included (either it fits before the end, or the
 * padding is at most half the area). */
uint32_t sabq_spsc_msg_limit(uint32_t cap) { return valid_cap(cap) ? cap / 2 - SABQ_REC_HDR : 0; }

static void fill(sabq_spsc *r, void *mem, uint32_t cap, uint32_t msg_max)
{
    r->shm = mem;
    r->data = (uint8_t *)mem + SABQ_DATA_OFFSET;
    r->cap = cap;
    r->mask = cap - 1;
    r->msg_max = msg_max;
}

int sabq_spsc_init(sabq_spsc *r, void *mem, size_t size, uint32_t cap, uint32_t msg_max)
{
    if (!r || !valid_cap(cap))
        return -EINVAL;
    if (msg_max == 0)
        msg_max = sabq_spsc_msg_limit(cap);
    if (msg_max > sabq_spsc_msg_limit(cap))
        return -EINVAL;
    int rc = sabq__region_init(mem, size, SABQ_KIND_SPSC, cap, msg_max, 0, sabq_spsc_size(cap));
    if (rc < 0)
        return rc;
    fill(r, mem, cap, msg_max);
    /* The data area may hold anything: the first record's seal must not look
     * set. Every later record's spot is cleared by the record before it. */
    memset(r->data, 0, SABQ_REC_HDR);
    sabq__region_publish(r->shm);
    return 0;
}

static void adopt_sealed(const sabq_spsc *r);

int sabq_spsc_attach(sabq_spsc *r, void *mem, size_t size)
{
    struct sabq_hdr h;
    if (!r)
        return -EINVAL;
    int rc = sabq__region_check(mem, size, SABQ_KIND_SPSC, &h);
    if (rc < 0)
        return rc;
    if (!valid_cap(h.capacity) || h.msg_max > sabq_spsc_msg_limit(h.capacity) ||
        h.total_size != sabq_spsc_size(h.capacity))
        return -EPROTO;
    fill(r, mem, h.capacity, h.msg_max);
    adopt_sealed(r);
    return 0;
}

/* Records a producer sealed but never published: it died (SIGKILL, a
 * terminated worker) between sealing them and storing head. A consumer may
 * already have taken them by their seals; a fresh producer would write over
 * them from the old head, under a consumer reading them, and a consumer
 * after close would find its tail ahead of head. So attach and close move
 * head past every record sealed after it (tests/kill/spsc_kill.c). Only a
 * seal that names its own position counts, so nothing left from an earlier
 * lap or unfinished is taken. A live producer in the middle of a send loses
 * nothing: it stores a head at least as far along, and the CAS does not
 * move a head that changed meanwhile. At most a ring's worth of headers are
 * read, each checked as a consumer checks it. */
static void adopt_sealed(const sabq_spsc *r)
{
    struct sabq_region *s = r->shm;
    /* acquire: pairs with R1p (the records before head are complete) */
    uint32_t head = atomic_load_explicit(&s->prod.head, memory_order_acquire);
    if (head & 7u)
        return;
    uint32_t pos = head;
    while (pos - head < r->cap) {
        uint32_t off = pos & r->mask, at = pos;
        const struct sabq_rec *rec = (const struct sabq_rec *)(r->data + off);
        /* A6: pairs with R6 in finish: a sealed record is written. */
        if (atomic_load_explicit(&rec->seal, memory_order_acquire) != SABQ_SEAL(pos))
            break;
        uint32_t len = sabq__read_once(&rec->len);
        if (len == SABQ_REC_PAD) {
            if (off == 0)
                break;
            at = pos + (r->cap - off);
            off = 0;
            rec = (const struct sabq_rec *)r->data;
            if (atomic_load_explicit(&rec->seal, memory_order_acquire) != SABQ_SEAL(at)) /* A6 */
                break;
            len = sabq__read_once(&rec->len);
        }
        if (len > r->msg_max || rec_size(len) > r->cap - off || at + rec_size(len) - head > r->cap)
            break;
        pos = at + rec_size(len);
    }
    if (pos != head) /* R1p: release, as the producer's own store of head */
        atomic_compare_exchange_strong_explicit(&s->prod.head, &head, pos, memory_order_release,
                                                memory_order_relaxed);
}

/* Find room for a record of `len` bytes at `head` (not yet published).
 * `head` is our own index, but lives in shared memory, so it was checked for
 * alignment by the caller; the offsets computed here are then always inside
 * the data area. */
static inline __attribute__((always_inline)) int reserve_at(const sabq_spsc *r, uint32_t head,
                                                        uint32_t len, sabq_spsc_resv *resv)
{
    if (sabq__unlikely(len > r->msg_max))
        return -EMSGSIZE;
    struct sabq_region *s = r->shm;
    uint32_t off = head & r->mask;
    uint32_t need = rec_size(len);
    uint32_t skip = need > r->cap - off ? r->cap - off : 0; /* pad to the end, wrap */
    uint32_t total = skip + need;
    uint32_t tail = s->prod.tail_cache;
    if (sabq__unlikely(head - tail > r->cap || r->cap - (head - tail) < total)) {
        /* A1: pairs with R1c in release(): the consumer has finished reading
         * the bytes it gave back before we overwrite them. */
        tail = atomic_load_explicit(&s->cons.tail, memory_order_acquire);
        if (head - tail > r->cap)
            return -EPROTO;
        s->prod.tail_cache = tail;
        if (r->cap - (head - tail) < total)
            return -EAGAIN;
    }
    if (skip) {
        struct sabq_rec *pad = (struct sabq_rec *)(r->data + off);
        pad->len = SABQ_REC_PAD;
        atomic_store_explicit(&pad->seal, 0, memory_order_relaxed); /* sealed in finish */
    }
    resv->data = r->data + ((head + skip) & r->mask) + SABQ_REC_HDR;
    resv->len = len;
    resv->head = head;
    resv->skip = skip;
    return 0;
}

/* Our own head, checked: a peer that scribbled it must not move our writes. */
static inline __attribute__((always_inline)) int own_head(const sabq_spsc *r, uint32_t *head)
{
    struct sabq_region *s = r->shm;
    if (sabq__unlikely(atomic_load_explicit(&s->hdr.closed, memory_order_relaxed)))
        return -EPIPE;
    /* relaxed: only this side stores head */
    *head = atomic_load_explicit(&s->prod.head, memory_order_relaxed);
    return (*head & 7u) ? -EPROTO : 0;
}

int sabq_spsc_reserve(const sabq_spsc *r, uint32_t len, sabq_spsc_resv *resv)
{
    uint32_t head;
    int rc = own_head(r, &head);
    return rc < 0 ? rc : reserve_at(r, head, len, resv);
}

/* Clear the seal where the next record will start (at `next`), so that a
 * consumer that gets there before that record is written reads 0, and never
 * old payload bytes that happen to equal the seal it waits for. Only when the
 * spot is free: if the ring is full up to `next`, it holds the oldest unread
 * record's header, whose seal is a lap old and cannot match. */
static inline void unseal_next(const sabq_spsc *r, uint32_t next)
{
    struct sabq_region *s = r->shm;
    uint32_t tail = s->prod.tail_cache;
    if (sabq__unlikely(next - tail >= r->cap)) {
        /* A1: pairs with R1c in give_back (see reserve_at). */
        tail = atomic_load_explicit(&s->cons.tail, memory_order_acquire);
        if (next - tail >= r->cap)
            return; /* full (or a scribbled tail: reserve_at will say -EPROTO) */
        s->prod.tail_cache = tail;
    }
    struct sabq_rec *at = (struct sabq_rec *)(r->data + (next & r->mask));
    atomic_store_explicit(&at->seal, 0, memory_order_relaxed); /* ordered by R6 below */
}

/* Write the record header and seal the record (and its padding, if any);
 * returns the head after the record. */
static inline __attribute__((always_inline)) uint32_t finish(const sabq_spsc *r,
                                                             const sabq_spsc_resv *resv,
                                                             uint32_t len)
{
    uint32_t pos = resv->head + resv->skip;
    uint32_t next = pos + rec_size(len);
    struct sabq_rec *rec = (struct sabq_rec *)((uint8_t *)resv->data - SABQ_REC_HDR);
    rec->len = len;
    unseal_next(r, next);
    /* R6: release: pairs with A6 in peek_sealed: the payload, len and the
     * cleared seal at next are visible to a consumer that sees this seal. */
    atomic_store_explicit(&rec->seal, SABQ_SEAL(pos), memory_order_release);
    if (resv->skip) {
        /* The padding last: whoever sees its seal sees the record's too. */
        struct sabq_rec *pad = (struct sabq_rec *)(r->data + (resv->head & r->mask));
        atomic_store_explicit(&pad->seal, SABQ_SEAL(resv->head), memory_order_release); /* R6 */
    }
    return next;
}

static inline __attribute__((always_inline)) void publish(const sabq_spsc *r, uint32_t head)
{
    /* R1p: release: pairs with A1c in peek; the records before head are visible. */
    atomic_store_explicit(&r->shm->prod.head, head, memory_order_release);
    sabq__notify(&r->shm->wait.readable);
}

int sabq_spsc_commit(const sabq_spsc *r, const sabq_spsc_resv *resv, uint32_t len)
{
    if (!resv || len > resv->len)
        return -EINVAL;
    publish(r, finish(r, resv, len));
    return 0;
}

int sabq_spsc_send(const sabq_spsc *handle, const void *buf, uint32_t len)
{
    /* A local copy of the handle: the stores into the ring below cannot alias
     * it, so its fields stay in registers instead of being reloaded. */
    const sabq_spsc local = *handle, *r = &local;
    sabq_spsc_resv resv;
    uint32_t head;
    int rc = own_head(r, &head);
    if (rc == 0)
        rc = reserve_at(r, head, len, &resv); /* both inlined: no call for a short message */
    if (rc < 0)
        return rc;
    sabq__copy(resv.data, buf, len);
    publish(r, finish(r, &resv, len));
    return 0;
}

int sabq_spsc_send_batch(const sabq_spsc *r, const sabq_iov *msgs, uint32_t n)
{
    uint32_t head, i;
    int rc = own_head(r, &head);
    if (rc < 0)
        return rc;
    for (i = 0; i < n; i++) {
        sabq_spsc_resv resv;
        rc = reserve_at(r, head, msgs[i].len, &resv);
        if (rc < 0)
            break;
        sabq__copy(resv.data, msgs[i].base, msgs[i].len);
        head = finish(r, &resv, msgs[i].len);
    }
    if (i == 0)
        return n == 0 ? 0 : rc;
    publish(r, head);
    return (int)i;
}

/* The record at `tail` if its seal says it is complete, read without the
 * producer's head: a consumer that has caught up then touches only the cache
 * line the producer writes the record into, not the head's line as well.
 * -EAGAIN when not sealed (yet); peek_at then asks head. The seal only says
 * where to look: len is checked as on the head path, so a forged seal gives
 * at worst a wrong message, never an access outside the area. */
static inline __attribute__((always_inline)) int peek_sealed(const sabq_spsc *r, uint32_t tail,
                                                         sabq_spsc_view *v)
{
    uint32_t off = tail & r->mask;
    const struct sabq_rec *rec = (const struct sabq_rec *)(r->data + off);
    /* A6: pairs with R6 in finish: the record is written. */
    if (atomic_load_explicit(&rec->seal, memory_order_acquire) != SABQ_SEAL(tail))
        return -EAGAIN;
    uint32_t len = sabq__read_once(&rec->len);
    if (len == SABQ_REC_PAD) {
        if (off == 0)
            return -EPROTO;
        tail += r->cap - off;
        off = 0;
        rec = (const struct sabq_rec *)r->data;
        /* A6: the producer sealed this record before its padding. */
        if (atomic_load_explicit(&rec->seal, memory_order_acquire) != SABQ_SEAL(tail))
            return -EAGAIN;
        len = sabq__read_once(&rec->len);
    }
    if (len > r->msg_max || rec_size(len) > r->cap - off)
        return -EPROTO;
    v->data = r->data + off + SABQ_REC_HDR;
    v->len = len;
    v->next = tail + rec_size(len);
    return (int)len;
}

/* Where the record at `tail` is: from the seal if it is there, else from
 * what the producer has published. Every peer-written value (head, record
 * length) is read once and checked. Our tail may run ahead of the published
 * head by the records we took by their seals before the producer stored it. */
static inline __attribute__((always_inline)) int peek_at(const sabq_spsc *r, uint32_t tail,
                                                     sabq_spsc_view *v)
{
    struct sabq_region *s = r->shm;
    if (sabq__unlikely(tail & 7u))
        return -EPROTO;
    uint32_t head = s->cons.head_cache;
    if (head - tail - 1u >= r->cap) { /* nothing known to be there */
        int rc = peek_sealed(r, tail, v);
        if (rc != -EAGAIN)
            return rc;
        /* Not sealed. The producer seals every record before it publishes
         * head, so head has nothing for us either, unless the ring is closed
         * (then head says whether we are at the end). Not reading head here
         * keeps a polling consumer off the producer's head line. */
        if (!sabq__region_is_closed(s))
            return -EAGAIN;
        /* A1c: pairs with R1p in publish: records before head are written.
         * Read after the close was seen, so this is the final head. */
        head = atomic_load_explicit(&s->prod.head, memory_order_acquire);
        if (head == tail)
            return -EPIPE;
        if (head - tail - 1u >= r->cap)
            return -EPROTO; /* nothing after us, yet not where we are */
        s->cons.head_cache = head;
    }
    uint32_t avail = head - tail;
    uint32_t off = tail & r->mask;
    uint32_t len = sabq__read_once(r->data + off);
    if (len == SABQ_REC_PAD) {
        uint32_t skip = r->cap - off;
        if (off == 0 || skip >= avail)
            return -EPROTO; /* padding is always followed by its record */
        tail += skip;
        avail -= skip;
        off = 0;
        len = sabq__read_once(r->data);
    }
    if (len > r->msg_max || rec_size(len) > avail || rec_size(len) > r->cap - off)
        return -EPROTO;
    v->data = r->data + off + SABQ_REC_HDR;
    v->len = len;
    v->next = tail + rec_size(len);
    return (int)len;
}

int sabq_spsc_peek(const sabq_spsc *r, sabq_spsc_view *view)
{
    /* relaxed: only this side stores tail; a scribbled tail is caught by
     * peek_at's distance and alignment checks. */
    uint32_t tail = atomic_load_explicit(&r->shm->cons.tail, memory_order_relaxed);
    return peek_at(r, tail, view);
}

int sabq_spsc_peek_next(const sabq_spsc *r, sabq_spsc_view *view)
{
    return peek_at(r, view->next, view);
}

static inline __attribute__((always_inline)) void give_back(const sabq_spsc *r, uint32_t tail)
{
    struct sabq_region *s = r->shm;
    /* A consumer that takes records by their seals never refreshes its cached
     * head. Left behind, 2^32 bytes later it would pass for valid again
     * (head_cache - tail < capacity) and show records never published. Once
     * it is between 2^31 bytes and 2^32 - capacity behind, move it up to
     * tail ("nothing known"): one store per 2^31 bytes, on our own line. A
     * valid cache (at most a ring ahead of tail) is never touched. */
    uint32_t behind = tail - s->cons.head_cache;
    if (sabq__unlikely(behind - 0x80000000u < 0x80000000u - r->cap))
        s->cons.head_cache = tail;
    /* R1c: release: pairs with A1 in reserve_at; our reads of the released
     * bytes are done before the producer may overwrite them. */
    atomic_store_explicit(&s->cons.tail, tail, memory_order_release);
    sabq__notify(&s->wait.writable);
}

void sabq_spsc_release(const sabq_spsc *r, const sabq_spsc_view *view)
{
    give_back(r, view->next);
}

int sabq_spsc_recv(const sabq_spsc *handle, void *buf, uint32_t cap)
{
    const sabq_spsc local = *handle, *r = &local; /* as in sabq_spsc_send */
    sabq_spsc_view v;
    /* relaxed: our own index (see sabq_spsc_peek) */
    int rc = peek_at(r, atomic_load_explicit(&r->shm->cons.tail, memory_order_relaxed), &v);
    if (rc < 0)
        return rc;
    if (v.len > cap)
        return -EMSGSIZE;
    sabq__copy(buf, v.data, v.len);
    give_back(r, v.next);
    return rc;
}

int sabq_spsc_recv_batch(const sabq_spsc *r, sabq_iov *msgs, uint32_t n)
{
    sabq_spsc_view v;
    uint32_t i;
    int rc = 0;
    v.next = atomic_load_explicit(&r->shm->cons.tail, memory_order_relaxed);
    for (i = 0; i < n; i++) {
        uint32_t before = v.next;
        rc = peek_at(r, before, &v);
        if (rc < 0)
            break;
        if (v.len > msgs[i].len) {
            v.next = before;
            rc = -EMSGSIZE;
            break;
        }
        sabq__copy(msgs[i].base, v.data, v.len);
        msgs[i].len = v.len;
    }
    if (i == 0)
        return n == 0 ? 0 : rc;
    give_back(r, v.next);
    return (int)i;
}

/* Blocking forms: the non-blocking call, re-tried (see sabq__wait_step). */
int sabq_spsc_send_wait(const sabq_spsc *r, const void *buf, uint32_t len, uint64_t timeout_ns)
{
    struct sabq_event *ev = &r->shm->wait.writable;
    struct sabq__waiter w = sabq__waiter_start(timeout_ns);
    int rc;
    while ((rc = sabq_spsc_send(r, buf, len)) == -EAGAIN && (rc = sabq__wait_step(ev, &w)) == 0) {
    }
    sabq__wait_end(ev, &w);
    return rc;
}

int sabq_spsc_recv_wait(const sabq_spsc *r, void *buf, uint32_t cap, uint64_t timeout_ns)
{
    struct sabq_event *ev = &r->shm->wait.readable;
    struct sabq__waiter w = sabq__waiter_start(timeout_ns);
    int rc;
    while ((rc = sabq_spsc_recv(r, buf, cap)) == -EAGAIN && (rc = sabq__wait_step(ev, &w)) == 0) {
    }
    sabq__wait_end(ev, &w);
    return rc;
}

int sabq_spsc_peek_wait(const sabq_spsc *r, sabq_spsc_view *view, uint64_t timeout_ns)
{
    struct sabq_event *ev = &r->shm->wait.readable;
    struct sabq__waiter w = sabq__waiter_start(timeout_ns);
    int rc;
    while ((rc = sabq_spsc_peek(r, view)) == -EAGAIN && (rc = sabq__wait_step(ev, &w)) == 0) {
    }
    sabq__wait_end(ev, &w);
    return rc;
}

void sabq_spsc_close(const sabq_spsc *r)
{
    adopt_sealed(r); /* a producer that died mid-send: its sealed records are the last */
    sabq__region_close(r->shm);
}

int sabq_spsc_is_closed(const sabq_spsc *r) { return sabq__region_is_closed(r->shm); }

uint32_t sabq_spsc_used(const sabq_spsc *r)
{
    uint32_t tail = atomic_load_explicit(&r->shm->cons.tail, memory_order_acquire);
    uint32_t head = atomic_load_explicit(&r->shm->prod.head, memory_order_acquire);
    uint32_t used = head - tail;
    if (used > r->cap) /* tail ahead: records taken by their seals, head not yet stored */
        return tail - head <= r->cap ? 0 : r->cap;
    return used;
}
