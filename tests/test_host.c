/* tests/test_host.c — the /host path encoder of include/sabq/host.h, natively:
 * what a plugin's sabq_host_call and sabq_host_run put in a path. The
 * fuzzer (tests/fuzz/fuzz_host.c) tries everything; these are the cases to
 * read. */
#include "test_util.h"
#include <sabq/host.h>

Test(host, encodes_all_but_unreserved_characters)
{
    char out[64] = "/host/call/";
    size_t len = strlen(out);
    cr_assert_eq(sabq_host__encode(out, sizeof out, &len, "a-Z_0.~ /%\xff"), 0);
    cr_expect_str_eq(out, "/host/call/a-Z_0.~%20%2F%25%FF");
    cr_expect_eq(len, strlen(out));
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
