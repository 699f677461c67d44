/* tests/fuzz/fuzz_spsc_fixed.c — libFuzzer target for the SPSC ring in its
 * fixed-size form (kind 4, lib/spsc_fixed.c): attach a region taken from the
 * input, or lay one out with sabq_spsc_init_fixed and fuzzed geometry (and
 * indices started just below 2^32 when the input says so), then run a script
 * of every producer and consumer call, with messages and buffers of the
 * ring's length and of others, and the peer's scribbles in between. While
 * the peer is honest every result is checked against a reference: the exact
 * messages, in order, never -EPROTO, head and tail counting messages, a send
 * refused with -EAGAIN exactly when every slot is taken, a batch stopped
 * only at a message of another length, a short buffer or the room there is
 * (the caches are reloaded when they show less than a batch asks). Always: each result is one the
 * header documents, a message of another length is never taken, no batch
 * sends or receives more than a ring's worth, every view and reservation is
 * one slot of the data area, and any geometry sizes and lays out as the
 * header says. The caller's buffers end where ASan poison starts, so a copy
 * one byte too long is caught like one outside the region.
 * A target of its own, not a mode of fuzz_spsc.c: its reference counts
 * slots, where that one's follows byte positions, padding and run records. */
#include "fuzz.h"

#define ROW 4096 /* bytes of a caller's buffer at most (more than any message
                   * of a ring in a 4096-byte input, plus 16); poisoned after */
#define MAX_LEN 1024 /* longest message length a laid-out ring gets */
#define MAX_DATA 16384 /* largest data area a laid-out ring gets */

/* The caller's buffers: each row ends at ROW, where the poison starts. */
static uint8_t bufs[2][8][ROW + 64] __attribute__((aligned(64)));

/* A buffer of n bytes for message i of a batch on one side (0: to send,
 * 1: to receive into), ending where the poison starts. */
static uint8_t *buf_end(int side, uint32_t i, uint32_t n) { return &bufs[side][i][ROW - n]; }

struct ref {
    uint32_t pos_head, pos_tail; /* the ring's head and tail as the layout has them */
    uint32_t start;              /* where they started: message k is at start + k */
    uint32_t slots, msg_len;
    int honest, closed;
};

static uint32_t ref_count(const struct ref *m) { return m->pos_head - m->pos_tail; }

/* The bytes of the message at ring position `pos`: a function of its number. */
static uint8_t msg_byte(const struct ref *m, uint32_t pos, uint32_t i)
{
    return fuzz_byte((uint64_t)(pos - m->start) * m->msg_len + i);
}

static void fill(const struct ref *m, uint8_t *dst, uint32_t pos, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        dst[i] = msg_byte(m, pos, i);
}

/* A length from the input: 0 means the ring's (the common case, and what a
 * run of zero bytes gives), else any length up to 15 past it. */
static uint32_t pick_len(struct fuzz_input *in, uint32_t msg_len)
{
    uint16_t v = fuzz_u16(in);
    return v == 0 ? msg_len : (uint32_t)(v - 1) % (msg_len + 16);
}

/* A receive buffer's size: 0 means exactly the message, else up to ROW - 1. */
static uint32_t pick_room(struct fuzz_input *in, uint32_t msg_len)
{
    uint16_t v = fuzz_u16(in);
    return v == 0 ? msg_len : (uint32_t)(v - 1) % ROW;
}

/* What a send of `len` bytes must return for a wrong length (0 if right). */
static int wrong_len(const sabq_spsc *r, uint32_t len)
{
    return len == r->msg_max ? 0 : len > r->msg_max ? -EMSGSIZE : -EINVAL;
}

/* After a producer call: head where the reference has it. */
static void ref_check_head(const struct ref *m, const sabq_spsc *prod)
{
    if (!m->honest)
        return;
    uint32_t head = atomic_load_explicit(&prod->shm->prod.head, memory_order_relaxed);
    FUZZ_CHECK(head == m->pos_head, "head %u, the reference has %u", head, m->pos_head);
}

/* The consumer took `k` messages: its tail must be past them. */
static void ref_take(struct ref *m, const sabq_spsc *cons, uint32_t k)
{
    if (!m->honest)
        return;
    FUZZ_CHECK(k <= ref_count(m), "took %u of %u queued", k, ref_count(m));
    m->pos_tail += k;
    uint32_t tail = atomic_load_explicit(&cons->shm->cons.tail, memory_order_relaxed);
    FUZZ_CHECK(tail == m->pos_tail, "tail %u, the reference has %u", tail, m->pos_tail);
}

