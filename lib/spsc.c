/* lib/spsc.c — the SPSC message ring: sealed, length-prefixed records, each
 * contiguous, with a padding record where a message would straddle the end of
 * the area, and run records that carry a batch of equal-length messages
 * behind one header. Protocol, orderings and the cache-line model:
 * docs/layout.md, "SPSC message ring". A ring of the fixed-size form (a
 * handle with a stride) goes to lib/spsc_fixed.c from each public call.
 */
#include <string.h>
#include "internal.h"
#include "sabq/spsc.h"

/* Batches of at least this many equal-length messages become a run: a run of
 * two takes the same room as two records, and a third saves a header. */
#define RUN_MIN 3u

static int valid_cap(uint32_t cap) { return sabq__is_pow2(cap) && cap >= 16 && cap <= SABQ_CAP_MAX; }


size_t sabq_spsc_size(uint32_t cap) { return valid_cap(cap) ? SABQ_DATA_OFFSET + (size_t)cap : 0; }

/* Half the area less a header: then an empty ring always has room for the
 * largest record, padding and the free header after it included (either it
 * fits before the end, or the padding is shorter than the record). */
uint32_t sabq_spsc_msg_limit(uint32_t cap) { return valid_cap(cap) ? cap / 2 - SABQ_REC_HDR : 0; }

