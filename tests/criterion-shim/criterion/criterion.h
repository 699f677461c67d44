/* tests/criterion-shim/criterion/criterion.h — the subset of Criterion's API
 * that sabq's tests use, for the ThreadSanitizer build only.
 *
 * Why: Criterion cannot start under TSan (its BoxFort arena fails with
 * "Could not initialize inheritable arena", Snaipe/Criterion#274, open), so the
 * TSan variant compiles the very same test files against this header and
 * runner.c: each test runs in its own forked process with a timeout, like
 * Criterion does. Semantics kept: cr_assert_* ends the test, cr_expect_*
 * records a failure and goes on, an optional printf-style message follows. */
#ifndef SABQ_CRITERION_SHIM_H
#define SABQ_CRITERION_SHIM_H

#include <stddef.h>
#include <string.h>

struct tc_test {
    const char *suite;
    const char *name;
    void (*fn)(void);
    double timeout; /* seconds; 0 for the runner's default */
    struct tc_test *next;
};

void tc_register(struct tc_test *t);
void tc_check(int ok, int fatal, const char *file, int line, const char *expr,
              const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void tc_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tc_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define Test(S_, N_, ...)                                                               \
    static void S_##_##N_##_fn(void);                                                   \
    static struct tc_test S_##_##N_##_desc = {                                          \
        .suite = #S_, .name = #N_, .fn = S_##_##N_##_fn, __VA_ARGS__};                  \
    __attribute__((constructor)) static void S_##_##N_##_reg(void)                      \
    {                                                                                   \
        tc_register(&S_##_##N_##_desc);                                                 \
    }                                                                                   \
    static void S_##_##N_##_fn(void)

#define TC_CHECK(fatal, cond, text, ...) \
    tc_check(!!(cond), fatal, __FILE__, __LINE__, text, "" __VA_ARGS__)

#define cr_assert(c, ...) TC_CHECK(1, c, #c, __VA_ARGS__)
#define cr_expect(c, ...) TC_CHECK(0, c, #c, __VA_ARGS__)
#define cr_assert_not_null(p, ...) TC_CHECK(1, (p) != NULL, #p " != NULL", __VA_ARGS__)
#define cr_assert_eq(a, b, ...) TC_CHECK(1, (a) == (b), #a " == " #b, __VA_ARGS__)
#define cr_assert_neq(a, b, ...) TC_CHECK(1, (a) != (b), #a " != " #b, __VA_ARGS__)
#define cr_assert_lt(a, b, ...) TC_CHECK(1, (a) < (b), #a " < " #b, __VA_ARGS__)
#define cr_assert_leq(a, b, ...) TC_CHECK(1, (a) <= (b), #a " <= " #b, __VA_ARGS__)
#define cr_assert_gt(a, b, ...) TC_CHECK(1, (a) > (b), #a " > " #b, __VA_ARGS__)
#define cr_assert_geq(a, b, ...) TC_CHECK(1, (a) >= (b), #a " >= " #b, __VA_ARGS__)
#define cr_expect_eq(a, b, ...) TC_CHECK(0, (a) == (b), #a " == " #b, __VA_ARGS__)
#define cr_expect_neq(a, b, ...) TC_CHECK(0, (a) != (b), #a " != " #b, __VA_ARGS__)
#define cr_expect_lt(a, b, ...) TC_CHECK(0, (a) < (b), #a " < " #b, __VA_ARGS__)
#define cr_expect_leq(a, b, ...) TC_CHECK(0, (a) <= (b), #a " <= " #b, __VA_ARGS__)
#define cr_expect_gt(a, b, ...) TC_CHECK(0, (a) > (b), #a " > " #b, __VA_ARGS__)
#define cr_expect_geq(a, b, ...) TC_CHECK(0, (a) >= (b), #a " >= " #b, __VA_ARGS__)
#define cr_expect_str_eq(a, b, ...) TC_CHECK(0, strcmp(a, b) == 0, #a " == " #b, __VA_ARGS__)
#define cr_expect_str_neq(a, b, ...) TC_CHECK(0, strcmp(a, b) != 0, #a " != " #b, __VA_ARGS__)
#define cr_skip_test(...) tc_skip("" __VA_ARGS__)
#define cr_log_info(...) tc_log(__VA_ARGS__)

#endif