/* The k-th queued message as the ring handed it out: with an honest peer, the
 * exact one. */
static void ref_expect(const struct ref *m, uint32_t k, const uint8_t *data)
{
    if (!m->honest)
        return;
    FUZZ_CHECK(k < ref_count(m), "message %u handed out, %u queued", k, ref_count(m));
    for (uint32_t i = 0; i < m->msg_len; i++)
        FUZZ_CHECK(data[i] == msg_byte(m, m->pos_tail + k, i), "byte %u of message %u (position %u) differs",
                   i, k, m->pos_tail + k);
}

/* One slot of the data area, aligned as the header says. */
static void check_slot(const sabq_spsc *r, const void *p, const char *what)
{
    uintptr_t off = (uintptr_t)((const uint8_t *)p - r->data);
    FUZZ_CHECK(fuzz_inside(p, r->stride, r->data, (size_t)r->cap * r->stride) && off % r->stride == 0,
               "%s at offset %ld of a %u x %u data area", what, (long)((const uint8_t *)p - r->data), r->cap,
               r->stride);
    FUZZ_CHECK(((uintptr_t)p & (r->stride == 4 ? 3u : 7u)) == 0, "%s misaligned", what);
}

/* A send of `len` bytes: accepted exactly when its length is the ring's and
 * a slot is free. Whatever the peer did, a message of another length is
 * refused for its length (or for the close); on an honest closed ring, for
 * the close. */
static void expect_send(const struct ref *m, const sabq_spsc *r, int rc, uint32_t len)
{
    int wrong = wrong_len(r, len);
    FUZZ_RC(rc, 0, -EAGAIN, -EMSGSIZE, -EINVAL, -EPIPE, -EPROTO);
    FUZZ_CHECK(!wrong || rc == wrong || rc == -EPIPE, "send of %u bytes, the ring's are %u: %d", len,
               r->msg_max, rc);
    FUZZ_CHECK(wrong || (rc != -EMSGSIZE && rc != -EINVAL), "send of the ring's length: %d", rc);
    if (!m->honest)
        return;
    if (m->closed) /* the close is reported before the length, as in the record form */
        FUZZ_CHECK(rc == -EPIPE, "send on a closed ring: %d", rc);
    else if (!wrong)
        FUZZ_CHECK(rc == (ref_count(m) < m->slots ? 0 : -EAGAIN), "send: %d with %u of %u slots taken", rc,
                   ref_count(m), m->slots);
}

/* A receive that found nothing: right only if nothing is queued. */
static void expect_empty(const struct ref *m, int rc)
{
    if (m->honest) {
        FUZZ_CHECK(ref_count(m) == 0, "%d with %u messages queued", rc, ref_count(m));
        FUZZ_CHECK(rc == (m->closed ? -EPIPE : -EAGAIN), "empty ring said %d", rc);
    }
}

enum { OP_SEND, OP_RESERVE, OP_SEND_BATCH, OP_SEND_WAIT, OP_RECV, OP_PEEK, OP_RECV_BATCH,
       OP_RECV_WAIT, OP_PEEK_WAIT, OP_CLOSE, OP_USED, OP_SCRIBBLE, OP_GEOMETRY, OP_COUNT };

/* Any slots and length: the size is 256 + slots x stride or 0 exactly when
 * the header says, and init of a 512-byte region (poisoned after) succeeds
 * exactly when the ring fits, writing nothing past it, and attach agrees. */
