/* lib/internal.h — what the library's files share and users never see:
 * the wait-backend interface, the generic blocking loop and header helpers.
 */
#ifndef SABQ_INTERNAL_H
#define SABQ_INTERNAL_H

/* The library defines sabq_spsc_send and sabq_spsc_recv; for its users the
 * headers make those names macros for inline fast paths (sabq/spsc.h). */
#define SABQ__LIBRARY 1

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "sabq/layout.h"
#include "sabq/wait.h"
#include "sabq/inline.h" /* sabq__likely, sabq__notify, sabq__copy: shared with the headers */

/* A rare path kept out of line natively, so that the common path of a send
 * or receive needs no stack frame. Not in sabq.wasm: it has no stack (nothing
 * of its own in the memory it runs in), its exports are flattened, and a call
 * that takes the address of a local would need one. */
#if defined(__wasm__) && !defined(__EMSCRIPTEN__)
#define SABQ__OUT_OF_LINE static inline __attribute__((always_inline))
#else
#define SABQ__OUT_OF_LINE static __attribute__((noinline))
#endif

/* Tell the CPU we are spinning (frees the sibling hyperthread, saves power). */
static inline void sabq__cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Offer the CPU to another runnable thread. While spinning we yield now and
 * then: with more threads than cores (4 producers and 4 consumers on 2 CPUs),
 * the peer we wait for is often queued behind us on our own CPU, and a pure
 * spin would burn our whole time slice before it could run. With a free CPU,
 * sched_yield returns at once. wasm has no such call; it spins. */
#if defined(__wasm__)
static inline void sabq__os_yield(void) {}
#else
#include <sched.h>
static inline void sabq__os_yield(void) { sched_yield(); }
#endif
#define SABQ__YIELD_EVERY 64u /* spins; a power of two */

/* Read a 32-bit word the peer may scribble on exactly once, so the value we
 * validate is the value we use (the compiler may not re-load it). */
static inline uint32_t sabq__read_once(const void *p)
{
    return __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED);
}

static inline uint32_t sabq__align8(uint32_t n) { return (n + 7u) & ~7u; }
static inline int sabq__is_pow2(uint32_t n) { return n && !(n & (n - 1)); }

/* --- Wait backend: one file per platform implements these ------------------ */

/* Make this process able to take part (Linux: register for membarrier).
 * Idempotent, thread-safe; called by every init and attach. */
void sabq__os_setup(void);
/* Sleep while *w == expected or until the absolute deadline. 0 or -ETIMEDOUT. */
int sabq__os_wait(_Atomic uint32_t *w, uint32_t expected, uint64_t deadline_ns);
/* Wake up to n sleepers on w. */
int sabq__os_wake(_Atomic uint32_t *w, uint32_t n);
/* The waiter's half of the asymmetric barrier (see sabq__barrier_light). */
void sabq__os_barrier_heavy(void);
uint64_t sabq__os_now_ns(void);

/* Zero on a thread that must not block: emscripten's main browser thread,
 * where a futex wait would be a silent busy-wait (and freezes the page).
 * Blocking calls there fail with -EDEADLK before spinning. Everywhere else a
 * constant 1, which the compiler folds away. */
#ifdef __EMSCRIPTEN__
#include <emscripten/threading.h>
static inline int sabq__os_may_block(void) { return !emscripten_is_main_browser_thread(); }
#else
static inline int sabq__os_may_block(void) { return 1; }
#endif

/* --- The blocking loop behind every *_wait call --------------------------
 * Written out at each call site, with no function pointer and no context
 * struct, so that nothing needs the shadow stack in the wasm build:
 *
 *     struct sabq__waiter w = sabq__waiter_start(timeout_ns);
 *     while ((rc = try_something()) == -EAGAIN && (rc = sabq__wait_step(ev, &w)) == 0) {}
 *     sabq__wait_end(ev, &w);
 *
 * wait_step is called after each failed try: it spins (sabq_get_spin() times),
 * then announces the waiter (one more try follows), then parks until notified,
 * and returns -ETIMEDOUT once the deadline has passed and a last try failed
 * (-EDEADLK at once on a thread that may not block). */
enum { SABQ__START, SABQ__SPIN, SABQ__ANNOUNCED, SABQ__LAST };
struct sabq__waiter {
    uint64_t deadline; /* absolute, once known */
    uint64_t timeout;  /* relative, while `relative` (deadline not computed yet) */
    uint32_t spins;
    uint32_t key;
    int phase;
    int relative;
};

