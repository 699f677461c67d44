/* tests/fuzz/fuzz_spsc.c — libFuzzer target for the SPSC message ring: attach
 * a region taken from the input, or lay one out with fuzzed geometry (and
 * indices started just below 2^32 when the input says so), then run a script
 * of every producer and consumer call, with the peer's scribbles in between.
 * While the peer is honest every result is checked against a reference: the
 * exact messages, in order, never -EPROTO, and the ring positions of
 * docs/layout.md ("SPSC message ring"), so a send is refused with -EAGAIN
 * exactly when its record (and the padding before it) does not fit, and head,
 * tail and used are where the layout puts them. A batch's records and runs
 * are read back and checked against the same rules (where a run is cut
 * depends on the producer's cached tail, which the layout leaves open).
 * Afterwards, only that each result is one the header documents and every
 * view lies inside the data area. A region attach takes as a fixed-size ring
 * (kind 4) is only checked here: tests/fuzz/fuzz_spsc_fixed.c runs its calls. */
#include "fuzz.h"

#define MAX_MSGS 1024 /* more than a 2048-byte ring can hold (8 bytes a record at least) */

struct ref {
    uint64_t first[MAX_MSGS]; /* stream offset of each queued message's first byte */
    uint32_t len[MAX_MSGS];
    uint32_t end[MAX_MSGS];   /* the consumer's tail once it has taken the message */
    uint32_t head, tail;      /* queued: tail .. head (mod MAX_MSGS) */
    uint64_t next;            /* stream offset of the next message sent */
    uint32_t pos_head;        /* ring positions: where the next record goes, */
    uint32_t pos_tail;        /* and where the consumer's tail is */
    uint32_t cap;
    int honest, closed;
};

static uint32_t ref_count(const struct ref *m) { return m->head - m->tail; }

static uint32_t rec_bytes(uint32_t len) { return SABQ_REC_HDR + ((len + 7u) & ~7u); }

/* The padding a record of `len` bytes needs before it at the reference head:
 * the rest of the area when the record does not fit before its end. */
static uint32_t ref_skip(const struct ref *m, uint32_t len)
{
    uint32_t to_end = m->cap - (m->pos_head & (m->cap - 1));
    return rec_bytes(len) > to_end ? to_end : 0;
}

/* Whether a record of `len` bytes, padding included, fits in the free room. */
static int ref_fits(const struct ref *m, uint32_t len)
{
    return ref_skip(m, len) + rec_bytes(len) <= m->cap - (m->pos_head - m->pos_tail);
}

static void fill(uint8_t *dst, uint64_t first, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        dst[i] = fuzz_byte(first + i);
}

/* A message sent, which the consumer will have taken once its tail is at `end`. */
static void ref_push(struct ref *m, uint32_t len, uint32_t end)
{
    if (!m->honest)
        return;
    FUZZ_CHECK(ref_count(m) < MAX_MSGS, "reference queue overflow");
    m->first[m->head % MAX_MSGS] = m->next;
    m->len[m->head % MAX_MSGS] = len;
    m->end[m->head % MAX_MSGS] = end;
    m->head++;
    m->next += len;
    m->pos_head = end;
}

/* A record of `len` bytes sent at the reference head (`reserved` bytes were
 * asked for: the padding was decided for those). */
static void ref_push_record(struct ref *m, uint32_t reserved, uint32_t len)
{
    ref_push(m, len, m->pos_head + ref_skip(m, reserved) + rec_bytes(len));
}

/* The consumer took `k` messages: its tail must be past the last of them. */
static void ref_take(struct ref *m, const sabq_spsc *cons, uint32_t k)
{
    if (!m->honest || k == 0)
        return;
    m->pos_tail = m->end[(m->tail + k - 1) % MAX_MSGS];
    m->tail += k;
    uint32_t tail = atomic_load_explicit(&cons->shm->cons.tail, memory_order_relaxed);
    FUZZ_CHECK(tail == m->pos_tail, "tail %u, the layout puts it at %u", tail, m->pos_tail);
}

