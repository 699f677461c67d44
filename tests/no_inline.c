/* tests/no_inline.c — `make test-compilers` builds this with -DSABQ_NO_INLINE
 * and runs it: sabq_spsc_send and sabq_spsc_recv must then be the library's
 * functions, not the header's macros (docs/layout.md, "Inline fast paths"),
 * and a message must go through them on both ring forms. */
#include <sabq/sabq.h>
#include <stdio.h>
#include <stdlib.h>

#if defined(sabq_spsc_send) || defined(sabq_spsc_recv)
#error "with SABQ_NO_INLINE, sabq_spsc_send and sabq_spsc_recv must not be macros"
#endif

static int one_message(sabq_spsc *r, uint32_t len)
{
    uint64_t in = 0x1122334455667788u, out = 0;
    return sabq_spsc_send(r, &in, len) == 0 && sabq_spsc_recv(r, &out, sizeof out) == (int)len &&
           out == in;
}

int main(void)
{
    sabq_spsc rec, fixed;
    size_t rec_size = sabq_spsc_size(1024), fixed_size = sabq_spsc_fixed_size(16, 8);
    void *a = aligned_alloc(SABQ_ALIGN, rec_size), *b = aligned_alloc(SABQ_ALIGN, fixed_size);
    if (!a || !b || sabq_spsc_init(&rec, a, rec_size, 1024, 0) < 0 ||
        sabq_spsc_init_fixed(&fixed, b, fixed_size, 16, 8) < 0)
        return 2;
    int ok = one_message(&rec, 8) && one_message(&fixed, 8);
    free(a);
    free(b);
    if (!ok)
        fprintf(stderr, "no_inline: a message did not go through the library's calls\n");
    return ok ? 0 : 1;
}
