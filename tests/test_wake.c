/* tests/test_wake.c — every blocking call is woken, and soon: by the publish
 * it waits for (data, room), by close, and from another process.
 *
 * Each case parks a waiter at once (spin 0), waits until the waiter has
 * counted itself in the event's `waiters` word (no sleeping "to let it
 * park"), then makes the change and measures how long the waiter takes to
 * return. A lost wake-up would leave it asleep until its timeout (then one
 * last try would succeed, hiding the loss): a wake slower than WAKE_BOUND_MS,
 * far below WAKE_TIMEOUT_MS, fails.
 *
 * WAKE_BOUND_MS comes from the distribution measured on the 2-vCPU VM this
 * was written on (AMD EPYC), while other engineers' builds and browsers kept
 * it at a load average of 8 to 10: 2000 wakes of each case, half of them
 * once the waiter sleeps in the kernel, in two runs: median 3 us, 99th
 * percentile at most 6 ms, worst 87 ms (SABQ_WAKE_ROUNDS=2000 prints the
 * figures again). The bound is about 3x that worst and 1/40 of the timeout.
 */
#define _GNU_SOURCE /* gettid */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test_util.h"

#define WAKE_BOUND_MS 250u
#define WAKE_TIMEOUT_MS 10000u

/* One case: a ring in `mem`, a waiter's blocking call, the change that must
 * wake it, and the result the waiter must then get. */
struct wake_ctx {
    void *mem;
    sabq_spsc spsc;
    sabq_pipe pipe;
    sabq_mpmc mpmc;
    struct sabq_event *event; /* the event the waiter parks on */
    _Atomic uint32_t word;    /* for the bare word wait */
};

struct wake_case {
    const char *name;
    void (*setup)(struct wake_ctx *);
    int (*block)(struct wake_ctx *);
    void (*wake)(struct wake_ctx *);
    int expect;
};

/* ---- the rings, empty or full ---------------------------------------------- */

#define RING_CAP 256u

static void spsc_setup(struct wake_ctx *c, int full)
{
    size_t size = sabq_spsc_size(RING_CAP);
    c->mem = test_region(size);
    cr_assert_eq(sabq_spsc_init(&c->spsc, c->mem, size, RING_CAP, 0), 0);
    uint64_t v = 0;
    while (full && sabq_spsc_send(&c->spsc, &v, 8) == 0) {
    }
    c->event = full ? &c->spsc.shm->wait.writable : &c->spsc.shm->wait.readable;
}
static void spsc_empty(struct wake_ctx *c) { spsc_setup(c, 0); }
static void spsc_full(struct wake_ctx *c) { spsc_setup(c, 1); }

static void pipe_setup(struct wake_ctx *c, int full)
{
    size_t size = sabq_pipe_size(RING_CAP);
    c->mem = test_region(size);
    cr_assert_eq(sabq_pipe_init(&c->pipe, c->mem, size, RING_CAP), 0);
    if (full) {
        uint8_t fill[RING_CAP] = {0};
        cr_assert_eq(sabq_pipe_write(&c->pipe, fill, RING_CAP), (int)RING_CAP);
    }
    c->event = full ? &c->pipe.shm->wait.writable : &c->pipe.shm->wait.readable;
}
static void pipe_empty(struct wake_ctx *c) { pipe_setup(c, 0); }
static void pipe_full(struct wake_ctx *c) { pipe_setup(c, 1); }

static void mpmc_setup(struct wake_ctx *c, int full)
{
    size_t size = sabq_mpmc_size(4, 8);
    c->mem = test_region(size);
    cr_assert_eq(sabq_mpmc_init(&c->mpmc, c->mem, size, 4, 8), 0);
    uint64_t v = 0;
    while (full && sabq_mpmc_push(&c->mpmc, &v, 8) == 0) {
    }
    c->event = full ? &c->mpmc.shm->wait.writable : &c->mpmc.shm->wait.readable;
}
static void mpmc_empty(struct wake_ctx *c) { mpmc_setup(c, 0); }
static void mpmc_full(struct wake_ctx *c) { mpmc_setup(c, 1); }

static void event_setup(struct wake_ctx *c)
{
    c->mem = test_region(64);
    c->event = c->mem;
    sabq_event_init(c->event);
}

static void word_setup(struct wake_ctx *c)
{
    c->mem = test_region(64);
    c->event = c->mem; /* its waiters word counts the sleeper (see word_block) */
    sabq_event_init(c->event);
    atomic_store(&c->word, 0);
}

/* ---- blocking calls ------------------------------------------------------------ */

#define TIMEOUT_NS ((uint64_t)WAKE_TIMEOUT_MS * MS)