/* A wait of timeout_ns. The clock is read only once a try has failed: a call
 * that succeeds at once (the common case) never pays for it. */
static inline struct sabq__waiter sabq__waiter_start(uint64_t timeout_ns)
{
    struct sabq__waiter w = {0, timeout_ns, 0, 0, SABQ__START, 1};
    return w;
}

/* A wait until an absolute deadline. */
static inline struct sabq__waiter sabq__waiter_start_at(uint64_t deadline_ns)
{
    struct sabq__waiter w = {deadline_ns, 0, 0, 0, SABQ__START, 0};
    return w;
}

/* The same wait, spinning afresh (after progress), with the same deadline. */
static inline struct sabq__waiter sabq__waiter_restart(const struct sabq__waiter *w)
{
    return w->relative ? *w : sabq__waiter_start_at(w->deadline);
}

static inline __attribute__((always_inline)) int sabq__wait_step(struct sabq_event *ev,
                                                                 struct sabq__waiter *w)
{
    switch (w->phase) {
    case SABQ__START: /* the first try failed */
        if (w->relative) {
            if (w->timeout == 0)
                return -ETIMEDOUT; /* a zero timeout: one try only */
            w->deadline = sabq_deadline(w->timeout);
            w->relative = 0;
        } else if (w->deadline != SABQ_FOREVER && sabq_now_ns() >= w->deadline) {
            return -ETIMEDOUT; /* a deadline already passed: one try only */
        }
        if (!sabq__os_may_block())
            return -EDEADLK; /* refuse at once, not after a spin */
        w->phase = SABQ__SPIN;
        /* fall through */
    case SABQ__SPIN:
        if (w->spins < sabq_get_spin()) {
            w->spins++;
            if ((w->spins & (SABQ__YIELD_EVERY - 1)) == 0)
                sabq__os_yield();
            else
                sabq__cpu_relax();
            return 0;
        }
        w->key = sabq_event_prepare(ev);
        w->phase = SABQ__ANNOUNCED;
        return 0; /* re-try once after announcing, or we could sleep through a publish */
    case SABQ__ANNOUNCED:
        w->phase = SABQ__SPIN; /* sabq_event_wait withdraws the announcement */
        w->spins = UINT32_MAX;  /* spun already: park again straight away */
        switch (sabq_event_wait(ev, w->key, w->deadline)) {
        case -ETIMEDOUT:
            w->phase = SABQ__LAST;
            return 0;
        case -EDEADLK:
            return -EDEADLK;
        default:
            return 0;
        }
    default:
        return -ETIMEDOUT;
    }
}

/* Withdraw an announcement if the loop ended between announcing and parking. */
static inline void sabq__wait_end(struct sabq_event *ev, const struct sabq__waiter *w)
{
    if (w->phase == SABQ__ANNOUNCED)
        sabq_event_cancel(ev);
}

/* --- Header helpers shared by the ring kinds ------------------------------- */

/* Checks mem/size, zeroes the first SABQ_DATA_OFFSET bytes and fills the header
 * but its magic. -EINVAL if mem is NULL or misaligned, or size < total. */
int sabq__region_init(void *mem, size_t size, uint16_t kind, uint32_t cap,
                      uint32_t msg_max, uint32_t stride, uint64_t total);
/* Stores the magic (release): from here on, attach accepts the region. */
void sabq__region_publish(struct sabq_region *shm);

/* Reads the header once into *copy and checks magic, version, kind, data_off and
 * that total_size fits in `size`. 0, -EINVAL (arguments) or -EPROTO.
 * Inline so the copy stays in registers (no shadow stack in sabq.wasm). */
static inline __attribute__((always_inline)) int
sabq__region_check(const void *mem, size_t size, uint16_t kind, struct sabq_hdr *c)
{
    if (!mem || ((uintptr_t)mem & (SABQ_ALIGN - 1)) != 0 || size < SABQ_DATA_OFFSET)
        return -EINVAL;
    const struct sabq_region *r = (const struct sabq_region *)mem;
    /* A0: pairs with R0 in region_publish. */
    uint32_t magic = atomic_load_explicit(&r->hdr.magic, memory_order_acquire);
    if (magic != SABQ_MAGIC)
        return -EPROTO;
    /* Each field read once into the caller's copy; only the copy is used. */
    uint32_t vk = sabq__read_once(&r->hdr.version); /* version | kind << 16 (LE) */
    c->version = (uint16_t)(vk & 0xffffu);
    c->kind = (uint16_t)(vk >> 16);
    c->capacity = sabq__read_once(&r->hdr.capacity);
    c->msg_max = sabq__read_once(&r->hdr.msg_max);
    c->stride = sabq__read_once(&r->hdr.stride);
    c->data_off = sabq__read_once(&r->hdr.data_off);
    c->total_size = sabq__read_once(&r->hdr.total_size);
    if (c->version != SABQ_VERSION || c->kind != kind || c->data_off != SABQ_DATA_OFFSET ||
        c->total_size < SABQ_DATA_OFFSET || c->total_size > size)
        return -EPROTO;
    sabq__os_setup();
    return 0;
}

