/* tests/fuzz/fuzz_host.c — libFuzzer target for the /host path encoder in
 * include/sabq/host.h (what a plugin's sabq_host_call and sabq_host_run build
 * their paths with): any string, any room, any starting length. A success
 * leaves a NUL-terminated path of unreserved characters and %XX escapes that
 * decodes back to the string, within the room; a failure writes nothing past
 * it (the buffer is exactly `cap` bytes, so ASan sees one byte too far). */
#include "fuzz.h"
#include <sabq/host.h>

static int unreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

static int hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    size_t cap = 1 + fuzz_u16(&in) % 600;
    size_t used = fuzz_u16(&in) % (cap + 1); /* the whole room used is a case too */
    size_t slen = in.left;
    char *s = malloc(slen + 1);
    fuzz_bytes(&in, s, slen);
    s[slen] = '\0';
    slen = strlen(s); /* a C string: up to the first NUL */
    struct fuzz_region out = fuzz_region_new(cap);
    memset(out.mem, '#', used);
    size_t len = used;
    int rc = sabq_host__encode((char *)out.mem, cap, &len, s);
    if (rc == 0) {
        FUZZ_CHECK(len < cap && out.mem[len] == '\0', "not terminated within the room");
        for (size_t i = 0; i < used; i++)
            FUZZ_CHECK(out.mem[i] == '#', "wrote before the starting length");
        size_t k = 0;
        for (size_t i = used; i < len; k++) {
            unsigned char c = out.mem[i];
            if (c == '%') {
                FUZZ_CHECK(i + 2 < len + 1 && hex((char)out.mem[i + 1]) >= 0 && hex((char)out.mem[i + 2]) >= 0,
                           "a bad escape");
                c = (unsigned char)(hex((char)out.mem[i + 1]) << 4 | hex((char)out.mem[i + 2]));
                FUZZ_CHECK(!unreserved(c), "escaped an unreserved character");
                i += 3;
            } else {
                FUZZ_CHECK(unreserved(c), "a reserved character left as is: %02x", c);
                i++;
            }
            FUZZ_CHECK(k < slen && (unsigned char)s[k] == c, "does not decode back");
        }
        FUZZ_CHECK(k == slen, "decodes to %zu of %zu bytes", k, slen);
    } else {
        FUZZ_CHECK(rc == -1, "encode returned %d", rc);
    }
    fuzz_region_free(&out);
    free(s);
    return 0;
}
