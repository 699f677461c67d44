/* tests/test_host.c — host.h's own logic, natively: how a request is
 * percent-encoded, and that one too long to encode fails with ENAMETOOLONG
 * before any file is opened. The calls to a real host are tested by a plugin
 * under the coordinator (tests/js/). */
#include <errno.h>
#include <string.h>
#include <sabq/host.h>
#include "test_util.h"

Test(host, percent_encodes_all_but_unreserved_characters)
{
    char out[64];
    size_t len = 0;
    cr_assert_eq(sabq_host__encode(out, sizeof out, &len, "a Z-_.~/%\xff"), 0);
    cr_expect_str_eq(out, "a%20Z-_.~%2F%25%FF");
    cr_expect_eq(len, strlen("a%20Z-_.~%2F%25%FF"));
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