static int spsc_recv(struct wake_ctx *c)
{
    uint64_t v;
    return sabq_spsc_recv_wait(&c->spsc, &v, 8, TIMEOUT_NS);
}
static int spsc_peek(struct wake_ctx *c)
{
    sabq_spsc_view v;
    return sabq_spsc_peek_wait(&c->spsc, &v, TIMEOUT_NS);
}
static int spsc_send(struct wake_ctx *c)
{
    uint64_t v = 7;
    return sabq_spsc_send_wait(&c->spsc, &v, 8, TIMEOUT_NS);
}
static int pipe_read(struct wake_ctx *c)
{
    uint8_t b[16];
    return sabq_pipe_read_wait(&c->pipe, b, sizeof b, TIMEOUT_NS);
}
static int pipe_write(struct wake_ctx *c)
{
    uint8_t b[8] = {0};
    return sabq_pipe_write_all(&c->pipe, b, sizeof b, TIMEOUT_NS);
}
static int mpmc_pop(struct wake_ctx *c)
{
    uint64_t v;
    return sabq_mpmc_pop_wait(&c->mpmc, &v, 8, TIMEOUT_NS);
}
static int mpmc_push(struct wake_ctx *c)
{
    uint64_t v = 7;
    return sabq_mpmc_push_wait(&c->mpmc, &v, 8, TIMEOUT_NS);
}
/* The event protocol of wait.h: announce, re-check the condition (here the
 * context's word), then sleep; a notify between the two is seen by the
 * re-check, one after it by the sleep. */
static int event_block(struct wake_ctx *c)
{
    uint64_t deadline = sabq_deadline(TIMEOUT_NS);
    while (!atomic_load(&c->word)) {
        uint32_t key = sabq_event_prepare(c->event);
        if (atomic_load(&c->word)) {
            sabq_event_cancel(c->event);
            break;
        }
        int rc = sabq_event_wait(c->event, key, deadline);
        if (rc < 0)
            return rc;
    }
    return 0;
}
/* The bare word wait has no waiters word of its own: count ourselves in the
 * context's event first, so the test knows when we are about to sleep. */
static int word_block(struct wake_ctx *c)
{
    atomic_fetch_add(&c->event->waiters, 1);
    int rc = sabq_wait(&c->word, 0, TIMEOUT_NS);
    atomic_fetch_sub(&c->event->waiters, 1);
    return rc;
}

/* ---- what wakes them --------------------------------------------------------------- */

static void spsc_give(struct wake_ctx *c)
{
    uint64_t v = 1;
    cr_assert_eq(sabq_spsc_send(&c->spsc, &v, 8), 0);
}
static void spsc_take(struct wake_ctx *c)
{
    uint64_t v;
    cr_assert_eq(sabq_spsc_recv(&c->spsc, &v, 8), 8);
}
static void spsc_close(struct wake_ctx *c) { sabq_spsc_close(&c->spsc); }
static void pipe_give(struct wake_ctx *c) { cr_assert_eq(sabq_pipe_write(&c->pipe, "x", 1), 1); }
static void pipe_take(struct wake_ctx *c)
{
    uint8_t b[64];
    cr_assert_eq(sabq_pipe_read(&c->pipe, b, sizeof b), 64);
}
static void pipe_close(struct wake_ctx *c) { sabq_pipe_close(&c->pipe); }
static void mpmc_give(struct wake_ctx *c)
{
    uint64_t v = 1;
    cr_assert_eq(sabq_mpmc_push(&c->mpmc, &v, 8), 0);
}
static void mpmc_take(struct wake_ctx *c)
{
    uint64_t v;
    cr_assert_eq(sabq_mpmc_pop(&c->mpmc, &v, 8), 8);
}
static void mpmc_close(struct wake_ctx *c) { sabq_mpmc_close(&c->mpmc); }
static void event_notify(struct wake_ctx *c)
{
    atomic_store(&c->word, 1);
    sabq_event_notify(c->event);
}
static void event_wake_all(struct wake_ctx *c)
{
    atomic_store(&c->word, 1);
    sabq_event_wake_all(c->event);
}
static void word_wake(struct wake_ctx *c)
{
    atomic_store(&c->word, 1);
    sabq_wake(&c->word, SABQ_WAKE_ALL);
}

