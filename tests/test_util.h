/* tests/test_util.h — helpers shared by the Criterion unit tests: regions of
 * exactly the requested size (so ASan sees any access past the end), threads,
 * and sanitizer detection. */
#ifndef SABQ_TEST_UTIL_H
#define SABQ_TEST_UTIL_H

#include <criterion/criterion.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sabq/sabq.h>
#ifdef __linux__
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>
#endif

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SABQ_TEST_TSAN 1
#endif
#endif
#ifndef SABQ_TEST_TSAN
#define SABQ_TEST_TSAN 0
#endif

#define MS 1000000ull

/* A wake must reach a parked waiter within this (tests/test_wake.c says
 * where the figure comes from); a lost wake-up shows as the waiter's whole
 * timeout, far longer. */
#define TEST_WAKE_BOUND_MS 250u

/* Until a waiter has counted itself in `ev` (it is parked or about to park:
 * either way what follows must wake it). Instead of sleeping "to let it
 * park", which proves nothing and costs time. */
static inline void test_until_waiting(struct sabq_event *ev, uint32_t how_many)
{
    uint64_t give_up = sabq_now_ns() + 10000 * MS;
    while (atomic_load(&ev->waiters) < how_many) {
        cr_assert_lt(sabq_now_ns(), give_up, "the waiter never announced itself");
        sched_yield();
    }
}

#ifdef __linux__
/* The calling thread's id (for test_until_asleep). */
static inline pid_t test_tid(void) { return (pid_t)syscall(SYS_gettid); }

/* Whether thread `tid` of this process is blocked in a futex wait: state S
 * in /proc/self/task/TID/stat, and SYS_futex the call it is in, where the
 * kernel shows that (/proc/self/task/TID/syscall). */
static inline int test_in_futex(pid_t tid)
{
    char path[64], text[256];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    const char *state = strrchr(text, ')'); /* "pid (comm) S ..." */
    if (!state || state[1] != ' ' || state[2] != 'S')
        return 0;
    snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)tid);
    if (!(f = fopen(path, "r")))
        return 1; /* not shown: the state has to do */
    long nr = -1;
    int got = fscanf(f, "%ld", &nr);
    fclose(f);
    return got != 1 || nr == SYS_futex;
}

/* Until thread `tid` sleeps in a futex wait: after it announced itself, or
 * called a wait, that is the wait. A wake that comes later must be what ends
 * it, not a check on the way in. */
static inline void test_until_asleep(pid_t tid)
{
    uint64_t give_up = sabq_now_ns() + 10000 * MS;
    while (!test_in_futex(tid)) {
        cr_assert_lt(sabq_now_ns(), give_up, "the waiter never went to sleep");
        sched_yield();
    }
}
#endif

/* A SABQ_ALIGN-aligned block of exactly `size` bytes, filled with 0xA5 so a
 * test never passes because memory happened to be zero. Free with free(). */
static inline void *test_region(size_t size)
{
    void *mem = NULL;
    cr_assert_eq(posix_memalign(&mem, SABQ_ALIGN, size), 0);
    memset(mem, 0xA5, size);
    return mem;
}

static inline pthread_t test_spawn(void *(*fn)(void *), void *arg)
{
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, fn, arg), 0);
    return t;
}

static inline void test_join(pthread_t t)
{
    cr_assert_eq(pthread_join(t, NULL), 0);
}

/* Fill `buf` with a pattern derived from `seed`, and check it back. */
static inline void test_fill(void *buf, uint32_t len, uint32_t seed)
{
    uint8_t *b = buf;
    for (uint32_t i = 0; i < len; i++)
        b[i] = (uint8_t)(seed * 31u + i * 7u);
}

static inline int test_check(const void *buf, uint32_t len, uint32_t seed)
{
    const uint8_t *b = buf;
    for (uint32_t i = 0; i < len; i++)
        if (b[i] != (uint8_t)(seed * 31u + i * 7u))
            return 0;
    return 1;
}

#endif