static void check_geometry(uint32_t slots, uint32_t msg_len)
{
    uint32_t stride = sabq_spsc_fixed_stride(msg_len);
    uint64_t want = SABQ_DATA_OFFSET + (uint64_t)slots * stride;
    int valid = slots >= 2 && slots <= SABQ_CAP_MAX && (slots & (slots - 1)) == 0 && msg_len >= 1 &&
                msg_len <= SABQ_FIXED_MSG_MAX && want <= UINT32_MAX;
    FUZZ_CHECK(stride == (msg_len == 0 || msg_len > SABQ_FIXED_MSG_MAX ? 0 : msg_len <= 4 ? 4 : (msg_len + 7) & ~7u),
               "stride %u for %u bytes", stride, msg_len);
    size_t size = sabq_spsc_fixed_size(slots, msg_len);
    FUZZ_CHECK(size == (valid ? want : 0), "%u slots of %u bytes: size %zu", slots, msg_len, size);
    struct fuzz_region scratch = fuzz_region_new(512);
    sabq_spsc r, a;
    int rc = sabq_spsc_init_fixed(&r, scratch.mem, scratch.size, slots, msg_len);
    FUZZ_CHECK(rc == (valid && size <= scratch.size ? 0 : -EINVAL), "init of %u x %u in 512 bytes: %d", slots,
               msg_len, rc);
    if (rc == 0) {
        FUZZ_CHECK(sabq_spsc_attach(&a, scratch.mem, scratch.size) == 0 && memcmp(&a, &r, sizeof a) == 0,
                   "attach to a fresh %u x %u ring", slots, msg_len);
        FUZZ_CHECK(sabq_spsc_attach(&a, scratch.mem, size - 1) == -EPROTO, "attach to a region one byte short");
    }
    fuzz_region_free(&scratch);
}