static void fill(sabq_spsc *r, void *mem, uint32_t cap, uint32_t msg_max)
{
    r->shm = mem;
    r->data = (uint8_t *)mem + SABQ_DATA_OFFSET;
    r->cap = cap;
    r->mask = cap - 1;
    r->msg_max = msg_max;
    r->stride = 0; /* variable-length records */
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

/* In line (below): in sabq.wasm a call would put the handle on a stack. */
static inline __attribute__((always_inline)) void adopt_sealed(const sabq_spsc *r);

int sabq_spsc_attach(sabq_spsc *r, void *mem, size_t size)
{
    struct sabq_hdr h;
    if (!r)
        return -EINVAL;
    int rc = sabq__region_check(mem, size, SABQ_KIND_SPSC, &h);
    if (rc == -EPROTO && sabq__region_check(mem, size, SABQ_KIND_SPSC_FIXED, &h) == 0) {
        /* A fixed ring: a head a dead producer left behind published only
         * whole slots, so there is nothing to adopt. */
        if (sabq__fixed_check(&h) < 0)
            return -EPROTO;
        sabq__fixed_fill(r, mem, h.capacity, h.msg_max);
        return 0;
    }
    if (rc < 0)
        return rc;
    if (!valid_cap(h.capacity) || h.msg_max > sabq_spsc_msg_limit(h.capacity) ||
        h.total_size != sabq_spsc_size(h.capacity))
        return -EPROTO;
    fill(r, mem, h.capacity, h.msg_max);
    adopt_sealed(r);
    return 0;
}

/* The two words of the record header at ring position `pos`. */
static inline uint32_t *len_at(const sabq_spsc *r, uint32_t pos)
{
    return (uint32_t *)(void *)(r->data + (pos & r->mask));
}

static inline uint32_t *seal_at(const sabq_spsc *r, uint32_t pos) { return len_at(r, pos) + 1; }

/* ---- producer ------------------------------------------------------------ */

/* Free bytes at `head` (our own index): from the cached tail, or, when that
 * shows fewer than `want`, from the consumer's tail. */
static inline __attribute__((always_inline)) int room(const sabq_spsc *r, uint32_t head,
                                                      uint32_t want)
{
    return sabq__spsc_room(r->shm, r->cap, head, want);
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
    uint32_t off = head & r->mask;
    uint32_t need = sabq__rec_size(len);
    uint32_t skip = need > r->cap - off ? r->cap - off : 0; /* pad to the end, wrap */
    uint32_t total = skip + need;
    int free = room(r, head, total);
    if (sabq__unlikely(free < 0))
        return free;
    if (sabq__unlikely((uint32_t)free < total))
        return -EAGAIN;
    if (skip) /* sealed last, in seal_record() */
        *len_at(r, head) = SABQ_REC_PAD; /* read only after its seal (R6/A6) */
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
    if (r->stride)
        return sabq__fixed_reserve(r, len, resv);
    uint32_t head;
    int rc = own_head(r, &head);
    return rc < 0 ? rc : reserve_at(r, head, len, resv);
}

/* Clear the seal where the next record will start (at `next`), so that a
 * consumer that gets there before that record is sealed reads 0, and never
 * old payload bytes that happen to equal the seal it waits for. Only when the
 * spot is free: if the ring is full up to `next`, it holds the oldest unread
 * record's header, whose seal is a lap old and cannot match. */
static inline __attribute__((always_inline)) void unseal_next(const sabq_spsc *r, uint32_t next)
{
    struct sabq_region *s = r->shm;
    uint32_t tail = s->prod.tail_cache;
    if (sabq__unlikely(next - tail >= r->cap)) {
        /* A1: pairs with R1c in give_back() (see room()). */
        tail = atomic_load_explicit(&s->cons.tail, memory_order_acquire);
        if (next - tail >= r->cap)
            return; /* full (or a scribbled tail: the next reserve says -EPROTO) */
        s->prod.tail_cache = tail;
    }
    __atomic_store_n(seal_at(r, next), 0, __ATOMIC_RELAXED); /* ordered by R6 below */
}

/* Seal the record of `size` bytes (header included) placed at head + skip,
 * whose payload and run fields are written, and its padding (at head) if
 * skip > 0; returns the head after it. `len` is the header's length word. */
static inline __attribute__((always_inline)) uint32_t seal_record(const sabq_spsc *r, uint32_t head,
                                                                  uint32_t skip, uint32_t size,
                                                                  uint32_t len)
{
    uint32_t pos = head + skip;
    uint32_t next = pos + size;
    /* A plain store: the consumer reads len only after it has seen the seal
     * (R6/A6). In sabq.wasm every atomic store is a full barrier. */
    *len_at(r, pos) = len;
    unseal_next(r, next);
    /* R6: release: pairs with A6 in take_sealed(): the payload, len, the run
     * fields and the cleared seal at next are visible to whoever sees this seal. */
    __atomic_store_n(seal_at(r, pos), SABQ_SEAL(pos), __ATOMIC_RELEASE);
    if (skip) /* the padding last: whoever sees its seal sees the record's (R6) */
        __atomic_store_n(seal_at(r, head), SABQ_SEAL(head), __ATOMIC_RELEASE);
    return next;
}

static inline __attribute__((always_inline)) void publish(const sabq_spsc *r, uint32_t head)
{
    /* R1p: release: pairs with A1c in peek_at(); the records before head are
     * visible (and sealed). */
    atomic_store_explicit(&r->shm->prod.head, head, memory_order_release);
    sabq__notify(&r->shm->wait.readable);
}

int sabq_spsc_commit(const sabq_spsc *r, const sabq_spsc_resv *resv, uint32_t len)
{
    if (r->stride)
        return sabq__fixed_commit(r, resv, len);
    if (!resv || len > resv->len)
        return -EINVAL;
    publish(r, seal_record(r, resv->head, resv->skip, sabq__rec_size(len), len));
    return 0;
}

/* The whole of a send at `head`. Inlined into sabq_spsc_send for short
 * messages, where the copy is a few moves and the function then needs no
 * stack frame; out of line for the others, whose memcpy call needs one. */
static inline __attribute__((always_inline)) int send_at(const sabq_spsc *r, uint32_t head,
                                                         const void *buf, uint32_t len)
{
    sabq_spsc_resv resv;
    int rc = reserve_at(r, head, len, &resv);
    if (rc < 0)
        return rc;
    sabq__copy(resv.data, buf, len);
    publish(r, seal_record(r, head, resv.skip, sabq__rec_size(len), len));
    return 0;
}

/* sabq_spsc_send, all of it: out of line, for what the short path (in
 * sabq/spsc.h) leaves (long messages, padding, a full cache, the close, errors). */
SABQ__OUT_OF_LINE int send_general(const sabq_spsc *handle, const void *buf,
                                                  uint32_t len)
{
    /* A local copy of the handle: the stores into the ring below cannot alias
     * it, so its fields stay in registers instead of being reloaded. */
    const sabq_spsc local = *handle, *r = &local;
    uint32_t head;
    int rc = own_head(r, &head);
    return rc < 0 ? rc : send_at(r, head, buf, len);
}

int sabq_spsc_send(const sabq_spsc *handle, const void *buf, uint32_t len)
{
    if (handle->stride)
        return sabq__fixed_send(handle, buf, len);
    /* The common case, as callers run it in line (sabq__rec_send_short in
     * sabq/spsc.h: a short message, no padding, room by the cached tail);
     * anything else goes to send_general(), which starts over. */
    int rc = sabq__rec_send_short(handle, buf, len);
    if (sabq__likely(rc != SABQ__DECLINE))
        return rc;
    return send_general(handle, buf, len);
}

/* Copy up to `n` messages of `len` bytes between an array of iovecs and a
 * run's slots, `stride` apart; to_run picks the direction. A run's messages
 * all have one length, so the size of the copy is decided once, not per
 * message (8 bytes, the common case, is one move). Sending stops at a message
 * of another length, receiving at a buffer shorter than `len`; returns how
 * many were copied. */
static inline __attribute__((always_inline)) uint32_t run_copy(uint8_t *slot, uint32_t stride,
                                                               sabq_iov *msgs, uint32_t n,
                                                               uint32_t len, int to_run)
{
    uint32_t i = 0;
#define SABQ__RUN_LOOP(COPY)                                                                   \
    for (; i < n; i++, slot += stride) {                                                       \
        if (to_run) {                                                                          \
            if (msgs[i].len != len)                                                            \
                break;                                                                         \
            COPY(slot, msgs[i].base);                                                          \
        } else {                                                                               \
            if (msgs[i].len < len)                                                             \
                break;                                                                         \
            COPY(msgs[i].base, slot);                                                          \
            msgs[i].len = len;                                                                 \
        }                                                                                      \
    }
#define SABQ__COPY8(d, s) memcpy((d), (s), 8)
#define SABQ__COPYN(d, s) sabq__copy((d), (s), len)
    if (len == 8)
        SABQ__RUN_LOOP(SABQ__COPY8)
    else
        SABQ__RUN_LOOP(SABQ__COPYN)
#undef SABQ__COPYN
#undef SABQ__COPY8
#undef SABQ__RUN_LOOP
    return i;
}

/* Put messages of msgs[0].len bytes (1 to msg_max; the first RUN_MIN of the
 * `n` have it) as one run at *head, as many of them as have that length and
 * fit, padding to the end of the area first if fewer than RUN_MIN fit before
 * it. Returns how many went in (advancing *head), 0 when a run of RUN_MIN
 * does not fit (the caller sends a plain record instead), or -EPROTO. */
static inline __attribute__((always_inline)) int put_run(const sabq_spsc *r, uint32_t *head,
                                                         const sabq_iov *msgs, uint32_t n)
{
    uint32_t len = msgs[0].len, stride = sabq__align8(len);
    uint32_t off = *head & r->mask, to_end = r->cap - off;
    uint64_t want = SABQ_RUN_HDR + (uint64_t)n * stride;
    int free = room(r, *head, want < r->cap ? (uint32_t)want : r->cap);
    if (free < 0)
        return free;
    uint32_t usable = (uint32_t)free;
    uint32_t skip = 0, space = usable < to_end ? usable : to_end;
    const uint32_t worthwhile = SABQ_RUN_HDR + RUN_MIN * stride;
    if (space < worthwhile && usable > to_end) { /* too little before the end: wrap */
        skip = to_end;
        space = usable - to_end;
    }
    if (space < worthwhile)
        return 0;
    uint32_t m = (space - SABQ_RUN_HDR) / stride;
    if (m > n)
        m = n;
    uint32_t pos = *head + skip;
    uint8_t *at = r->data + (pos & r->mask);
    uint32_t same = run_copy(at + SABQ_RUN_HDR, stride, (sabq_iov *)msgs, m, len, 1);
    if (skip) /* sealed last, in seal_record() */
        *len_at(r, *head) = SABQ_REC_PAD; /* read only after its seal (R6/A6) */
    struct sabq_run *run = (struct sabq_run *)(void *)at;
    run->elem_len = len;
    run->count = same; /* at least RUN_MIN: the caller checked the first ones */
    *head = seal_record(r, *head, skip, SABQ_RUN_HDR + same * stride, SABQ_REC_RUN);
    return (int)same;
}

int sabq_spsc_send_batch(const sabq_spsc *handle, const sabq_iov *msgs, uint32_t n)
{
    if (handle->stride)
        return sabq__fixed_send_batch(handle, msgs, n);
    const sabq_spsc local = *handle, *r = &local; /* as in sabq_spsc_send */
    uint32_t head, i = 0;
    int rc = own_head(r, &head);
    if (rc < 0)
        return rc;
    while (i < n) {
        uint32_t len = msgs[i].len;
        if (n - i >= RUN_MIN && msgs[i + 1].len == len && msgs[i + 2].len == len && len != 0 &&
            len <= r->msg_max) {
            rc = put_run(r, &head, msgs + i, n - i);
            if (rc < 0)
                break;
            if (rc > 0) {
                i += (uint32_t)rc;
                continue;
            }
        }
        sabq_spsc_resv resv;
        rc = reserve_at(r, head, len, &resv);
        if (rc < 0)
            break;
        sabq__copy(resv.data, msgs[i].base, len);
        head = seal_record(r, head, resv.skip, sabq__rec_size(len), len);
        i++;
    }
    if (i == 0)
        return n == 0 ? 0 : rc;
    publish(r, head);
    return (int)i;
}

/* ---- consumer ------------------------------------------------------------ */

/* The record at `tail` if its seal says it is complete, read without the
 * producer's head: a consumer that has caught up then touches only the cache
 * line the producer writes the record into, not the head's line as well.
 * -EAGAIN when not sealed (yet). The seal only says where to look: lengths are
 * checked as if the peer were hostile, so a forged seal gives at worst a wrong
 * message, never an access outside the area. */
static inline __attribute__((always_inline)) int take_sealed(const sabq_spsc *r, uint32_t tail,
                                                             sabq_spsc_view *v)
{
    uint32_t off = tail & r->mask;
    /* A6: pairs with R6 in seal_record(): the record is written. */
    if (__atomic_load_n(seal_at(r, tail), __ATOMIC_ACQUIRE) != SABQ_SEAL(tail))
        return -EAGAIN;
    uint32_t len = sabq__read_once(len_at(r, tail));
    if (len == SABQ_REC_PAD) {
        if (off == 0)
            return -EPROTO;
        tail += r->cap - off;
        off = 0;
        /* A6: the producer sealed this record before its padding. */
        if (__atomic_load_n(seal_at(r, tail), __ATOMIC_ACQUIRE) != SABQ_SEAL(tail))
            return -EPROTO;
        len = sabq__read_once(len_at(r, tail));
    }
    uint8_t *at = r->data + off;
    if (len == SABQ_REC_RUN) {
        if (r->cap - off < SABQ_RUN_HDR) /* before reading the run's fields */
            return -EPROTO;
        const struct sabq_run *run = (const struct sabq_run *)(const void *)at;
        uint32_t elem = sabq__read_once(&run->elem_len), count = sabq__read_once(&run->count);
        if (elem == 0 || elem > r->msg_max || count == 0 ||
            (uint64_t)count * sabq__align8(elem) > r->cap - off - SABQ_RUN_HDR)
            return -EPROTO;
        uint32_t first = tail + SABQ_RUN_HDR;
        v->data = at + SABQ_RUN_HDR;
        v->len = elem;
        v->next = first + sabq__align8(elem);
        v->run_end = first + count * sabq__align8(elem);
        v->run_len = count > 1 ? elem : 0; /* 0: nothing of the run follows */
        return (int)elem;
    }
    if (len > r->msg_max || sabq__rec_size(len) > r->cap - off)
        return -EPROTO;
    v->data = at + SABQ_REC_HDR;
    v->len = len;
    v->next = tail + sabq__rec_size(len);
    v->run_end = v->next;
    v->run_len = 0;
    return (int)len;
}

/* Records a producer sealed but never published: it died (SIGKILL, a
 * terminated worker) between sealing them and storing head. A consumer may
 * already have taken them by their seals; a fresh producer would write over
 * them from the old head, under a consumer reading them, and a consumer
 * after close would find its tail ahead of head. So attach and close move
 * head past every record and run sealed after it (tests/kill/spsc_kill.c).
 * Only a seal that names its own position counts, so nothing left from an
 * earlier lap or unfinished is taken, and each is checked by take_sealed()
 * as a consumer checks it. A live producer in the middle of a send loses
 * nothing: it stores a head at least as far along, and the CAS does not
 * move a head that changed meanwhile. At most a ring's worth is read. */
static inline __attribute__((always_inline)) void adopt_sealed(const sabq_spsc *r)
{
    struct sabq_region *s = r->shm;
    /* acquire: pairs with R1p (the records before head are complete) */
    uint32_t head = atomic_load_explicit(&s->prod.head, memory_order_acquire);
    if (head & 7u)
        return;
    uint32_t pos = head;
    while (pos - head < r->cap) {
        /* A6 in take_sealed(): a sealed record or run is written. Its end
         * is run_end: the run's end for a run, the next record's for a
         * record. */
        sabq_spsc_view v;
        if (take_sealed(r, pos, &v) < 0 || v.run_end - head > r->cap)
            break;
        pos = v.run_end;
    }
    if (pos != head) /* R1p: release, as the producer's own store of head */
        atomic_compare_exchange_strong_explicit(&s->prod.head, &head, pos, memory_order_release,
                                                memory_order_relaxed);
}

/* The message at `tail`: inside the run ending at `run_end` (of run_len-byte
 * messages) if run_len is not 0, else a record. Our own values too may have been
 * scribbled on, so they are checked like the peer's. */
static inline __attribute__((always_inline)) int peek_at(const sabq_spsc *r, uint32_t tail,
                                                         uint32_t run_end, uint32_t run_len,
                                                         sabq_spsc_view *v)
{
    if (sabq__unlikely(tail & 7u))
        return -EPROTO;
    if (run_len != 0) { /* inside a run the consumer entered */
        uint32_t off = tail & r->mask;
        if (run_end - tail - 1u >= r->cap || run_len > r->msg_max || run_len > r->cap - off ||
            sabq__align8(run_len) > run_end - tail)
            return -EPROTO;
        v->data = r->data + off;
        v->len = run_len;
        v->next = tail + sabq__align8(run_len);
        v->run_end = run_end;
        v->run_len = v->next != run_end ? run_len : 0; /* 0: the run's last message */
        return (int)run_len;
    }
    int rc = take_sealed(r, tail, v);
    if (sabq__likely(rc != -EAGAIN))
        return rc;
    /* Not sealed. The producer seals every record before it publishes head,
     * so head has nothing for us either, unless the ring is closed (then head
     * says whether we are at the end). Not reading head here keeps a polling
     * consumer off the producer's head line. */
    struct sabq_region *s = r->shm;
    if (!sabq__region_is_closed(s))
        return -EAGAIN;
    /* A1c: pairs with R1p in publish(): the records before head are sealed.
     * Read after the close was seen, so this is the final head, or the
     * producer is still finishing a send that began before the close. */
    uint32_t head = atomic_load_explicit(&s->prod.head, memory_order_acquire);
    if (head == tail)
        return -EPIPE;
    if (head - tail > r->cap) /* tail ahead: records taken by their seals, head not yet stored */
        return tail - head <= r->cap ? -EAGAIN : -EPROTO;
    rc = take_sealed(r, tail, v);
    return rc == -EAGAIN ? -EPROTO : rc; /* published but never sealed */
}

/* Our own position: tail and the run it is inside (if any). */
struct cons_pos {
    uint32_t tail, run_end, run_len;
};

static inline __attribute__((always_inline)) struct cons_pos own_pos(const sabq_spsc *r)
{
    struct sabq_region *s = r->shm;
    /* relaxed: only this side stores these; peek_at checks them. */
    struct cons_pos p = {atomic_load_explicit(&s->cons.tail, memory_order_relaxed),
                         sabq__read_once(&s->cons.run_end), sabq__read_once(&s->cons.run_len)};
    return p;
}

int sabq_spsc_peek(const sabq_spsc *r, sabq_spsc_view *view)
{
    if (r->stride)
        return sabq__fixed_peek(r, view);
    struct cons_pos p = own_pos(r);
    return peek_at(r, p.tail, p.run_end, p.run_len, view);
}

int sabq_spsc_peek_next(const sabq_spsc *r, sabq_spsc_view *view)
{
    sabq_spsc_view v;
    int rc = r->stride ? sabq__fixed_peek_at(r, view->next, &v)
                       : peek_at(r, view->next, view->run_end, view->run_len, &v);
    if (rc >= 0)
        *view = v;
    return rc;
}

/* Hand back everything from our stored position `from` up to v->next.
 * Inside a run (v->run_len not 0), the run is remembered on our own line
 * first, since its header is behind the new tail; leaving one, run_len goes
 * back to 0, so that nothing positional is kept outside a run: a run_end
 * left behind would, 2^32 bytes later, pass for a run again (phantom
 * messages, or -EPROTO), as layout 2's cached head did (make soak). */
static inline __attribute__((always_inline)) void give_back(const sabq_spsc *r,
                                                            const sabq_spsc_view *v,
                                                            struct cons_pos from)
{
    struct sabq_region *s = r->shm;
    if (sabq__unlikely(from.run_len != 0)) {
        /* Our tail rested inside a run, on a message we have now read. A
         * producer that filled the ring up to exactly tail + capacity left
         * the seal word there as it was (a full ring's spot at tail is
         * normally a record header, whose seal is a lap old), but here it is
         * bytes 4..7 of that message, which may spell the very seal the spot
         * needs next lap: once we had read on to there we would take it for
         * a record (tests/model/spsc.pml found it). Clear it: the bytes are
         * ours until the tail store below (R1c orders it). */
        __atomic_store_n(seal_at(r, from.tail), 0, __ATOMIC_RELAXED);
        if (v->run_len == 0)
            __atomic_store_n(&s->cons.run_len, 0, __ATOMIC_RELAXED); /* private */
    }
    if (v->run_len != 0) {
        __atomic_store_n(&s->cons.run_end, v->run_end, __ATOMIC_RELAXED); /* private */
        __atomic_store_n(&s->cons.run_len, v->run_len, __ATOMIC_RELAXED);
    }
    /* R1c: release: pairs with A1 in sabq__spsc_room(); our reads of the released bytes
     * are done before the producer may overwrite them. */
    atomic_store_explicit(&s->cons.tail, v->next, memory_order_release);
    sabq__notify(&s->wait.writable);
}

void sabq_spsc_release(const sabq_spsc *r, const sabq_spsc_view *view)
{
    if (r->stride) {
        sabq__fixed_release(r, view);
        return;
    }
    give_back(r, view, own_pos(r));
}

/* The whole of a receive at our position `p`. */
static inline __attribute__((always_inline)) int recv_at(const sabq_spsc *r, struct cons_pos p,
                                                         void *buf, uint32_t cap)
{
    sabq_spsc_view v;
    int rc = peek_at(r, p.tail, p.run_end, p.run_len, &v);
    if (rc < 0)
        return rc;
    if (v.len > cap)
        return -EMSGSIZE;
    sabq__copy(buf, v.data, v.len);
    give_back(r, &v, p);
    return rc;
}

/* sabq_spsc_recv, all of it: out of line, for what the short path in
 * sabq_spsc_recv leaves (runs, padding, the close, errors). */
SABQ__OUT_OF_LINE int recv_general(const sabq_spsc *handle, void *buf, uint32_t cap)
{
    const sabq_spsc local = *handle; /* as in sabq_spsc_send */
    return recv_at(&local, own_pos(&local), buf, cap);
}

int sabq_spsc_recv(const sabq_spsc *handle, void *buf, uint32_t cap)
{
    if (handle->stride)
        return sabq__fixed_recv(handle, buf, cap);
    /* The common case, as callers run it in line (sabq__rec_recv_short in
     * sabq/spsc.h: a plain record, sealed or not yet, outside a run); a run,
     * padding, the close and every error go to recv_at() out of line.
     * (Unlike the send side, moving the memcpy of long messages out of line
     * measured no gain for short ones here, and cost long ones 4-6%.) */
    int rc = sabq__rec_recv_short(handle, buf, cap);
    if (sabq__likely(rc != SABQ__DECLINE))
        return rc;
    return recv_general(handle, buf, cap);
}

int sabq_spsc_recv_batch(const sabq_spsc *handle, sabq_iov *msgs, uint32_t n)
{
    if (handle->stride)
        return sabq__fixed_recv_batch(handle, msgs, n);
    const sabq_spsc local = *handle, *r = &local;
    struct cons_pos p = own_pos(r);
    sabq_spsc_view v = {NULL, 0, p.tail, p.run_end, p.run_len}, next;
    uint32_t i;
    int rc = 0;
    for (i = 0; i < n;) {
        rc = peek_at(r, v.next, v.run_end, v.run_len, &next);
        if (rc < 0)
            break;
        if (next.len > msgs[i].len) {
            rc = -EMSGSIZE;
            break;
        }
        sabq__copy(msgs[i].base, next.data, next.len);
        msgs[i].len = next.len;
        v = next;
        i++;
        /* Inside a run, the rest of it is checked as a whole (inside the
         * area) and its messages copied in a tight loop; whatever stops the
         * loop is met again by peek_at() above. */
        uint32_t left = v.run_end - v.next, off = v.next & r->mask;
        if (left - 1u < r->cap && left <= r->cap - off) {
            uint32_t len = v.run_len, stride = sabq__align8(len), k = left / stride;
            if (k > n - i)
                k = n - i;
            k = run_copy(r->data + off, stride, msgs + i, k, len, 0);
            i += k;
            v.next += k * stride;
            if (v.next == v.run_end)
                v.run_len = 0; /* the run is done */
        }
    }
    if (i == 0)
        return n == 0 ? 0 : rc;
    give_back(r, &v, p);
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
    if (!r->stride)
        adopt_sealed(r); /* a producer that died mid-send: its sealed records are the last */
    sabq__region_close(r->shm);
}

int sabq_spsc_is_closed(const sabq_spsc *r) { return sabq__region_is_closed(r->shm); }

uint32_t sabq_spsc_used(const sabq_spsc *r)
{
    if (r->stride)
        return sabq__fixed_used(r);
    uint32_t tail = atomic_load_explicit(&r->shm->cons.tail, memory_order_acquire);
    uint32_t head = atomic_load_explicit(&r->shm->prod.head, memory_order_acquire);
    uint32_t used = head - tail;
    if (used > r->cap) /* tail ahead: records taken by their seals, head not yet stored */
        return tail - head <= r->cap ? 0 : r->cap;
    return used;
}