/* After a producer call: head where the reference put the last record. */
static void ref_check_head(const struct ref *m, const sabq_spsc *prod)
{
    if (!m->honest)
        return;
    uint32_t head = atomic_load_explicit(&prod->shm->prod.head, memory_order_relaxed);
    FUZZ_CHECK(head == m->pos_head, "head %u, the layout puts it at %u", head, m->pos_head);
}

/* A message the ring handed out: with an honest peer it must be the oldest. */
static void ref_expect(const struct ref *m, uint32_t k, const uint8_t *data, uint32_t len)
{
    if (!m->honest)
        return;
    FUZZ_CHECK(k < ref_count(m), "a message that was never sent");
    uint32_t at = (m->tail + k) % MAX_MSGS;
    FUZZ_CHECK(len == m->len[at], "length %u, sent %u", len, m->len[at]);
    for (uint32_t i = 0; i < len; i++)
        FUZZ_CHECK(data[i] == fuzz_byte(m->first[at] + i), "byte %u of a message differs", i);
}

/* A send of `len` bytes: accepted exactly when its record fits. */
static void expect_send(const struct ref *m, const sabq_spsc *r, int rc, uint32_t len)
{
    if (!m->honest) {
        FUZZ_RC(rc, 0, -EAGAIN, -EMSGSIZE, -EPIPE, -EPROTO);
        return;
    }
    if (m->closed)
        FUZZ_CHECK(rc == -EPIPE, "send on a closed ring: %d", rc);
    else if (len > r->msg_max)
        FUZZ_CHECK(rc == -EMSGSIZE, "send of %u > msg_max: %d", len, rc);
    else
        FUZZ_CHECK(rc == (ref_fits(m, len) ? 0 : -EAGAIN),
                   "send of %u: %d (%u queued, head %u, tail %u, capacity %u)", len, rc, ref_count(m),
                   m->pos_head, m->pos_tail, m->cap);
}

/* A batch sent `sent` of its `n` messages (sent > 0): read back what it wrote
 * from the reference head, record by record, as the layout says it must be:
 * sealed at its position, lengths those of the batch, runs of at least three
 * equal messages, padding only where what follows would not fit before the
 * end; then it must have stopped only at a message that does not fit. */
static void expect_batch(struct ref *m, const sabq_spsc *r, const sabq_iov *iov, uint32_t n, uint32_t sent)
{
    if (!m->honest)
        return;
    uint32_t k = 0;
    while (k < sent) {
        uint32_t pos = m->pos_head, off = pos & r->mask, padded = 0;
        const uint32_t *h = (const uint32_t *)(const void *)(r->data + off);
        FUZZ_CHECK(h[1] == SABQ_SEAL(pos), "batch message %u: seal %u at %u", k, h[1], pos);
        if (h[0] == SABQ_REC_PAD) {
            FUZZ_CHECK(off != 0, "padding at offset 0");
            padded = r->cap - off;
            pos += padded;
            off = 0;
            h = (const uint32_t *)(const void *)r->data;
            FUZZ_CHECK(h[1] == SABQ_SEAL(pos), "batch message %u after padding: seal %u at %u", k, h[1], pos);
        }
        uint32_t room = r->cap - off;
        if (h[0] == SABQ_REC_RUN) {
            FUZZ_CHECK(room >= SABQ_RUN_HDR, "a run header past the end of the area");
            const struct sabq_run *run = (const struct sabq_run *)(const void *)h;
            uint32_t elem = run->elem_len, count = run->count, stride = (elem + 7u) & ~7u;
            FUZZ_CHECK(count >= 3 && count <= sent - k, "a run of %u in a batch of %u from %u", count, sent, k);
            for (uint32_t i = 0; i < count; i++)
                FUZZ_CHECK(iov[k + i].len == elem, "a run of %u-byte messages holds one of %u", elem,
                           iov[k + i].len);
            FUZZ_CHECK(SABQ_RUN_HDR + count * stride <= room, "a run past the end of the area");
            FUZZ_CHECK(!padded || padded < SABQ_RUN_HDR + 3 * stride,
                       "a run padded to offset 0 though three messages fit in the %u bytes before the end",
                       padded);
            m->pos_head = pos;
            for (uint32_t i = 0; i < count; i++)
                ref_push(m, elem, pos + SABQ_RUN_HDR + (i + 1) * stride);
            k += count;
        } else {
            FUZZ_CHECK(h[0] == iov[k].len, "batch message %u: length %u, sent %u", k, h[0], iov[k].len);
            FUZZ_CHECK(rec_bytes(h[0]) <= room, "a record past the end of the area");
            FUZZ_CHECK(!padded || rec_bytes(h[0]) > padded,
                       "a record padded to offset 0 though it fits in the %u bytes before the end", padded);
            ref_push(m, h[0], pos + rec_bytes(h[0]));
            k++;
        }
        FUZZ_CHECK(m->pos_head - m->pos_tail <= r->cap, "a batch wrote past the consumer's tail");
    }
    if (sent < n)
        FUZZ_CHECK(iov[sent].len > r->msg_max || !ref_fits(m, iov[sent].len),
                   "a batch stopped at message %u of %u, which fits", sent, n);
    ref_check_head(m, r);
}