static void run_script(struct fuzz_input *in, const struct fuzz_region *reg, const sabq_spsc *prod,
                       const sabq_spsc *cons, struct ref *m)
{
    while (in->left) {
        uint8_t op = fuzz_u8(in) % OP_COUNT;
        uint32_t len = pick_len(in, prod->msg_max);
        int rc;
        switch (op) {
        case OP_SEND:
        case OP_SEND_WAIT: {
            uint8_t *b = buf_end(0, 0, len);
            fill(m, b, m->pos_head, len);
            rc = op == OP_SEND ? sabq_spsc_send(prod, b, len)
                               : sabq_spsc_send_wait(prod, b, len, fuzz_timeout(in));
            if (rc == -ETIMEDOUT)
                rc = -EAGAIN; /* the same verdict for the checks */
            expect_send(m, prod, rc, len);
            if (rc == 0)
                m->pos_head++;
            ref_check_head(m, prod);
            break;
        }
        case OP_RESERVE: { /* reserve, fill, commit (after wrong lengths, maybe not at all) */
            sabq_spsc_resv w;
            rc = sabq_spsc_reserve(prod, len, &w);
            expect_send(m, prod, rc, len);
            if (rc < 0)
                break;
            FUZZ_CHECK(w.len == prod->msg_max, "reserved %u bytes of a %u-byte ring", w.len, prod->msg_max);
            check_slot(prod, w.data, "reservation");
            if (m->honest)
                FUZZ_CHECK(w.data == prod->data + (size_t)(m->pos_head & prod->mask) * prod->stride,
                           "reservation not at head's slot");
            uint8_t how = fuzz_u8(in);
            if (how % 4 == 0) {
                ref_check_head(m, prod); /* abandoned: nothing may show */
                break;
            }
            if (how % 4 == 1) {
                FUZZ_CHECK(sabq_spsc_commit(prod, &w, len + 1) == -EINVAL, "commit beyond the message");
                FUZZ_CHECK(sabq_spsc_commit(prod, &w, len - 1) == -EINVAL, "commit of a shorter message");
                ref_check_head(m, prod); /* refused commits publish nothing */
            }
            fill(m, w.data, m->pos_head, len);
            FUZZ_CHECK(sabq_spsc_commit(prod, &w, len) == 0, "commit");
            if (m->honest)
                m->pos_head++;
            ref_check_head(m, prod);
            break;
        }
        case OP_SEND_BATCH: {
            uint32_t n = fuzz_u8(in) % 9, first_wrong = n;
            sabq_iov iov[8];
            for (uint32_t i = 0; i < n; i++) {
                uint32_t l = i == 0 ? len : pick_len(in, prod->msg_max);
                uint8_t *b = buf_end(0, i, l);
                fill(m, b, m->pos_head + i, l);
                iov[i] = (sabq_iov){b, l};
                if (l != prod->msg_max && first_wrong == n)
                    first_wrong = i;
            }
            rc = sabq_spsc_send_batch(prod, iov, n);
            if (n == 0) {
                FUZZ_CHECK(rc == 0 || rc == -EPIPE, "an empty batch: %d", rc);
                break;
            }
            if (rc <= 0) {
                FUZZ_CHECK(rc < 0, "a batch of %u sent none and said 0", n);
                expect_send(m, prod, rc, len);
                ref_check_head(m, prod);
                break;
            }
            FUZZ_CHECK((uint32_t)rc <= first_wrong, "sent %d of a batch whose message %u is %u bytes", rc,
                       first_wrong, first_wrong < n ? iov[first_wrong].len : 0);
            FUZZ_CHECK((uint32_t)rc <= prod->cap, "sent %d into %u slots", rc, prod->cap);
            if (m->honest) {
                /* As many as fit (the header): a producer whose cached tail
                 * shows fewer free slots than the batch holds reloads it. */
                uint32_t free = m->slots - ref_count(m), want = first_wrong < free ? first_wrong : free;
                FUZZ_CHECK(!m->closed, "a batch sent on a closed ring");
                FUZZ_CHECK((uint32_t)rc == want, "sent %d of %u: %u free slots, message %u of another length",
                           rc, n, free, first_wrong);
                m->pos_head += (uint32_t)rc;
            }
            ref_check_head(m, prod);
            break;
        }
        case OP_RECV:
        case OP_RECV_WAIT: {
            uint32_t room = pick_room(in, cons->msg_max);
            uint8_t *b = buf_end(1, 0, room);
            rc = op == OP_RECV ? sabq_spsc_recv(cons, b, room)
                               : sabq_spsc_recv_wait(cons, b, room, fuzz_timeout(in));
            if (rc == -ETIMEDOUT)
                rc = -EAGAIN;
            FUZZ_RC(rc, 0, -EAGAIN, -EMSGSIZE, -EPIPE, -EPROTO);
            if (rc >= 0) {
                FUZZ_CHECK((uint32_t)rc == cons->msg_max && room >= cons->msg_max,
                           "received %d bytes into %u, the ring's are %u", rc, room, cons->msg_max);
                ref_expect(m, 0, b);
                ref_take(m, cons, 1);
            } else if (rc == -EMSGSIZE) {
                FUZZ_CHECK(room < cons->msg_max, "-EMSGSIZE into %u bytes", room);
                if (m->honest)
                    FUZZ_CHECK(ref_count(m) > 0, "-EMSGSIZE from an empty ring");
            } else if (rc == -EPROTO) {
                FUZZ_CHECK(!m->honest, "recv: -EPROTO from an honest peer");
            } else {
                expect_empty(m, rc);
            }
            if (rc < 0)
                ref_take(m, cons, 0); /* whatever failed, the tail stays */
            break;
        }
        case OP_PEEK:
        case OP_PEEK_WAIT: { /* peek, peek_next a few, release up to one of them or none */
            sabq_spsc_view v, seen_v[4];
            rc = op == OP_PEEK ? sabq_spsc_peek(cons, &v) : sabq_spsc_peek_wait(cons, &v, fuzz_timeout(in));
            if (rc == -ETIMEDOUT)
                rc = -EAGAIN;
            FUZZ_RC(rc, 0, -EAGAIN, -EPIPE, -EPROTO);
            if (rc < 0) {
                if (rc == -EPROTO)
                    FUZZ_CHECK(!m->honest, "peek: -EPROTO from an honest peer");
                else
                    expect_empty(m, rc);
                break;
            }
            uint32_t seen = 0, more = fuzz_u8(in) % 4;
            for (;;) {
                FUZZ_CHECK((uint32_t)rc == cons->msg_max && v.len == cons->msg_max, "a view of %u bytes (%d)",
                           v.len, rc);
                check_slot(cons, v.data, "view");
                if (m->honest)
                    FUZZ_CHECK(v.next == m->pos_tail + seen + 1 && v.data == cons->data +
                               (size_t)((m->pos_tail + seen) & cons->mask) * cons->stride,
                               "view %u: next %u, not of position %u", seen, v.next, m->pos_tail + seen);
                ref_expect(m, seen, v.data);
                seen_v[seen++] = v;
                if (!more--)
                    break;
                rc = sabq_spsc_peek_next(cons, &v);
                FUZZ_RC(rc, 0, -EAGAIN, -EPIPE, -EPROTO);
                if (rc < 0) {
                    FUZZ_CHECK(v.next == seen_v[seen - 1].next, "a failed peek_next changed the view");
                    if (m->honest)
                        FUZZ_CHECK(seen == ref_count(m) && rc == (m->closed ? -EPIPE : -EAGAIN),
                                   "peek_next after %u of %u: %d", seen, ref_count(m), rc);
                    break;
                }
            }
            uint8_t rel = fuzz_u8(in);
            if (rel & 1) {
                uint32_t k = (uint32_t)(rel >> 1) % seen;
                sabq_spsc_release(cons, &seen_v[k]);
                ref_take(m, cons, k + 1);
            }
            break;
        }
        case OP_RECV_BATCH: {
            uint32_t n = fuzz_u8(in) % 9, first_short = n;
            sabq_iov iov[8];
            for (uint32_t i = 0; i < n; i++) {
                uint32_t room = i == 0 ? (len > ROW - 1 ? ROW - 1 : len) : pick_room(in, cons->msg_max);
                iov[i] = (sabq_iov){buf_end(1, i, room), room};
                if (room < cons->msg_max && first_short == n)
                    first_short = i;
            }
            rc = sabq_spsc_recv_batch(cons, iov, n);
            if (n == 0) {
                FUZZ_CHECK(rc == 0, "an empty batch: %d", rc);
                break;
            }
            FUZZ_RC(rc, 0, -EAGAIN, -EMSGSIZE, -EPIPE, -EPROTO);
            FUZZ_CHECK(rc != 0, "a batch of %u received none and said 0", n);
            if (rc > 0) {
                FUZZ_CHECK((uint32_t)rc <= first_short && (uint32_t)rc <= cons->cap,
                           "received %d: buffer %u too short, %u slots", rc, first_short, cons->cap);
                for (int i = 0; i < rc; i++) {
                    FUZZ_CHECK(iov[i].len == cons->msg_max, "length %u", iov[i].len);
                    ref_expect(m, (uint32_t)i, iov[i].base);
                }
                if (m->honest) {
                    /* All that are queued up to the first short buffer: a
                     * consumer whose cached head shows fewer than the batch
                     * asks for reloads it. */
                    uint32_t want = first_short < ref_count(m) ? first_short : ref_count(m);
                    FUZZ_CHECK((uint32_t)rc == want, "received %d of %u: %u queued, buffer %u short", rc, n,
                               ref_count(m), first_short);
                }
                ref_take(m, cons, (uint32_t)rc);
            } else if (rc == -EMSGSIZE) {
                FUZZ_CHECK(first_short == 0, "-EMSGSIZE with a first buffer of %u", iov[0].len);
                if (m->honest)
                    FUZZ_CHECK(ref_count(m) > 0, "-EMSGSIZE from an empty ring");
            } else if (rc == -EPROTO) {
                FUZZ_CHECK(!m->honest, "recv_batch: -EPROTO from an honest peer");
            } else {
                expect_empty(m, rc);
            }
            if (rc < 0)
                ref_take(m, cons, 0);
            break;
        }
        case OP_CLOSE:
            sabq_spsc_close(fuzz_u8(in) & 1 ? prod : cons);
            FUZZ_CHECK(sabq_spsc_is_closed(cons), "closed and not closed");
            m->closed = 1;
            break;
        case OP_USED: {
            uint32_t used = sabq_spsc_used(prod);
            FUZZ_CHECK(used <= prod->cap * prod->stride && used % prod->stride == 0, "used %u", used);
            if (m->honest)
                FUZZ_CHECK(used == ref_count(m) * prod->stride, "used %u with %u queued", used, ref_count(m));
            break;
        }
        case OP_SCRIBBLE:
            m->honest = !fuzz_scribble(in, reg);
            m->closed = m->closed || sabq_spsc_is_closed(prod);
            break;
        case OP_GEOMETRY: {
            uint32_t slots = fuzz_u32(in);
            check_geometry(slots, fuzz_u32(in));
            break;
        }
        }
    }
}