/* MPMC in two steps, for callers that copy in place (the JS binding).
 * claim_slot: claim a ticket whose slot is free for `len` bytes; returns the
 * slot index, or -EAGAIN/-EMSGSIZE/-EPIPE/-EPROTO. publish_slot: set its length
 * and hand it to consumers. take_slot: claim the oldest message's slot, or
 * -EAGAIN/-EPIPE/-EPROTO. return_slot: hand it back to producers. */
struct sabq_mpmc;
int sabq__mpmc_claim_slot(const struct sabq_mpmc *q, uint32_t len);
int sabq__mpmc_publish_slot(const struct sabq_mpmc *q, uint32_t slot, uint32_t len);
int sabq__mpmc_take_slot(const struct sabq_mpmc *q);
int sabq__mpmc_return_slot(const struct sabq_mpmc *q, uint32_t slot);

/* Free room at the producer's own `head` of an SPSC ring of `cap` units
 * (bytes, or a fixed ring's slots): from its cached tail, or, when that shows
 * fewer than `want`, from the consumer's tail, cached then. -EPROTO for a
 * tail that is not within `cap` behind head. Both ring forms use it (room()
 * in lib/spsc.c, free_slots() in lib/spsc_fixed.c). */
static inline __attribute__((always_inline)) int sabq__spsc_room(struct sabq_region *s, uint32_t cap,
                                                                 uint32_t head, uint32_t want)
{
    uint32_t used = head - s->prod.tail_cache;
    if (sabq__unlikely(used > cap || cap - used < want)) {
        /* A1: pairs with R1c in either form's give_back(): the consumer has
         * finished reading what it gave back before we overwrite it. */
        uint32_t tail = atomic_load_explicit(&s->cons.tail, memory_order_acquire);
        used = head - tail;
        if (used > cap)
            return -EPROTO;
        s->prod.tail_cache = tail;
    }
    return (int)(cap - used);
}

/* The SPSC ring in its fixed-size form (lib/spsc_fixed.c): lib/spsc.c hands
 * every public call on a handle whose stride is not 0 to these, which do
 * what the public call of the same name documents. fixed_check: a kind-4
 * header's stride and total_size agree with its slots and length (0 or
 * -EPROTO); fixed_fill: the handle for it. */
struct sabq_spsc;
struct sabq_spsc_resv;
struct sabq_spsc_view;
struct sabq_iov;
int sabq__fixed_check(const struct sabq_hdr *h);
void sabq__fixed_fill(struct sabq_spsc *r, void *mem, uint32_t slots, uint32_t msg_len);
int sabq__fixed_reserve(const struct sabq_spsc *r, uint32_t len, struct sabq_spsc_resv *resv);
int sabq__fixed_commit(const struct sabq_spsc *r, const struct sabq_spsc_resv *resv, uint32_t len);
int sabq__fixed_send(const struct sabq_spsc *r, const void *buf, uint32_t len);
int sabq__fixed_send_batch(const struct sabq_spsc *r, const struct sabq_iov *msgs, uint32_t n);
int sabq__fixed_peek(const struct sabq_spsc *r, struct sabq_spsc_view *v);
int sabq__fixed_peek_at(const struct sabq_spsc *r, uint32_t pos, struct sabq_spsc_view *v);
void sabq__fixed_release(const struct sabq_spsc *r, const struct sabq_spsc_view *v);
int sabq__fixed_recv(const struct sabq_spsc *r, void *buf, uint32_t cap);
int sabq__fixed_recv_batch(const struct sabq_spsc *r, struct sabq_iov *msgs, uint32_t n);
uint32_t sabq__fixed_used(const struct sabq_spsc *r);

/* Set the closed flag and wake both sides. */
void sabq__region_close(struct sabq_region *shm);
#endif
