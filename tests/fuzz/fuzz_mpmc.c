/* tests/fuzz/fuzz_mpmc.c — libFuzzer target for the MPMC queue: attach a
 * region from the input or lay one out (tickets optionally just below 2^32),
 * then a script of every push and pop form, the slot calls the JS binding
 * uses (internal.h), close, and the peer's scribbles. While the peer is
 * honest the queue must match a reference FIFO exactly: push refused only
 * when full, closed or too long; pop gives the oldest message, byte for byte. */
#include "fuzz.h"
#include "internal.h"

#define MAX_MSGS 256 /* the most slots a fuzzed queue has */

struct ref {
    uint64_t first[MAX_MSGS];
    uint32_t len[MAX_MSGS];
    uint32_t head, tail;
    uint64_t next;
    int honest, closed;
};

static uint32_t count(const struct ref *m) { return m->head - m->tail; }

static void fill(uint8_t *dst, uint64_t first, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        dst[i] = fuzz_byte(first + i);
}

static void ref_push(struct ref *m, uint32_t len)
{
    m->first[m->head % MAX_MSGS] = m->next;
    m->len[m->head % MAX_MSGS] = len;
    m->head++;
    m->next += len;
}

static void ref_pop(struct ref *m, const uint8_t *data, uint32_t len)
{
    if (!m->honest)
        return;
    FUZZ_CHECK(count(m) > 0, "a message that was never pushed");
    uint32_t at = m->tail % MAX_MSGS;
    FUZZ_CHECK(len == m->len[at], "length %u, pushed %u", len, m->len[at]);
    for (uint32_t i = 0; i < len; i++)
        FUZZ_CHECK(data[i] == fuzz_byte(m->first[at] + i), "byte %u differs", i);
    m->tail++;
}

/* What an honest queue must answer to a push of `len` bytes. */
static int push_verdict(const struct ref *m, const sabq_mpmc *q, uint32_t len)
{
    if (len > q->msg_max)
        return -EMSGSIZE;
    if (m->closed)
        return -EPIPE;
    return count(m) == q->cap ? -EAGAIN : 0;
}

/* ... and to a pop into `room` bytes. */
static int pop_verdict(const struct ref *m, uint32_t room)
{
    if (count(m) == 0)
        return m->closed ? -EPIPE : -EAGAIN;
    return m->len[m->tail % MAX_MSGS] > room ? -EMSGSIZE : 0;
}

enum { OP_PUSH, OP_PUSH_BULK, OP_PUSH_WAIT, OP_POP, OP_POP_BULK, OP_POP_WAIT, OP_CLAIM_SLOT,
       OP_TAKE_SLOT, OP_CLOSE, OP_INFO, OP_SCRIBBLE, OP_COUNT };

