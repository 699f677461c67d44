/* tests/test_host.c — host.h's own logic, natively: how a request is
 * percent-encoded into a /host path, that a buffer whose room is used up gets
 * nothing written past it, and that a request too long to encode fails with
 * ENAMETOOLONG before any file is opened. The fuzzer
 * (tests/fuzz/fuzz_host.c) tries every input; these are the cases to read.
 * The calls to a real host are tested by a plugin under the coordinator
 * (tests/js/). */
#include <errno.h>
#include <string.h>
#include <sabq/host.h>
#include "test_util.h"

Test(host, percent_encodes_all_but_unreserved_characters)
{
    char out[64] = "/host/call/";
    size_t len = strlen(out);
    cr_assert_eq(sabq_host__encode(out, sizeof out, &len, "a-Z_0.~ /%\xff"), 0);
    cr_expect_str_eq(out, "/host/call/a-Z_0.~%20%2F%25%FF");
    cr_expect_eq(len, strlen(out));
}

Test(host, encoding_that_does_not_fit_is_refused)
{
    char out[8];
    size_t len = 0;
    cr_expect_eq(sabq_host__encode(out, sizeof out, &len, "abcd/"), 0, "7 bytes and a NUL fit");
    cr_expect_str_eq(out, "abcd%2F");
    len = 0;
    cr_expect_eq(sabq_host__encode(out, sizeof out, &len, "abcde/"), -1, "8 bytes and a NUL do not");
}

/* A buffer whose room is used up: even the empty string's NUL does not fit,
 * and nothing may be written past it (the fuzzer found the NUL written one
 * byte beyond). */
Test(host, refuses_a_full_buffer_and_writes_nothing_past_it)
{
    char out[9];
    memset(out, '#', sizeof out);
    size_t len = 8;
    cr_expect_eq(sabq_host__encode(out, 8, &len, ""), -1);
    cr_expect_eq(out[8], '#', "wrote past the room");
    len = 7;
    cr_expect_eq(sabq_host__encode(out, 8, &len, ""), 0, "the NUL alone fits");
    cr_expect_eq(out[7], '\0');
    len = 5;
    cr_expect_eq(sabq_host__encode(out, 8, &len, "/"), -1, "an escape needs 3 bytes and the NUL");
    cr_expect_eq(out[8], '#');
}

Test(host, too_long_request_fails_with_enametoolong)
{
    static char big[5000];
    memset(big, 'a', sizeof big - 1);
    errno = 0;
    cr_expect(sabq_host_call_open("handler", big) == NULL);
    cr_expect_eq(errno, ENAMETOOLONG);
    errno = 0;
    cr_expect(sabq_host_call_open(big, "request") == NULL);
    cr_expect_eq(errno, ENAMETOOLONG);
    errno = 0;
    cr_expect(sabq_host_call(big, "request", NULL) == NULL);
    cr_expect_eq(errno, ENAMETOOLONG);
    errno = 0;
    cr_expect(sabq_host_run(big) == NULL);
    cr_expect_eq(errno, ENAMETOOLONG);
}