static const struct wake_case cases[] = {
    {"spsc recv_wait, woken by a message", spsc_empty, spsc_recv, spsc_give, 8},
    {"spsc peek_wait, woken by a message", spsc_empty, spsc_peek, spsc_give, 8},
    {"spsc send_wait, woken by room", spsc_full, spsc_send, spsc_take, 0},
    {"spsc recv_wait, woken by close", spsc_empty, spsc_recv, spsc_close, -EPIPE},
    {"spsc peek_wait, woken by close", spsc_empty, spsc_peek, spsc_close, -EPIPE},
    {"spsc send_wait, woken by close", spsc_full, spsc_send, spsc_close, -EPIPE},
    {"pipe read_wait, woken by bytes", pipe_empty, pipe_read, pipe_give, 1},
    {"pipe write_all, woken by room", pipe_full, pipe_write, pipe_take, 8},
    {"pipe read_wait, woken by close", pipe_empty, pipe_read, pipe_close, 0},
    {"pipe write_all, woken by close", pipe_full, pipe_write, pipe_close, -EPIPE},
    {"mpmc pop_wait, woken by a message", mpmc_empty, mpmc_pop, mpmc_give, 8},
    {"mpmc push_wait, woken by room", mpmc_full, mpmc_push, mpmc_take, 0},
    {"mpmc pop_wait, woken by close", mpmc_empty, mpmc_pop, mpmc_close, -EPIPE},
    {"mpmc push_wait, woken by close", mpmc_full, mpmc_push, mpmc_close, -EPIPE},
    {"event wait, woken by notify", event_setup, event_block, event_notify, 0},
    {"event wait, woken by wake_all", event_setup, event_block, event_wake_all, 0},
    {"word wait, woken by wake", word_setup, word_block, word_wake, 0},
};
#define N_CASES (sizeof cases / sizeof cases[0])

/* ---- one round: park, wait for the count, wake, time it ------------------------ */

struct waiter {
    const struct wake_case *wc;
    struct wake_ctx *ctx;
    _Atomic uint64_t woken_at;
    _Atomic pid_t tid;
    int rc;
};

static void *park(void *arg)
{
    struct waiter *w = arg;
    atomic_store(&w->tid, gettid());
    w->rc = w->wc->block(w->ctx);
    atomic_store(&w->woken_at, sabq_now_ns());
    return NULL;
}

/* Until the waiter has counted itself (it is parked or about to park: either
 * way the change below must wake it). */
static void until_announced(struct sabq_event *ev)
{
    uint64_t give_up = sabq_now_ns() + TIMEOUT_NS;
    while (atomic_load(&ev->waiters) == 0) {
        cr_assert_lt(sabq_now_ns(), give_up, "the waiter never announced itself");
        sched_yield();
    }
}

/* Runs one round of a case and returns the wake latency in ns. With
 * `asleep`, the change comes once the waiter sleeps in its futex; without,
 * as soon as it has announced itself, often while it is still on its way to
 * sleep (the window a lost wake-up would fall into). */