static void run_script(struct fuzz_input *in, const struct fuzz_region *reg, const sabq_mpmc *q,
                       struct ref *m)
{
    static uint8_t buf[8][1100];
    while (in->left) {
        uint8_t op = fuzz_u8(in) % OP_COUNT;
        uint32_t len = fuzz_u16(in) % (q->msg_max + 8);
        int rc;
        switch (op) {
        case OP_PUSH:
        case OP_PUSH_WAIT:
            fill(buf[0], m->next, len);
            rc = op == OP_PUSH ? sabq_mpmc_push(q, buf[0], len)
                               : sabq_mpmc_push_wait(q, buf[0], len, fuzz_timeout(in));
            if (rc == -ETIMEDOUT)
                rc = -EAGAIN;
            if (m->honest)
                FUZZ_CHECK(rc == push_verdict(m, q, len), "push of %u: %d", len, rc);
            else
                FUZZ_RC(rc, 0, -EAGAIN, -EMSGSIZE, -EPIPE, -EPROTO);
            if (rc == 0 && m->honest)
                ref_push(m, len);
            break;
        case OP_PUSH_BULK: {
            uint32_t n = 1 + fuzz_u8(in) % 8, ok = 0;
            sabq_iov iov[8];
            uint64_t at = m->next;
            for (uint32_t i = 0; i < n; i++) {
                uint32_t l = i == 0 ? len : fuzz_u16(in) % (q->msg_max + 2);
                fill(buf[i], at, l);
                iov[i] = (sabq_iov){buf[i], l};
                at += l;
                if (ok == i && l <= q->msg_max)
                    ok++;
            }
            rc = sabq_mpmc_push_bulk(q, iov, n);
            if (m->honest) {
                uint32_t room = q->cap - count(m), want = ok < room ? ok : room;
                int verdict = ok == 0 ? -EMSGSIZE : m->closed ? -EPIPE : want == 0 ? -EAGAIN : (int)want;
                FUZZ_CHECK(rc == verdict, "push_bulk of %u: %d, expected %d", n, rc, verdict);
                for (int i = 0; i < rc; i++)
                    ref_push(m, iov[i].len);
            } else {
                FUZZ_RC(rc, 0, -EAGAIN, -EMSGSIZE, -EPIPE, -EPROTO);
                FUZZ_CHECK(rc <= (int)n, "pushed %d of %u", rc, n);
            }
            break;
        }
        case OP_POP:
        case OP_POP_WAIT: {
            uint32_t room = fuzz_u16(in) % (q->msg_max + 8);
            int verdict = pop_verdict(m, room);
            rc = op == OP_POP ? sabq_mpmc_pop(q, buf[0], room)
                              : sabq_mpmc_pop_wait(q, buf[0], room, fuzz_timeout(in));
            if (rc == -ETIMEDOUT)
                rc = -EAGAIN;
            if (rc >= 0) {
                FUZZ_CHECK((uint32_t)rc <= room && (uint32_t)rc <= q->msg_max, "length %d", rc);
                FUZZ_CHECK(!m->honest || verdict == 0, "pop: a message, expected %d", verdict);
                ref_pop(m, buf[0], (uint32_t)rc);
            } else if (m->honest) {
                FUZZ_CHECK(rc == verdict, "pop: %d, expected %d", rc, verdict);
            } else {
                FUZZ_RC(rc, -EAGAIN, -EMSGSIZE, -EPIPE, -EPROTO);
            }
            break;
        }
        case OP_POP_BULK: {
            uint32_t n = 1 + fuzz_u8(in) % 8;
            sabq_iov iov[8];
            for (uint32_t i = 0; i < n; i++)
                iov[i] = (sabq_iov){buf[i], i == 0 ? len : q->msg_max};
            int verdict = pop_verdict(m, iov[0].len);
            rc = sabq_mpmc_pop_bulk(q, iov, n);
            if (rc > 0) {
                FUZZ_CHECK((uint32_t)rc <= n, "popped %d of %u", rc, n);
                FUZZ_CHECK(!m->honest || verdict == 0, "pop_bulk: messages, expected %d", verdict);
                if (m->honest)
                    FUZZ_CHECK((uint32_t)rc == (n < count(m) ? n : count(m)), "pop_bulk: %d of %u",
                               rc, count(m));
                for (int i = 0; i < rc; i++) {
                    FUZZ_CHECK(iov[i].len <= q->msg_max, "length %u", iov[i].len);
                    ref_pop(m, buf[i], iov[i].len);
                }
            } else if (m->honest) {
                FUZZ_CHECK(rc == verdict, "pop_bulk: %d, expected %d", rc, verdict);
            } else {
                FUZZ_RC(rc, -EAGAIN, -EMSGSIZE, -EPIPE, -EPROTO);
            }
            break;
        }
        case OP_CLAIM_SLOT: { /* the JS producer's two steps, in place */
            rc = sabq__mpmc_claim_slot(q, len);
            if (m->honest)
                FUZZ_CHECK(rc >= 0 ? push_verdict(m, q, len) == 0 : rc == push_verdict(m, q, len),
                           "claim_slot of %u: %d", len, rc);
            else
                FUZZ_RC(rc, 0, -EAGAIN, -EMSGSIZE, -EPIPE, -EPROTO);
            if (rc < 0)
                break;
            FUZZ_CHECK((uint32_t)rc < q->cap, "slot %d of %u", rc, q->cap);
            uint8_t *payload = q->slots + (size_t)rc * q->stride + SABQ_SLOT_HDR;
            uint32_t n = len - (len ? fuzz_u8(in) % (len + 1) : 0);
            fill(payload, m->next, n);
            FUZZ_CHECK(sabq__mpmc_publish_slot(q, q->cap + fuzz_u8(in), n) == -EINVAL, "bad slot");
            FUZZ_CHECK(sabq__mpmc_publish_slot(q, (uint32_t)rc, q->msg_max + 1) == -EINVAL, "bad len");
            FUZZ_CHECK(sabq__mpmc_publish_slot(q, (uint32_t)rc, n) == 0, "publish_slot");
            if (m->honest)
                ref_push(m, n);
            break;
        }
        case OP_TAKE_SLOT: { /* the JS consumer's two steps: it reads the length */
            rc = sabq__mpmc_take_slot(q);
            if (m->honest)
                FUZZ_CHECK(rc >= 0 ? pop_verdict(m, UINT32_MAX) == 0 : rc == pop_verdict(m, UINT32_MAX),
                           "take_slot: %d", rc);
            else
                FUZZ_RC(rc, 0, -EAGAIN, -EPIPE, -EPROTO);
            if (rc < 0)
                break;
            FUZZ_CHECK((uint32_t)rc < q->cap, "slot %d of %u", rc, q->cap);
            const struct sabq_slot *slot = (const void *)(q->slots + (size_t)rc * q->stride);
            uint32_t n = sabq__read_once(&slot->len);
            if (m->honest)
                ref_pop(m, (const uint8_t *)(slot + 1), n);
            FUZZ_CHECK(sabq__mpmc_return_slot(q, q->cap) == -EINVAL, "bad slot");
            FUZZ_CHECK(sabq__mpmc_return_slot(q, (uint32_t)rc) == 0, "return_slot");
            break;
        }
        case OP_CLOSE:
            sabq_mpmc_close(q);
            FUZZ_CHECK(sabq_mpmc_is_closed(q), "closed and not closed");
            m->closed = 1;
            break;
        case OP_INFO: {
            uint32_t used = sabq_mpmc_used(q);
            FUZZ_CHECK(used <= q->cap, "used %u > slots", used);
            if (m->honest)
                FUZZ_CHECK(used == count(m), "used %u, %u queued", used, count(m));
            break;
        }
        case OP_SCRIBBLE:
            m->honest = !fuzz_scribble(in, reg);
            m->closed = m->closed || sabq_mpmc_is_closed(q);
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
    sabq_mpmc q;
    struct fuzz_region reg;
    if (mode & 1) {
        reg = fuzz_region_from_input(&in, 8300);
        size_t rsize = reg.size;
        int rc = sabq_mpmc_attach(&q, reg.mem, rsize);
        FUZZ_RC(rc, 0, -EINVAL, -EPROTO);
        if (rc == 0) {
            FUZZ_CHECK(SABQ_DATA_OFFSET + (size_t)q.cap * q.stride <= rsize, "queue larger than the region");
            FUZZ_CHECK(q.stride >= SABQ_SLOT_HDR + q.msg_max, "slots overlap");
            run_script(&in, &reg, &q, &m);
        }
    } else {
        uint32_t slots = 2u << (fuzz_u8(&in) % 7);          /* 2 .. 128 */
        uint32_t msg_max = 1 + fuzz_u16(&in) % 1024;
        size_t rsize = sabq_mpmc_size(slots, msg_max);
        reg = fuzz_region_new(rsize);
        fuzz_bytes(&in, reg.mem, rsize < 512 ? rsize : 512);
        FUZZ_CHECK(sabq_mpmc_init(&q, reg.mem, rsize, slots, msg_max) == 0, "init");
        if (mode & 2) { /* tickets just below 2^32: they wrap during the script */
            struct sabq_region *s = (struct sabq_region *)reg.mem;
            uint32_t start = 0u - 1u - fuzz_u8(&in) % (2 * slots);
            atomic_store(&s->prod.head, start);
            atomic_store(&s->cons.tail, start);
            for (uint32_t i = 0; i < slots; i++) {
                struct sabq_slot *sl = (void *)(q.slots + (size_t)((start + i) & q.mask) * q.stride);
                atomic_store(&sl->turn, start + i);
            }
        }
        sabq_mpmc other;
        FUZZ_CHECK(sabq_mpmc_attach(&other, reg.mem, rsize) == 0, "attach to a fresh queue");
        m.honest = 1;
        run_script(&in, &reg, &q, &m);
    }
    fuzz_region_free(&reg);
    return 0;
}
