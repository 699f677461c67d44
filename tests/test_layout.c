/* tests/test_layout.c — the bytes init writes are the bytes docs/layout.md
 * describes: read back at fixed offsets, independent of the structs. */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include "test_util.h"

#ifdef __linux__
/* sabq.wasm returns the numbers of lib/freestanding/errno.h, and the JS
 * binding names them from that header (tools/gen_layout_js.c): they must be
 * Linux's, the numbers native sabq returns here. */
enum { HOST_ENOENT = ENOENT, HOST_EAGAIN = EAGAIN, HOST_ENOMEM = ENOMEM, HOST_EACCES = EACCES,
       HOST_EEXIST = EEXIST, HOST_EINVAL = EINVAL, HOST_EPIPE = EPIPE, HOST_EDEADLK = EDEADLK,
       HOST_EPROTO = EPROTO, HOST_EMSGSIZE = EMSGSIZE, HOST_ETIMEDOUT = ETIMEDOUT };
#undef ENOENT
#undef EAGAIN
#undef ENOMEM
#undef EACCES
#undef EEXIST
#undef EINVAL
#undef EPIPE
#undef EDEADLK
#undef EPROTO
#undef EMSGSIZE
#undef ETIMEDOUT
#undef SABQ_FREESTANDING_ERRNO_H
#include "../lib/freestanding/errno.h"
_Static_assert(HOST_ENOENT == ENOENT && HOST_EAGAIN == EAGAIN && HOST_ENOMEM == ENOMEM &&
               HOST_EACCES == EACCES && HOST_EEXIST == EEXIST && HOST_EINVAL == EINVAL &&
               HOST_EPIPE == EPIPE && HOST_EDEADLK == EDEADLK && HOST_EPROTO == EPROTO &&
               HOST_EMSGSIZE == EMSGSIZE && HOST_ETIMEDOUT == ETIMEDOUT,
               "lib/freestanding/errno.h must hold Linux's numbers");
#endif

static uint32_t u32_at(const void *mem, size_t off)
{
    uint32_t v;
    memcpy(&v, (const uint8_t *)mem + off, 4);
    return v;
}

static uint16_t u16_at(const void *mem, size_t off)
{
    uint16_t v;
    memcpy(&v, (const uint8_t *)mem + off, 2);
    return v;
}

Test(layout, spsc_header_bytes)
{
    size_t size = sabq_spsc_size(4096);
    void *mem = test_region(size);
    sabq_spsc r;
    cr_assert_eq(sabq_spsc_init(&r, mem, size, 4096, 1000), 0);
    cr_expect_eq(memcmp(mem, "SABQ", 4), 0, "magic spells SABQ in memory order");
    cr_expect_eq(u16_at(mem, 4), SABQ_VERSION);
    cr_expect_eq(u16_at(mem, 6), SABQ_KIND_SPSC);
    cr_expect_eq(u32_at(mem, 8), 4096);
    cr_expect_eq(u32_at(mem, 12), 1000);
    cr_expect_eq(u32_at(mem, 16), 0);
    cr_expect_eq(u32_at(mem, 20), 256);
    cr_expect_eq(u32_at(mem, 24), 256 + 4096);
    cr_expect_eq(u32_at(mem, 28), 0, "open");
    for (size_t off = 64; off < 256; off += 4)
        cr_expect_eq(u32_at(mem, off), 0, "index/wait word at %zu starts at 0", off);
    uint32_t v = 0xdeadbeef;
    cr_assert_eq(sabq_spsc_send(&r, &v, 4), 0);
    cr_expect_eq(u32_at(mem, 64), 16, "head after one 4-byte message");
    cr_expect_eq(u32_at(mem, 256), 4, "record length");
    cr_expect_eq(u32_at(mem, 260), 1, "record seal: its position (0) + 1");
    cr_expect_eq(u32_at(mem, 264), 0xdeadbeef, "payload after the 8-byte header");
    cr_expect_eq(u32_at(mem, 256 + 16 + 4), 0, "the next record's seal is cleared");
    cr_assert_eq(sabq_spsc_recv(&r, &v, 4), 4);
    cr_expect_eq(u32_at(mem, 128), 16, "tail after one message");
    sabq_spsc_close(&r);
    cr_expect_eq(u32_at(mem, 28), SABQ_CLOSED);
    free(mem);
}

