/* tests/stress/stress.h — scale and helpers for the stress tests. Counts are
 * set by SABQ_STRESS_SCALE: "1" (native, default), "asan" (1/4) or "tsan"
 * (1/10: ThreadSanitizer runs each access through its shadow state); "soak"
 * runs the soak suite instead (make soak). */
#ifndef SABQ_STRESS_H
#define SABQ_STRESS_H

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sabq/sabq.h>
#include "../wrap.h"

/* Checks for the threads a test starts. Criterion's cr_assert ends a test by
 * jumping back to the test's own thread, so a failure in another thread
 * crashes with no message. stress_require prints what failed, then aborts:
 * the runner reports a crash with the reason right above it. */
/* A check without a message passes "" as its format: allowed here. */
#pragma GCC diagnostic ignored "-Wformat-zero-length"
#define stress_require(cond, ...) \
    ((cond) ? (void)0 : stress_fail(__FILE__, __LINE__, #cond, "" __VA_ARGS__))

static inline __attribute__((noreturn, format(printf, 4, 5))) void
stress_fail(const char *file, int line, const char *expr, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: failed: %s", file, line, expr);
    if (*fmt) {
        fputs(": ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
    }
    fputc('\n', stderr);
    fflush(stderr);
    abort();
}

#define STRESS_TIMEOUT_NS (60ull * 1000000000ull) /* a stall this long is a bug */

/* The timeout of every blocking call in the stress tests (the spin-0 tests
 * make it shorter). A call that returns only once its timeout has passed was
 * never woken: its last try after the deadline succeeded, which would hide a
 * lost wake-up as a mere delay. STRESS_WAIT(call) makes that a failure. */
static uint64_t stress_timeout_ns = STRESS_TIMEOUT_NS;
#define STRESS_WAIT(call)                                                                  \
    __extension__({                                                                        \
        uint64_t t0_ = sabq_now_ns();                                                      \
        int rc_ = (call);                                                                  \
        stress_require(sabq_now_ns() - t0_ < stress_timeout_ns,                            \
                       "%s returned %d only after its whole timeout: a lost wake-up",      \
                       #call, rc_);                                                        \
        rc_;                                                                               \
    })

static inline uint64_t stress_count(uint64_t native)
{
    const char *s = getenv("SABQ_STRESS_SCALE");
    if (s && strcmp(s, "tsan") == 0)
        return native / 10;
    if (s && strcmp(s, "asan") == 0)
        return native / 4;
    return native;
}

/* The soak tests (suite `soak`, run by make soak) run for hours on a busy
 * machine: skipped unless SABQ_STRESS_SCALE=soak. */
#define SOAK_ONLY()                                                                        \
    do {                                                                                   \
        const char *scale_ = getenv("SABQ_STRESS_SCALE");                                  \
        if (!scale_ || strcmp(scale_, "soak") != 0)                                        \
            cr_skip_test("make soak runs it");                                             \
    } while (0)
#define SOAK_TIMEOUT_S 86400

static inline void *stress_region(size_t size)
{
    void *mem = NULL;
    cr_assert_eq(posix_memalign(&mem, SABQ_ALIGN, size), 0);
    return mem;
}

/* A message's bytes are a function of (producer, seq), so a torn or stale
 * payload is caught, not only a wrong header. */
static inline uint8_t stress_byte(uint32_t producer, uint64_t seq, uint32_t i)
{
    return (uint8_t)(producer * 131u + seq * 7u + i);
}

static inline void stress_report(const char *what, uint64_t messages, uint64_t t0)
{
    double secs = (double)(sabq_now_ns() - t0) / 1e9;
    cr_log_info("%s: %llu messages in %.2f s (%.1f M msg/s)", what,
                (unsigned long long)messages, secs, (double)messages / secs / 1e6);
    fprintf(stderr, "stress %s: %llu messages in %.2f s (%.1f M msg/s)\n", what,
            (unsigned long long)messages, secs, (double)messages / secs / 1e6);
}

#endif
