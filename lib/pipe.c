/* lib/pipe.c — the SPSC byte pipe: the same two indices as the message ring,
 * over plain bytes, with partial reads and writes. docs/layout.md, "Pipe".
 */
#include <string.h>
#include "internal.h"
#include "sabq/pipe.h"

static int valid_cap(uint32_t cap) { return sabq__is_pow2(cap) && cap >= 16 && cap <= SABQ_CAP_MAX; }

size_t sabq_pipe_size(uint32_t cap) { return valid_cap(cap) ? SABQ_DATA_OFFSET + (size_t)cap : 0; }

static void fill(sabq_pipe *p, void *mem, uint32_t cap)
{
    p->shm = mem;
    p->data = (uint8_t *)mem + SABQ_DATA_OFFSET;
    p->cap = cap;
    p->mask = cap - 1;
}

int sabq_pipe_init(sabq_pipe *p, void *mem, size_t size, uint32_t cap)
{
    if (!p || !valid_cap(cap))
        return -EINVAL;
    int rc = sabq__region_init(mem, size, SABQ_KIND_PIPE, cap, 0, 0, sabq_pipe_size(cap));
    if (rc < 0)
        return rc;
    fill(p, mem, cap);
    sabq__region_publish(p->shm);
    return 0;
}

int sabq_pipe_attach(sabq_pipe *p, void *mem, size_t size)
{
    struct sabq_hdr h;
    if (!p)
        return -EINVAL;
    int rc = sabq__region_check(mem, size, SABQ_KIND_PIPE, &h);
    if (rc < 0)
        return rc;
    if (!valid_cap(h.capacity) || h.total_size != sabq_pipe_size(h.capacity))
        return -EPROTO;
    fill(p, mem, h.capacity);
    return 0;
}

/* Free bytes for the writer at *head, refreshing its view of tail when the
 * cached one shows less than `want`. Negative errno on a closed pipe or a
 * corrupt reader index. */
static int writable(const sabq_pipe *p, uint32_t *head, uint32_t want)
{
    struct sabq_region *s = p->shm;
    if (sabq__unlikely(atomic_load_explicit(&s->hdr.closed, memory_order_relaxed)))
        return -EPIPE;
    *head = atomic_load_explicit(&s->prod.head, memory_order_relaxed); /* own index */
    uint32_t tail = s->prod.tail_cache;
    if (head[0] - tail > p->cap || p->cap - (head[0] - tail) < want) {
        /* A1: pairs with R1c in consume(): the reader is done with those bytes. */
        tail = atomic_load_explicit(&s->cons.tail, memory_order_acquire);
        if (head[0] - tail > p->cap)
            return -EPROTO;
        s->prod.tail_cache = tail;
    }
    return (int)(p->cap - (head[0] - tail));
}

/* Readable bytes at *tail: > 0, 0 when empty and open, -EPIPE at the end of
 * stream (closed and drained), or -EPROTO. */
static int readable(const sabq_pipe *p, uint32_t *tail, uint32_t want)
{
    struct sabq_region *s = p->shm;
    *tail = atomic_load_explicit(&s->cons.tail, memory_order_relaxed); /* own index */
    uint32_t head = s->cons.head_cache;
    /* An empty cached view is refreshed even when `want` is 0: a zero-length
     * read must still tell data (0) from none (-EAGAIN). */
    if (head - tail[0] > p->cap || head - tail[0] < (want ? want : 1)) {
        /* A1c: pairs with R1p in produce(): the bytes before head are written. */
        head = atomic_load_explicit(&s->prod.head, memory_order_acquire);
        if (head == tail[0]) {
            /* Empty. The end of stream only if, once the flag is seen, head
             * is still where it was: the writer closes after its last write,
             * so a head read after the flag (acquire) is final. Judging by
             * the flag alone would end the stream with a write that landed
             * between the load above and the flag still unread
             * (tests/model/pipe.pml found it). */
            if (!sabq__region_is_closed(s))
                return 0;
            head = atomic_load_explicit(&s->prod.head, memory_order_acquire); /* A1c */
            if (head == tail[0])
                return -EPIPE;
        }
        if (head - tail[0] > p->cap)
            return -EPROTO;
        s->cons.head_cache = head;
    }
    return (int)(head - tail[0]);
}

static void produce(const sabq_pipe *p, uint32_t head)
{
    /* R1p: release: pairs with A1c; the bytes before head are visible. */
    atomic_store_explicit(&p->shm->prod.head, head, memory_order_release);
    sabq__notify(&p->shm->wait.readable);
}

static void consume(const sabq_pipe *p, uint32_t tail)
{
    /* R1c: release: pairs with A1; our reads finish before the writer reuses. */
    atomic_store_explicit(&p->shm->cons.tail, tail, memory_order_release);
    sabq__notify(&p->shm->wait.writable);
}

