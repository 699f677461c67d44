/* tests/fuzz/fuzz_pipe.c — libFuzzer target for the byte pipe: attach a
 * region from the input or lay one out (indices optionally just below 2^32),
 * then a script of every writer and reader call with the peer's scribbles in
 * between. While the peer is honest the pipe must behave exactly like the
 * reference stream: a write stores min(len, free) bytes, a read returns
 * min(len, buffered) bytes, the right ones, and 0 only at the end of stream. */
#include "fuzz.h"

struct ref {
    uint64_t written, read; /* stream offsets */
    uint32_t start;         /* the ring index of stream offset 0 */
    uint32_t cap;
    int honest, closed;
};

static uint32_t buffered(const struct ref *m) { return (uint32_t)(m->written - m->read); }

/* Contiguous bytes from stream offset `at` to the end of the data area. */
static uint32_t to_end(const struct ref *m, uint64_t at)
{
    return m->cap - ((m->start + (uint32_t)at) & (m->cap - 1));
}

static uint32_t min32(uint32_t a, uint32_t b) { return a < b ? a : b; }

static void expect_write(const struct ref *m, int rc, uint32_t len)
{
    if (!m->honest) {
        FUZZ_RC(rc, 0, -EAGAIN, -EPIPE, -EPROTO);
        return;
    }
    uint32_t room = m->cap - buffered(m);
    if (m->closed)
        FUZZ_CHECK(rc == -EPIPE, "write on a closed pipe: %d", rc);
    else if (len == 0)
        FUZZ_CHECK(rc == 0, "empty write: %d", rc);
    else if (room == 0)
        FUZZ_CHECK(rc == -EAGAIN, "write to a full pipe: %d", rc);
    else
        FUZZ_CHECK(rc == (int)(len < room ? len : room), "write of %u with %u free: %d", len, room, rc);
}

/* rc bytes arrived in data: they must be the next ones of the stream. */
static void expect_read(struct ref *m, int rc, const uint8_t *data, uint32_t len)
{
    if (!m->honest) {
        FUZZ_RC(rc, 0, -EAGAIN, -EPROTO);
        FUZZ_CHECK(rc <= (int)m->cap, "read %d > capacity", rc);
        return;
    }
    uint32_t have = buffered(m);
    if (have == 0 || len == 0)
        FUZZ_CHECK(rc == (have == 0 && !m->closed ? -EAGAIN : 0), "read of %u, %u buffered: %d", len,
                   have, rc);
    else
        FUZZ_CHECK(rc == (int)(len < have ? len : have), "read of %u, %u buffered: %d", len, have, rc);
    for (int i = 0; i < rc; i++)
        FUZZ_CHECK(data[i] == fuzz_byte(m->read + (uint64_t)i), "byte %llu of the stream differs",
                   (unsigned long long)(m->read + (uint64_t)i));
    if (rc > 0)
        m->read += (uint64_t)rc;
}

enum { OP_WRITE, OP_WRITE_SPAN, OP_WRITE_ALL, OP_READ, OP_READ_SPAN, OP_READ_WAIT, OP_CLOSE,
       OP_INFO, OP_SCRIBBLE, OP_COUNT };