static uint64_t wake_round(const struct wake_case *wc, int asleep)
{
    struct wake_ctx ctx = {0};
    wc->setup(&ctx);
    struct waiter w = {wc, &ctx, 0, 0, 1};
    pthread_t t = test_spawn(park, &w);
    until_announced(ctx.event);
    if (asleep) {
        while (atomic_load(&w.tid) == 0)
            sched_yield();
        test_until_asleep(atomic_load(&w.tid));
    }
    uint64_t t0 = sabq_now_ns();
    wc->wake(&ctx);
    test_join(t);
    cr_assert_eq(w.rc, wc->expect, "%s: returned %d (%s)", wc->name, w.rc, sabq_strerror(w.rc));
    cr_assert_eq(atomic_load(&ctx.event->waiters), 0, "%s: the waiter kept its count", wc->name);
    free(ctx.mem);
    return atomic_load(&w.woken_at) - t0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

Test(wake, every_blocking_call_is_woken_within_the_bound, .timeout = 600)
{
    uint32_t saved = sabq_get_spin();
    sabq_set_spin(0); /* park at once: the wake must come from the publisher */
    const char *env = getenv("SABQ_WAKE_ROUNDS");
    uint32_t rounds = env ? (uint32_t)strtoul(env, NULL, 10) : 5;
    uint64_t *lat = calloc(rounds, sizeof *lat);
    for (size_t i = 0; i < N_CASES; i++) {
        for (uint32_t r = 0; r < rounds; r++) {
            lat[r] = wake_round(&cases[i], r % 2);
            cr_assert_lt(lat[r], (uint64_t)WAKE_BOUND_MS * MS, "%s: woken after %.1f ms (bound %u ms)",
                         cases[i].name, (double)lat[r] / 1e6, WAKE_BOUND_MS);
        }
        if (env && rounds >= 4) { /* the distributions the bound was set from */
            uint64_t *asleep = calloc(rounds / 2, sizeof *asleep);
            uint32_t n = 0;
            for (uint32_t r = 1; r < rounds; r += 2)
                asleep[n++] = lat[r];
            qsort(asleep, n, sizeof *asleep, cmp_u64);
            qsort(lat, rounds, sizeof *lat, cmp_u64);
            fprintf(stderr, "wake %-36s all: median %6.3f p99 %6.3f max %6.3f ms; "
                    "asleep: median %6.3f p99 %6.3f p99.9 %6.3f max %6.3f ms\n",
                    cases[i].name, lat[rounds / 2] / 1e6, lat[rounds * 99 / 100] / 1e6, lat[rounds - 1] / 1e6,
                    asleep[n / 2] / 1e6, asleep[n * 99 / 100] / 1e6, asleep[n * 999 / 1000] / 1e6,
                    asleep[n - 1] / 1e6);
            free(asleep);
        }
    }
    free(lat);
    sabq_set_spin(saved);
}

/* ---- across two processes ---------------------------------------------------------- */

/* The waiter is a forked child blocked on a ring in a MAP_SHARED mapping
 * (futexes without FUTEX_PRIVATE_FLAG, so another process's wake reaches it);
 * it reports what it got and when through the same mapping. */
struct shared_round {
    _Atomic uint64_t woken_at;
    _Atomic int rc;
    _Alignas(64) uint8_t ring[];
};

static void two_processes(const char *name, int kind, int full, void (*wake)(struct wake_ctx *), int expect)
{
    size_t ring_size = kind == 0 ? sabq_spsc_size(RING_CAP) : kind == 1 ? sabq_pipe_size(RING_CAP)
                                                                         : sabq_mpmc_size(4, 8);
    size_t size = sizeof(struct shared_round) + ring_size;
    struct shared_round *sh = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(sh, MAP_FAILED);
    struct wake_ctx ctx = {0};
    struct sabq_event *ev;
    if (kind == 0) {
        cr_assert_eq(sabq_spsc_init(&ctx.spsc, sh->ring, ring_size, RING_CAP, 0), 0);
        uint64_t v = 0;
        while (full && sabq_spsc_send(&ctx.spsc, &v, 8) == 0) {
        }
        ev = full ? &ctx.spsc.shm->wait.writable : &ctx.spsc.shm->wait.readable;
    } else if (kind == 1) {
        cr_assert_eq(sabq_pipe_init(&ctx.pipe, sh->ring, ring_size, RING_CAP), 0);
        uint8_t fill[RING_CAP] = {0};
        if (full)
            cr_assert_eq(sabq_pipe_write(&ctx.pipe, fill, RING_CAP), (int)RING_CAP);
        ev = full ? &ctx.pipe.shm->wait.writable : &ctx.pipe.shm->wait.readable;
    } else {
        cr_assert_eq(sabq_mpmc_init(&ctx.mpmc, sh->ring, ring_size, 4, 8), 0);
        uint64_t v = 0;
        while (full && sabq_mpmc_push(&ctx.mpmc, &v, 8) == 0) {
        }
        ev = full ? &ctx.mpmc.shm->wait.writable : &ctx.mpmc.shm->wait.readable;
    }
    atomic_store(&sh->rc, 1);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) { /* a fresh attach, as another program would */
        struct wake_ctx mine = {0};
        int rc;
        sabq_set_spin(0);
        if (kind == 0)
            rc = sabq_spsc_attach(&mine.spsc, sh->ring, ring_size);
        else if (kind == 1)
            rc = sabq_pipe_attach(&mine.pipe, sh->ring, ring_size);
        else
            rc = sabq_mpmc_attach(&mine.mpmc, sh->ring, ring_size);
        if (rc == 0) {
            int (*block)(struct wake_ctx *) = kind == 0 ? (full ? spsc_send : spsc_recv)
                                            : kind == 1 ? (full ? pipe_write : pipe_read)
                                                        : (full ? mpmc_push : mpmc_pop);
            rc = block(&mine);
        }
        atomic_store(&sh->woken_at, sabq_now_ns());
        atomic_store(&sh->rc, rc);
        _exit(0);
    }
    until_announced(ev);
    uint64_t t0 = sabq_now_ns();
    wake(&ctx);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    cr_expect_eq(atomic_load(&sh->rc), expect, "%s: the child got %d", name, atomic_load(&sh->rc));
    uint64_t took = atomic_load(&sh->woken_at) - t0;
    cr_expect_lt(took, (uint64_t)WAKE_BOUND_MS * MS, "%s: woken after %.1f ms", name, (double)took / 1e6);
    munmap(sh, size);
}

Test(wake, another_process_is_woken_within_the_bound, .timeout = 120)
{
    sabq_set_spin(0);
    for (int round = 0; round < 3; round++) {
        two_processes("spsc recv_wait in a child, woken by a message", 0, 0, spsc_give, 8);
        two_processes("spsc send_wait in a child, woken by room", 0, 1, spsc_take, 0);
        two_processes("pipe read_wait in a child, woken by close", 1, 0, pipe_close, 0);
        two_processes("pipe write_all in a child, woken by room", 1, 1, pipe_take, 8);
        two_processes("mpmc pop_wait in a child, woken by a message", 2, 0, mpmc_give, 8);
        two_processes("mpmc push_wait in a child, woken by close", 2, 1, mpmc_close, -EPIPE);
    }
}