int sabq_pipe_write(const sabq_pipe *p, const void *buf, uint32_t len)
{
    uint32_t head;
    int room = writable(p, &head, len);
    if (room < 0)
        return room;
    if (len == 0)
        return 0;
    if (room == 0)
        return -EAGAIN;
    uint32_t n = len < (uint32_t)room ? len : (uint32_t)room;
    uint32_t off = head & p->mask;
    uint32_t first = p->cap - off < n ? p->cap - off : n;
    memcpy(p->data + off, buf, first);
    memcpy(p->data, (const uint8_t *)buf + first, n - first);
    produce(p, head + n);
    return (int)n;
}

int sabq_pipe_read(const sabq_pipe *p, void *buf, uint32_t len)
{
    uint32_t tail;
    int avail = readable(p, &tail, len);
    if (avail < 0)
        return avail == -EPIPE ? 0 : avail; /* 0: end of stream */
    if (avail == 0)
        return -EAGAIN;
    if (len == 0)
        return 0;
    uint32_t n = len < (uint32_t)avail ? len : (uint32_t)avail;
    uint32_t off = tail & p->mask;
    uint32_t first = p->cap - off < n ? p->cap - off : n;
    memcpy(buf, p->data + off, first);
    memcpy((uint8_t *)buf + first, p->data, n - first);
    consume(p, tail + n);
    return (int)n;
}

int sabq_pipe_write_span(const sabq_pipe *p, void **span)
{
    uint32_t head;
    int room = writable(p, &head, 1);
    if (room <= 0)
        return room < 0 ? room : -EAGAIN;
    uint32_t off = head & p->mask;
    *span = p->data + off;
    return (int)(p->cap - off < (uint32_t)room ? p->cap - off : (uint32_t)room);
}

int sabq_pipe_write_commit(const sabq_pipe *p, uint32_t n)
{
    uint32_t head;
    int room = writable(p, &head, n);
    if (room < 0)
        return room;
    if (n > (uint32_t)room || n > p->cap - (head & p->mask))
        return -EINVAL;
    produce(p, head + n);
    return 0;
}

int sabq_pipe_read_span(const sabq_pipe *p, const void **span)
{
    uint32_t tail;
    int avail = readable(p, &tail, 1);
    if (avail < 0)
        return avail == -EPIPE ? 0 : avail; /* 0: end of stream */
    if (avail == 0)
        return -EAGAIN;
    uint32_t off = tail & p->mask;
    *span = p->data + off;
    return (int)(p->cap - off < (uint32_t)avail ? p->cap - off : (uint32_t)avail);
}

int sabq_pipe_read_consume(const sabq_pipe *p, uint32_t n)
{
    uint32_t tail;
    int avail = readable(p, &tail, n);
    if (avail == -EPIPE)
        avail = 0; /* consuming 0 bytes at the end is fine, more is not */
    if (avail < 0)
        return avail;
    if (n > (uint32_t)avail || n > p->cap - (tail & p->mask))
        return -EINVAL;
    consume(p, tail + n);
    return 0;
}

int sabq_pipe_write_all(const sabq_pipe *p, const void *buf, uint32_t len, uint64_t timeout_ns)
{
    struct sabq_event *ev = &p->shm->wait.writable;
    struct sabq__waiter w = sabq__waiter_start(timeout_ns);
    uint32_t done = 0;
    int rc = 0;
    if (len > (uint32_t)INT32_MAX)
        return -EINVAL;
    while (done < len) {
        rc = sabq_pipe_write(p, (const uint8_t *)buf + done, len - done);
        if (rc > 0) {
            done += (uint32_t)rc;
            sabq__wait_end(ev, &w); /* progress: a fresh wait for the rest */
            w = sabq__waiter_restart(&w);
        } else if (rc != -EAGAIN || (rc = sabq__wait_step(ev, &w)) != 0) {
            break;
        }
    }
    sabq__wait_end(ev, &w);
    return done ? (int)done : rc;
}

int sabq_pipe_read_wait(const sabq_pipe *p, void *buf, uint32_t len, uint64_t timeout_ns)
{
    struct sabq_event *ev = &p->shm->wait.readable;
    struct sabq__waiter w = sabq__waiter_start(timeout_ns);
    int rc;
    while ((rc = sabq_pipe_read(p, buf, len)) == -EAGAIN && (rc = sabq__wait_step(ev, &w)) == 0) {
    }
    sabq__wait_end(ev, &w);
    return rc;
}

void sabq_pipe_close(const sabq_pipe *p) { sabq__region_close(p->shm); }

int sabq_pipe_is_closed(const sabq_pipe *p) { return sabq__region_is_closed(p->shm); }

uint32_t sabq_pipe_used(const sabq_pipe *p)
{
    uint32_t tail = atomic_load_explicit(&p->shm->cons.tail, memory_order_acquire);
    uint32_t head = atomic_load_explicit(&p->shm->prod.head, memory_order_acquire);
    uint32_t used = head - tail;
    return used > p->cap ? p->cap : used;
}