/* A receive that found nothing: right only if nothing is queued. */
static void expect_empty(const struct ref *m, int rc)
{
    if (m->honest) {
        FUZZ_CHECK(ref_count(m) == 0, "%d with %u messages queued", rc, ref_count(m));
        FUZZ_CHECK(rc == (m->closed ? -EPIPE : -EAGAIN), "empty ring said %d", rc);
    }
}

static void check_view(const sabq_spsc *r, const sabq_spsc_view *v)
{
    FUZZ_CHECK(v->len <= r->msg_max, "view of %u bytes > msg_max", v->len);
    FUZZ_CHECK(fuzz_inside(v->data, v->len, r->data, r->cap), "view outside the data area");
}

enum { OP_SEND, OP_RESERVE, OP_SEND_BATCH, OP_SEND_WAIT, OP_RECV, OP_PEEK, OP_RECV_BATCH,
       OP_RECV_WAIT, OP_PEEK_WAIT, OP_CLOSE, OP_USED, OP_SCRIBBLE, OP_COUNT };

static void run_script(struct fuzz_input *in, const struct fuzz_region *reg, const sabq_spsc *prod,
                       const sabq_spsc *cons, struct ref *m)
{
    static uint8_t buf[8][2048], out[8][2048];
    while (in->left) {
        uint8_t op = fuzz_u8(in) % OP_COUNT;
        uint32_t len = fuzz_u16(in) % (prod->msg_max + 16); /* now and then too long */
        int rc;
        switch (op) {
        case OP_SEND:
            fill(buf[0], m->next, len);
            rc = sabq_spsc_send(prod, buf[0], len);
            expect_send(m, prod, rc, len);
            if (rc == 0)
                ref_push_record(m, len, len);
            ref_check_head(m, prod);
            break;
        case OP_RESERVE: { /* reserve, fill, commit (maybe fewer bytes, maybe not at all) */
            sabq_spsc_resv w;
            rc = sabq_spsc_reserve(prod, len, &w);
            expect_send(m, prod, rc, len);
            if (rc < 0)
                break;
            FUZZ_CHECK(w.len == len && fuzz_inside(w.data, len, prod->data, prod->cap),
                       "reservation outside the data area");
            uint8_t how = fuzz_u8(in);
            if (how % 4 == 0)
                break; /* abandoned: nothing may show */
            uint32_t n = how % 4 == 1 && len ? len - 1 - fuzz_u8(in) % len : len;
            fill(w.data, m->next, n);
            FUZZ_CHECK(sabq_spsc_commit(prod, &w, len + 1) == -EINVAL, "commit beyond the reservation");
            FUZZ_CHECK(sabq_spsc_commit(prod, &w, n) == 0, "commit");
            ref_push_record(m, len, n);
            ref_check_head(m, prod);
            break;
        }
        case OP_SEND_BATCH: {
            uint32_t n = 1 + fuzz_u8(in) % 8;
            sabq_iov iov[8];
            uint64_t at = m->next;
            for (uint32_t i = 0; i < n; i++) {
                uint32_t l = i == 0 ? len : fuzz_u16(in) % (prod->msg_max + 1);
                fill(buf[i], at, l);
                iov[i] = (sabq_iov){buf[i], l};
                at += l;
            }
            rc = sabq_spsc_send_batch(prod, iov, n);
            if (rc <= 0) {
                expect_send(m, prod, rc, len);
                ref_check_head(m, prod);
                break;
            }
            FUZZ_CHECK((uint32_t)rc <= n, "sent %d of %u", rc, n);
            FUZZ_CHECK(!m->honest || !m->closed, "a batch sent on a closed ring");
            expect_batch(m, prod, iov, n, (uint32_t)rc);
            break;
        }
        case OP_SEND_WAIT:
            fill(buf[0], m->next, len);
            rc = sabq_spsc_send_wait(prod, buf[0], len, fuzz_timeout(in));
            if (rc == -ETIMEDOUT)
                rc = -EAGAIN; /* the same verdict for the checks */
            expect_send(m, prod, rc, len);
            if (rc == 0)
                ref_push_record(m, len, len);
            ref_check_head(m, prod);
            break;
        case OP_RECV:
        case OP_RECV_WAIT: {
            uint32_t room = fuzz_u16(in) % 2048;
            rc = op == OP_RECV ? sabq_spsc_recv(cons, out[0], room)
                               : sabq_spsc_recv_wait(cons, out[0], room, fuzz_timeout(in));
            if (rc == -ETIMEDOUT)
                rc = -EAGAIN;
            if (rc >= 0) {
                FUZZ_CHECK((uint32_t)rc <= room && (uint32_t)rc <= cons->msg_max, "length %d", rc);
                ref_expect(m, 0, out[0], (uint32_t)rc);
                ref_take(m, cons, 1);
            } else if (rc == -EMSGSIZE) {
                if (m->honest)
                    FUZZ_CHECK(ref_count(m) && m->len[m->tail % MAX_MSGS] > room, "-EMSGSIZE");
            } else if (rc == -EAGAIN || rc == -EPIPE) {
                expect_empty(m, rc);
            } else {
                FUZZ_CHECK(rc == -EPROTO && !m->honest, "recv: %d", rc);
            }
            break;
        }
        case OP_PEEK:
        case OP_PEEK_WAIT: { /* peek, peek_next a few, release all or none */
            sabq_spsc_view v;
            rc = op == OP_PEEK ? sabq_spsc_peek(cons, &v)
                               : sabq_spsc_peek_wait(cons, &v, fuzz_timeout(in));
            if (rc == -ETIMEDOUT)
                rc = -EAGAIN;
            if (rc < 0) {
                if (rc == -EPROTO)
                    FUZZ_CHECK(!m->honest, "peek: -EPROTO from an honest peer");
                else
                    expect_empty(m, rc);
                break;
            }
            check_view(cons, &v);
            ref_expect(m, 0, v.data, v.len);
            uint32_t seen = 1, more = fuzz_u8(in) % 4;
            sabq_spsc_view last = v;
            while (more--) {
                rc = sabq_spsc_peek_next(cons, &v);
                if (rc < 0) {
                    FUZZ_RC(rc, -EAGAIN, -EPIPE, -EPROTO);
                    if (m->honest)
                        FUZZ_CHECK(rc != -EPROTO && seen == ref_count(m), "peek_next: %d", rc);
                    break;
                }
                check_view(cons, &v);
                ref_expect(m, seen, v.data, v.len);
                seen++;
                last = v;
            }
            if (fuzz_u8(in) & 1) {
                sabq_spsc_release(cons, &last);
                ref_take(m, cons, seen);
            }
            break;
        }
        case OP_RECV_BATCH: {
            uint32_t n = 1 + fuzz_u8(in) % 8;
            sabq_iov iov[8];
            for (uint32_t i = 0; i < n; i++)
                iov[i] = (sabq_iov){out[i], fuzz_u16(in) % 2048};
            uint32_t room0 = iov[0].len;
            rc = sabq_spsc_recv_batch(cons, iov, n);
            if (rc > 0) {
                FUZZ_CHECK((uint32_t)rc <= n, "received %d of %u", rc, n);
                for (int i = 0; i < rc; i++) {
                    FUZZ_CHECK(iov[i].len <= cons->msg_max, "length %u", iov[i].len);
                    ref_expect(m, (uint32_t)i, out[i], iov[i].len);
                }
                ref_take(m, cons, (uint32_t)rc);
            } else if (rc == -EMSGSIZE) {
                if (m->honest)
                    FUZZ_CHECK(ref_count(m) && m->len[m->tail % MAX_MSGS] > room0, "-EMSGSIZE");
            } else if (rc == -EAGAIN || rc == -EPIPE) {
                expect_empty(m, rc);
            } else {
                FUZZ_CHECK(rc == -EPROTO && !m->honest, "recv_batch: %d", rc);
            }
            break;
        }
        case OP_CLOSE:
            sabq_spsc_close(fuzz_u8(in) & 1 ? prod : cons);
            FUZZ_CHECK(sabq_spsc_is_closed(cons), "closed and not closed");
            m->closed = 1;
            break;
        case OP_USED: {
            uint32_t used = sabq_spsc_used(prod);
            FUZZ_CHECK(used <= prod->cap, "used %u > capacity", used);
            if (m->honest)
                FUZZ_CHECK(used == m->pos_head - m->pos_tail, "used %u with %u queued, the layout says %u",
                           used, ref_count(m), m->pos_head - m->pos_tail);
            break;
        }
        case OP_SCRIBBLE:
            m->honest = !fuzz_scribble(in, reg);
            m->closed = m->closed || sabq_spsc_is_closed(prod);
            break;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ref m;
    struct fuzz_input in = {data, size};
    fuzz_setup();
    memset(&m, 0, sizeof m);
    uint8_t mode = fuzz_u8(&in);
    sabq_spsc prod, cons;
    struct fuzz_region reg;
    if (mode & 1) { /* attach whatever the input holds */
        reg = fuzz_region_from_input(&in, 4400);
        size_t rsize = reg.size;
        int rc = sabq_spsc_attach(&prod, reg.mem, rsize);
        FUZZ_RC(rc, 0, -EINVAL, -EPROTO);
        FUZZ_CHECK(rc != -EINVAL || rsize < SABQ_DATA_OFFSET, "-EINVAL for a %zu-byte region", rsize);
        if (rc == 0 && prod.stride) { /* a fixed ring (kind 4): fuzz_spsc_fixed runs its script */
            FUZZ_CHECK(SABQ_DATA_OFFSET + (uint64_t)prod.cap * prod.stride <= rsize &&
                       prod.stride == sabq_spsc_fixed_stride(prod.msg_max), "fixed ring: %u x %u in %zu bytes",
                       prod.cap, prod.stride, rsize);
        } else if (rc == 0) {
            FUZZ_CHECK(SABQ_DATA_OFFSET + (size_t)prod.cap <= rsize, "ring larger than the region");
            FUZZ_CHECK(prod.msg_max <= sabq_spsc_msg_limit(prod.cap), "msg_max %u", prod.msg_max);
            cons = prod;
            run_script(&in, &reg, &prod, &cons, &m);
        }
    } else { /* lay out a ring, the data area holding input bytes */
        uint32_t cap = 16u << (fuzz_u8(&in) % 8);
        uint32_t msg_max = fuzz_u16(&in) % (sabq_spsc_msg_limit(cap) + 1);
        size_t rsize = sabq_spsc_size(cap);
        reg = fuzz_region_new(rsize);
        fuzz_bytes(&in, reg.mem, rsize < 512 ? rsize : 512);
        FUZZ_CHECK(sabq_spsc_init(&prod, reg.mem, rsize, cap, msg_max) == 0, "init");
        if (mode & 2) { /* indices a few laps below 2^32, so they wrap during the script */
            struct sabq_region *s = (struct sabq_region *)reg.mem;
            uint32_t start = 0u - cap * (1u + fuzz_u8(&in) % 4);
            atomic_store(&s->prod.head, start);
            s->prod.tail_cache = start;
            atomic_store(&s->cons.tail, start);
            s->cons.head_cache = start;
            s->cons.run_end = start; /* "no run", as a ring that got there has it */
            m.pos_head = m.pos_tail = start;
        }
        m.cap = cap;
        FUZZ_CHECK(sabq_spsc_attach(&cons, reg.mem, rsize) == 0, "attach to a fresh ring");
        m.honest = 1;
        run_script(&in, &reg, &prod, &cons, &m);
    }
    fuzz_region_free(&reg);
    return 0;
}
