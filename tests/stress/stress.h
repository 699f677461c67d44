/* tests/stress/stress.h — scale and helpers for the stress tests. Counts are
 * set by SABQ_STRESS_SCALE: "1" (native, default), "asan" (1/4) or "tsan"
 * (1/10: ThreadSanitizer runs each access through its shadow state). */
#ifndef SABQ_STRESS_H
#define SABQ_STRESS_H

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sabq/sabq.h>

#define STRESS_TIMEOUT_NS (60ull * 1000000000ull) /* a stall this long is a bug */

static inline uint64_t stress_count(uint64_t native)
{
    const char *s = getenv("SABQ_STRESS_SCALE");
    if (s && strcmp(s, "tsan") == 0)
        return native / 10;
    if (s && strcmp(s, "asan") == 0)
        return native / 4;
    return native;
}

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
