/* tests/test_wait.c — wait/wake on a 32-bit word and the event channel built
 * on it: value mismatch, timeouts, wake-ups, cross-thread. */
#include <errno.h>
#include "test_util.h"

Test(wait, returns_at_once_when_the_word_differs)
{
    _Atomic uint32_t w = 1;
    uint64_t t0 = sabq_now_ns();
    cr_expect_eq(sabq_wait(&w, 0, 1000 * MS), 0);
    cr_expect_lt(sabq_now_ns() - t0, 100 * MS);
}

Test(wait, timeout_accuracy)
{
    _Atomic uint32_t w = 0;
    cr_expect_eq(sabq_wait(&w, 0, 0), -ETIMEDOUT, "0 never sleeps");
    for (int i = 0; i < 3; i++) {
        uint64_t want = (uint64_t)(5 + 10 * i) * MS;
        uint64_t t0 = sabq_now_ns();
        cr_expect_eq(sabq_wait(&w, 0, want), -ETIMEDOUT);
        uint64_t took = sabq_now_ns() - t0;
        cr_expect_geq(took, want, "woke early: %llu < %llu", (unsigned long long)took,
                      (unsigned long long)want);
        cr_expect_lt(took, want + 100 * MS, "woke late: %llu", (unsigned long long)took);
    }
}

Test(wait, deadline_saturates)
{
    cr_expect_eq(sabq_deadline(SABQ_FOREVER), SABQ_FOREVER);
    cr_expect_eq(sabq_deadline(UINT64_MAX - 1), SABQ_FOREVER);
    uint64_t now = sabq_now_ns();
    uint64_t d = sabq_deadline(1000);
    cr_expect_geq(d, now + 1000);
}

Test(wait, spin_setting)
{
    uint32_t old = sabq_get_spin();
    sabq_set_spin(17);
    cr_expect_eq(sabq_get_spin(), 17);
    sabq_set_spin(old);
}

struct waker {
    _Atomic uint32_t *word;
    _Atomic pid_t tid;
    int rc;
};

static void *wait_on_word(void *arg)
{
    struct waker *k = arg;
    atomic_store(&k->tid, test_tid());
    k->rc = sabq_wait(k->word, 0, 5000 * MS);
    return NULL;
}

Test(wait, wake_reaches_a_sleeper)
{
    _Atomic uint32_t w = 0;
    struct waker k = {&w, 0, 1};
    pthread_t t = test_spawn(wait_on_word, &k);
    /* Until the thread sleeps in its futex: a store it saw on the way in
     * would end its wait without any wake, and a wake that reaches nobody
     * would pass. */
    while (atomic_load(&k.tid) == 0)
        sched_yield();
    test_until_asleep(atomic_load(&k.tid));
    uint64_t t0 = sabq_now_ns();
    atomic_store(&w, 1);
    sabq_wake(&w, SABQ_WAKE_ALL);
    test_join(t);
    cr_expect_eq(k.rc, 0);
    cr_expect_lt(sabq_now_ns() - t0, TEST_WAKE_BOUND_MS * MS);
}

struct event_waiter {
    struct sabq_event *ev;
    _Atomic uint32_t *flag;
    int rc;
};

static void *wait_for_flag(void *arg)
{
    struct event_waiter *e = arg;
    uint64_t deadline = sabq_deadline(5000 * MS);
    while (!atomic_load(e->flag)) {
        uint32_t key = sabq_event_prepare(e->ev);
        if (atomic_load(e->flag)) { /* re-check after announcing ourselves */
            sabq_event_cancel(e->ev);
            break;
        }
        e->rc = sabq_event_wait(e->ev, key, deadline);
        if (e->rc)
            return NULL;
    }
    e->rc = 0;
    return NULL;
}

Test(wait, event_notify_wakes_only_when_someone_waits)
{
    struct sabq_event ev;
    sabq_event_init(&ev);
    sabq_event_notify(&ev); /* nobody waits: no wake, so seq must not move */
    cr_expect_eq(atomic_load(&ev.seq), 0, "notify woke with nobody waiting");
    cr_expect_eq(atomic_load(&ev.waiters), 0);
    _Atomic uint32_t flag = 0;
    struct event_waiter e = {&ev, &flag, 1};
    pthread_t t = test_spawn(wait_for_flag, &e);
    test_until_waiting(&ev, 1);
    uint32_t seq = atomic_load(&ev.seq);
    atomic_store(&flag, 1);
    sabq_event_notify(&ev); /* somebody waits: one wake */
    cr_expect_eq(atomic_load(&ev.seq), seq + 1, "notify did not wake the waiter");
    test_join(t);
    cr_expect_eq(e.rc, 0);
    cr_expect_eq(atomic_load(&ev.waiters), 0, "the waiter withdrew its count");
    sabq_event_notify(&ev);
    cr_expect_eq(atomic_load(&ev.seq), seq + 1, "notify woke with nobody waiting any more");
}

Test(wait, event_wake_all_wakes_every_waiter_and_always_moves_seq)
{
    struct sabq_event ev;
    sabq_event_init(&ev);
    sabq_event_wake_all(&ev); /* unconditional, unlike notify */
    cr_expect_eq(atomic_load(&ev.seq), 1);
    _Atomic uint32_t flag = 0;
    struct event_waiter e[3];
    pthread_t t[3];
    for (int i = 0; i < 3; i++) {
        e[i] = (struct event_waiter){&ev, &flag, 1};
        t[i] = test_spawn(wait_for_flag, &e[i]);
    }
    test_until_waiting(&ev, 3);
    uint64_t t0 = sabq_now_ns();
    atomic_store(&flag, 1);
    sabq_event_wake_all(&ev);
    cr_expect_eq(atomic_load(&ev.seq), 2);
    for (int i = 0; i < 3; i++) {
        test_join(t[i]);
        cr_expect_eq(e[i].rc, 0);
    }
    cr_expect_lt(sabq_now_ns() - t0, TEST_WAKE_BOUND_MS * MS, "wake_all did not wake them all");
    cr_expect_eq(atomic_load(&ev.waiters), 0);
}

Test(wait, event_wait_times_out)
{
    struct sabq_event ev;
    sabq_event_init(&ev);
    uint32_t key = sabq_event_prepare(&ev);
    uint64_t t0 = sabq_now_ns();
    cr_expect_eq(sabq_event_wait(&ev, key, sabq_deadline(10 * MS)), -ETIMEDOUT);
    cr_expect_geq(sabq_now_ns() - t0, 10 * MS);
    cr_expect_eq(atomic_load(&ev.waiters), 0);
}