Test(layout, pipe_and_mpmc_header_bytes)
{
    size_t size = sabq_pipe_size(1024);
    void *mem = test_region(size);
    sabq_pipe p;
    cr_assert_eq(sabq_pipe_init(&p, mem, size, 1024), 0);
    cr_expect_eq(u16_at(mem, 6), SABQ_KIND_PIPE);
    cr_expect_eq(u32_at(mem, 8), 1024);
    cr_expect_eq(u32_at(mem, 12), 0);
    cr_assert_eq(sabq_pipe_write(&p, "hello", 5), 5);
    cr_expect_eq(u32_at(mem, 64), 5);
    cr_expect_eq(memcmp((uint8_t *)mem + 256, "hello", 5), 0);
    free(mem);

    size = sabq_mpmc_size(4, 100);
    mem = test_region(size);
    sabq_mpmc q;
    cr_assert_eq(sabq_mpmc_init(&q, mem, size, 4, 100), 0);
    cr_expect_eq(u16_at(mem, 6), SABQ_KIND_MPMC);
    cr_expect_eq(u32_at(mem, 8), 4);
    cr_expect_eq(u32_at(mem, 12), 100);
    cr_expect_eq(u32_at(mem, 16), 112, "8 + 100 rounded up to 8");
    cr_expect_eq(u32_at(mem, 24), 256 + 4 * 112);
    for (uint32_t i = 0; i < 4; i++)
        cr_expect_eq(u32_at(mem, 256 + i * 112), i, "slot %u turn starts at its ticket", i);
    cr_assert_eq(sabq_mpmc_push(&q, "xyz", 3), 0);
    cr_expect_eq(u32_at(mem, 256 + 4), 3, "slot length");
    cr_expect_eq(memcmp((uint8_t *)mem + 256 + 8, "xyz", 3), 0);
    free(mem);
}

/* Every code sabq returns: the ones lib/freestanding/errno.h gives sabq.wasm. */
static const struct {
    int code;
    const char *name;
} sabq_codes[] = {
    {EAGAIN, "EAGAIN"}, {ETIMEDOUT, "ETIMEDOUT"}, {EPIPE, "EPIPE"},   {EMSGSIZE, "EMSGSIZE"},
    {EINVAL, "EINVAL"}, {EPROTO, "EPROTO"},       {EEXIST, "EEXIST"}, {ENOENT, "ENOENT"},
    {ENOMEM, "ENOMEM"}, {EACCES, "EACCES"},       {EDEADLK, "EDEADLK"},
};
#define N_CODES (sizeof sabq_codes / sizeof sabq_codes[0])

/* Each code gets its own message, naming it: "... (EPIPE)". */
Test(layout, strerror_names_every_code)
{
    cr_expect_str_eq(sabq_strerror(0), "success");
    const char *unknown = sabq_strerror(-12345);
    cr_expect(strlen(unknown) > 0, "unknown codes still get a string");
    for (size_t i = 0; i < N_CODES; i++) {
        const char *msg = sabq_strerror(-sabq_codes[i].code);
        char tag[32];
        snprintf(tag, sizeof tag, "(%s)", sabq_codes[i].name);
        cr_expect(strstr(msg, tag) != NULL, "sabq_strerror(-%s) is \"%s\": it does not name the code",
                  sabq_codes[i].name, msg);
        for (size_t j = 0; j < i; j++)
            cr_expect(strcmp(msg, sabq_strerror(-sabq_codes[j].code)) != 0, "-%s and -%s share the message \"%s\"",
                      sabq_codes[i].name, sabq_codes[j].name, msg);
    }
}

/* A code a header documents (a "-EXXX" in include/sabq/) is one of the codes
 * above, so that a new one cannot go without its message. */
Test(layout, every_code_the_headers_document_is_named)
{
    char pattern[512];
    const char *here = __FILE__; /* tests/test_layout.c, as make compiles it from the top */
    const char *slash = strrchr(here, '/');
    snprintf(pattern, sizeof pattern, "%.*s/../include/sabq/*.h", slash ? (int)(slash - here) : 1,
             slash ? here : ".");
    glob_t g;
    cr_assert_eq(glob(pattern, 0, NULL, &g), 0, "no headers at %s", pattern);
    size_t found = 0;
    for (size_t f = 0; f < g.gl_pathc; f++) {
        FILE *in = fopen(g.gl_pathv[f], "r");
        cr_assert_not_null(in, "%s", g.gl_pathv[f]);
        char line[1024];
        while (fgets(line, sizeof line, in)) {
            for (const char *p = line; (p = strstr(p, "-E")) != NULL; p += 2) {
                size_t n = 0;
                while (p[2 + n] >= 'A' && p[2 + n] <= 'Z')
                    n++;
                if (n < 3)
                    continue;
                int known = 0;
                for (size_t i = 0; i < N_CODES; i++)
                    known |= strlen(sabq_codes[i].name) == n + 1 && strncmp(sabq_codes[i].name, p + 1, n + 1) == 0;
                cr_expect(known, "%s documents -%.*s, which sabq_strerror's test does not know", g.gl_pathv[f],
                          (int)(n + 1), p + 1);
                found++;
            }
        }
        fclose(in);
    }
    globfree(&g);
    cr_expect_gt(found, 20, "only %zu codes found in the headers", found);
}