static void run_script(struct fuzz_input *in, const struct fuzz_region *reg, const sabq_pipe *p,
                       struct ref *m)
{
    static uint8_t buf[4096];
    while (in->left) {
        uint8_t op = fuzz_u8(in) % OP_COUNT;
        uint32_t len = fuzz_u16(in) % (p->cap + p->cap / 2 + 1);
        int rc;
        switch (op) {
        case OP_WRITE:
            for (uint32_t i = 0; i < len; i++)
                buf[i] = fuzz_byte(m->written + i);
            rc = sabq_pipe_write(p, buf, len);
            expect_write(m, rc, len);
            if (rc > 0 && m->honest)
                m->written += (uint64_t)rc;
            break;
        case OP_WRITE_SPAN: {
            void *span;
            rc = sabq_pipe_write_span(p, &span);
            if (rc > 0) {
                FUZZ_CHECK(fuzz_inside(span, (size_t)rc, p->data, p->cap), "span outside the data");
                if (m->honest)
                    FUZZ_CHECK((uint32_t)rc <= p->cap - buffered(m), "span larger than the room");
                uint32_t n = (uint32_t)rc, commit = len % (n + 2); /* n + 1: maybe one too many */
                /* Fill what will be committed: past the span only where an
                 * honest pipe has contiguous room (checked below). */
                uint32_t fill = m->honest ? min32(commit, min32(m->cap - buffered(m), to_end(m, m->written)))
                                          : min32(commit, n);
                for (uint32_t i = 0; i < fill; i++)
                    ((uint8_t *)span)[i] = fuzz_byte(m->written + i);
                rc = sabq_pipe_write_commit(p, commit);
                /* The span may show less than there is (it is measured from the
                 * writer's cached view of tail); commit checks against all the
                 * contiguous room. */
                if (m->honest) {
                    uint32_t fits = min32(m->cap - buffered(m), to_end(m, m->written));
                    FUZZ_CHECK(n <= fits, "span of %u, %u contiguous room", n, fits);
                    FUZZ_CHECK(rc == (commit <= fits ? 0 : -EINVAL), "commit %u of %u: %d", commit, fits, rc);
                    if (rc == 0)
                        m->written += commit;
                } else {
                    FUZZ_RC(rc, 0, -EINVAL, -EPIPE, -EPROTO);
                }
            } else if (m->honest) {
                FUZZ_CHECK(rc == (m->closed ? -EPIPE : -EAGAIN) && (m->closed || buffered(m) == m->cap),
                           "write_span: %d with %u buffered", rc, buffered(m));
            } else {
                FUZZ_RC(rc, -EAGAIN, -EPIPE, -EPROTO);
            }
            break;
        }
        case OP_WRITE_ALL: {
            for (uint32_t i = 0; i < len; i++)
                buf[i] = fuzz_byte(m->written + i);
            rc = sabq_pipe_write_all(p, buf, len, fuzz_timeout(in));
            if (rc == -ETIMEDOUT)
                rc = -EAGAIN;
            if (m->honest && len == 0)
                FUZZ_CHECK(rc == 0, "write_all of nothing: %d", rc); /* even when closed */
            else
                expect_write(m, rc, len); /* one try, or a wait that timed out */
            if (rc > 0 && m->honest)
                m->written += (uint64_t)rc;
            break;
        }
        case OP_READ:
        case OP_READ_WAIT:
            rc = op == OP_READ ? sabq_pipe_read(p, buf, len)
                               : sabq_pipe_read_wait(p, buf, len, fuzz_timeout(in));
            if (rc == -ETIMEDOUT)
                rc = -EAGAIN;
            expect_read(m, rc, buf, len);
            break;
        case OP_READ_SPAN: {
            const void *span;
            rc = sabq_pipe_read_span(p, &span);
            if (rc > 0) {
                FUZZ_CHECK(fuzz_inside(span, (size_t)rc, p->data, p->cap), "span outside the data");
                uint32_t n = len % ((uint32_t)rc + 2);
                int c = sabq_pipe_read_consume(p, n);
                if (m->honest) {
                    uint32_t fits = min32(buffered(m), to_end(m, m->read));
                    FUZZ_CHECK((uint32_t)rc <= fits, "span of %d, %u contiguous bytes", rc, fits);
                    for (int i = 0; i < rc; i++)
                        FUZZ_CHECK(((const uint8_t *)span)[i] == fuzz_byte(m->read + (uint64_t)i),
                                   "span byte %d differs", i);
                    FUZZ_CHECK(c == (n <= fits ? 0 : -EINVAL), "consume %u of %u: %d", n, fits, c);
                    if (c == 0)
                        m->read += n;
                } else {
                    FUZZ_RC(c, 0, -EINVAL, -EPROTO);
                }
            } else {
                expect_read(m, rc, NULL, 1);
            }
            break;
        }
        case OP_CLOSE:
            sabq_pipe_close(p);
            FUZZ_CHECK(sabq_pipe_is_closed(p), "closed and not closed");
            m->closed = 1;
            break;
        case OP_INFO: {
            uint32_t used = sabq_pipe_used(p);
            FUZZ_CHECK(used <= p->cap, "used %u > capacity", used);
            if (m->honest) {
                FUZZ_CHECK(used == buffered(m), "used %u, %u buffered", used, buffered(m));
                FUZZ_CHECK(!sabq_pipe_is_closed(p) == !m->closed, "is_closed");
            }
            break;
        }
        case OP_SCRIBBLE:
            m->honest = !fuzz_scribble(in, reg);
            m->closed = m->closed || sabq_pipe_is_closed(p);
            break;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ref m = {0};
    struct fuzz_input in = {data, size};
    fuzz_setup();
    uint8_t mode = fuzz_u8(&in);
    sabq_pipe p;
    struct fuzz_region reg;
    if (mode & 1) {
        reg = fuzz_region_from_input(&in, 4400);
        size_t rsize = reg.size;
        int rc = sabq_pipe_attach(&p, reg.mem, rsize);
        FUZZ_RC(rc, 0, -EINVAL, -EPROTO);
        if (rc == 0) {
            FUZZ_CHECK(SABQ_DATA_OFFSET + (size_t)p.cap <= rsize, "pipe larger than the region");
            m.cap = p.cap;
            run_script(&in, &reg, &p, &m);
        }
    } else {
        uint32_t cap = 16u << (fuzz_u8(&in) % 8);
        size_t rsize = sabq_pipe_size(cap);
        reg = fuzz_region_new(rsize);
        fuzz_bytes(&in, reg.mem, rsize < 512 ? rsize : 512);
        FUZZ_CHECK(sabq_pipe_init(&p, reg.mem, rsize, cap) == 0, "init");
        if (mode & 2) { /* indices just below 2^32: they wrap during the script */
            struct sabq_region *s = (struct sabq_region *)reg.mem;
            m.start = 0u - 1u - fuzz_u16(&in) % (2 * cap);
            atomic_store(&s->prod.head, m.start);
            s->prod.tail_cache = m.start;
            atomic_store(&s->cons.tail, m.start);
            s->cons.head_cache = m.start;
        }
        sabq_pipe other;
        FUZZ_CHECK(sabq_pipe_attach(&other, reg.mem, rsize) == 0, "attach to a fresh pipe");
        m.cap = cap;
        m.honest = 1;
        run_script(&in, &reg, &p, &m);
    }
    fuzz_region_free(&reg);
    return 0;
}
