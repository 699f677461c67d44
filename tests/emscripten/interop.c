/* tests/emscripten/interop.c — the C half of the same-bytes test
 * (tests/js/emscripten-interop.test.mjs): an emscripten program writes an SPSC
 * ring and an MPMC queue in its own heap, and the JS binding (sabq.wasm
 * instantiated against this program's memory) reads them; then the reverse.
 * Exports are called from JS. */
#include <emscripten/emscripten.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sabq/sabq.h>

/* A SABQ_ALIGN-aligned block of the program's heap, for a ring either side lays out. */
EMSCRIPTEN_KEEPALIVE void *interop_alloc(uint32_t size) { return aligned_alloc(SABQ_ALIGN, (size + 63u) & ~63u); }

/* Lays out an SPSC ring of `cap` bytes at `mem` and sends "message N" for N < count. */
EMSCRIPTEN_KEEPALIVE int interop_spsc_write(void *mem, uint32_t cap, uint32_t count)
{
    sabq_spsc r;
    int rc = sabq_spsc_init(&r, mem, sabq_spsc_size(cap), cap, 0);
    char msg[32];
    for (uint32_t i = 0; rc == 0 && i < count; i++) {
        int len = snprintf(msg, sizeof msg, "message %u", i);
        rc = sabq_spsc_send(&r, msg, (uint32_t)len);
    }
    sabq_spsc_close(&r);
    return rc;
}

/* Attaches to the ring JS laid out at `mem` and checks "from js N" messages in
 * order until end of stream. Returns how many were right, or a negative error. */
EMSCRIPTEN_KEEPALIVE int interop_spsc_read(void *mem, uint32_t size)
{
    sabq_spsc r;
    int rc = sabq_spsc_attach(&r, mem, size);
    if (rc < 0)
        return rc;
    char msg[64], want[64];
    int n = 0;
    while ((rc = sabq_spsc_recv(&r, msg, sizeof msg - 1)) >= 0) {
        msg[rc] = '\0';
        snprintf(want, sizeof want, "from js %d", n);
        if (strcmp(msg, want) != 0)
            return -1000 - n;
        n++;
    }
    return rc == -EPIPE ? n : rc;
}

/* Message i of the every-length exchange: lengths 0..96 (around both stages
 * and beyond), the same for four messages in a row so batches become runs. */
EMSCRIPTEN_KEEPALIVE uint32_t interop_len(uint32_t i) { return (i / 4 * 13) % 97; }
static uint8_t byte_of(uint32_t i, uint32_t j) { return (uint8_t)(i * 31u + j * 7u + 1u); }

/* Lays out a ring at `mem` and sends `count` messages of interop_len(i) bytes,
 * every other group of four as one batch (a run), the others one by one. */
EMSCRIPTEN_KEEPALIVE int interop_spsc_write_lengths(void *mem, uint32_t cap, uint32_t count)
{
    sabq_spsc r;
    int rc = sabq_spsc_init(&r, mem, sabq_spsc_size(cap), cap, 0);
    uint8_t msg[4][128];
    sabq_iov iov[4];
    for (uint32_t i = 0; rc >= 0 && i < count; i += 4) {
        uint32_t n = count - i < 4 ? count - i : 4;
        for (uint32_t k = 0; k < n; k++) {
            for (uint32_t j = 0; j < interop_len(i + k); j++)
                msg[k][j] = byte_of(i + k, j);
            iov[k] = (sabq_iov){msg[k], interop_len(i + k)};
        }
        if (i / 4 % 2) {
            rc = sabq_spsc_send_batch(&r, iov, n);
            rc = rc == (int)n ? 0 : -1;
        } else {
            for (uint32_t k = 0; rc == 0 && k < n; k++)
                rc = sabq_spsc_send(&r, iov[k].base, iov[k].len);
        }
    }
    sabq_spsc_close(&r);
    return rc;
}

/* Attaches to the ring JS laid out at `mem` and checks its messages against
 * interop_len and byte_of until end of stream. Returns how many were right. */
EMSCRIPTEN_KEEPALIVE int interop_spsc_read_lengths(void *mem, uint32_t size)
{
    sabq_spsc r;
    int rc = sabq_spsc_attach(&r, mem, size);
    if (rc < 0)
        return rc;
    uint8_t msg[256];
    uint32_t n = 0;
    while ((rc = sabq_spsc_recv(&r, msg, sizeof msg)) >= 0) {
        if ((uint32_t)rc != interop_len(n))
            return -1000 - (int)n;
        for (uint32_t j = 0; j < (uint32_t)rc; j++)
            if (msg[j] != byte_of(n, j))
                return -1000 - (int)n;
        n++;
    }
    return rc == -EPIPE ? (int)n : rc;
}

/* Pushes 32-bit values 0..count-1 into an MPMC queue it lays out at `mem`. */
EMSCRIPTEN_KEEPALIVE int interop_mpmc_write(void *mem, uint32_t slots, uint32_t count)
{
    sabq_mpmc q;
    int rc = sabq_mpmc_init(&q, mem, sabq_mpmc_size(slots, 8), slots, 8);
    for (uint32_t i = 0; rc == 0 && i < count; i++)
        rc = sabq_mpmc_push(&q, &i, 4);
    return rc;
}

int main(void) { return 0; }