/* A handle attach or init filled: the geometry of a fixed ring in `size` bytes. */
static void check_handle(const sabq_spsc *r, const struct fuzz_region *reg)
{
    FUZZ_CHECK(r->stride != 0 && r->stride == sabq_spsc_fixed_stride(r->msg_max), "stride %u for %u bytes",
               r->stride, r->msg_max);
    FUZZ_CHECK(r->cap >= 2 && (r->cap & r->mask) == 0 && r->mask == r->cap - 1, "%u slots", r->cap);
    FUZZ_CHECK((uint8_t *)r->shm == reg->mem && r->data == reg->mem + SABQ_DATA_OFFSET, "data area");
    FUZZ_CHECK(SABQ_DATA_OFFSET + (uint64_t)r->cap * r->stride <= reg->size, "ring larger than the region");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ref m;
    static int poisoned;
    struct fuzz_input in = {data, size};
    fuzz_setup();
    if (!poisoned) {
        for (int s = 0; s < 2; s++)
            for (int i = 0; i < 8; i++)
                ASAN_POISON_MEMORY_REGION(&bufs[s][i][ROW], 64);
        poisoned = 1;
    }
    memset(&m, 0, sizeof m);
    uint8_t mode = fuzz_u8(&in);
    sabq_spsc prod, cons;
    struct fuzz_region reg;
    if (mode & 1) { /* attach whatever the input holds */
        reg = fuzz_region_from_input(&in, 4400);
        int rc = sabq_spsc_attach(&prod, reg.mem, reg.size);
        FUZZ_RC(rc, 0, -EINVAL, -EPROTO);
        FUZZ_CHECK(rc != -EINVAL || reg.size < SABQ_DATA_OFFSET, "-EINVAL for a %zu-byte region", reg.size);
        if (rc == 0 && prod.stride) { /* a variable-length ring is fuzz_spsc's */
            check_handle(&prod, &reg);
            FUZZ_CHECK(prod.msg_max + 16 <= ROW, "messages of %u bytes: buffers too short", prod.msg_max);
            cons = prod;
            run_script(&in, &reg, &prod, &cons, &m);
        }
    } else { /* lay out a ring, the data area holding input bytes */
        uint32_t slots = 2u << (fuzz_u8(&in) % 9);
        uint32_t msg_len = 1 + fuzz_u16(&in) % MAX_LEN, stride = sabq_spsc_fixed_stride(msg_len);
        while (slots > 2 && slots * stride > MAX_DATA)
            slots /= 2;
        size_t rsize = sabq_spsc_fixed_size(slots, msg_len);
        FUZZ_CHECK(stride >= msg_len && stride % 4 == 0 && stride < msg_len + 8 &&
                   rsize == SABQ_DATA_OFFSET + (size_t)slots * stride, "%u slots of %u bytes: stride %u, %zu bytes",
                   slots, msg_len, stride, rsize);
        reg = fuzz_region_new(rsize);
        fuzz_bytes(&in, reg.mem, rsize < 512 ? rsize : 512);
        /* Refused arguments write nothing (ASan would see past the region). */
        FUZZ_CHECK(sabq_spsc_init_fixed(&prod, reg.mem, rsize - 1, slots, msg_len) == -EINVAL, "init, short");
        FUZZ_CHECK(sabq_spsc_init_fixed(&prod, reg.mem, rsize, slots + 1, msg_len) == -EINVAL, "init, slots");
        FUZZ_CHECK(sabq_spsc_init_fixed(&prod, reg.mem, rsize, slots, 0) == -EINVAL, "init, length 0");
        FUZZ_CHECK(sabq_spsc_init_fixed(&prod, reg.mem, rsize, slots, msg_len) == 0, "init");
        check_handle(&prod, &reg);
        FUZZ_CHECK(prod.cap == slots && prod.msg_max == msg_len, "%u slots of %u bytes", prod.cap, prod.msg_max);
        m.slots = slots;
        m.msg_len = msg_len;
        if (mode & 2) { /* indices up to a few laps below 2^32, so they wrap during the script */
            struct sabq_region *s = (struct sabq_region *)reg.mem;
            uint32_t start = 0u - (1u + fuzz_u16(&in) % (4 * slots));
            atomic_store(&s->prod.head, start);
            s->prod.tail_cache = start;
            atomic_store(&s->cons.tail, start);
            s->cons.head_cache = start;
            m.pos_head = m.pos_tail = m.start = start;
        }
        FUZZ_CHECK(sabq_spsc_attach(&cons, reg.mem, rsize) == 0, "attach to a fresh ring");
        FUZZ_CHECK(memcmp(&cons, &prod, sizeof cons) == 0, "attach and init fill different handles");
        m.honest = 1;
        run_script(&in, &reg, &prod, &cons, &m);
    }
    fuzz_region_free(&reg);
    return 0;
}
