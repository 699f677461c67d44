/* tests/fuzz/fuzz.h — what the libFuzzer targets share: reading an input as
 * region bytes and a script of operations, regions allocated to the byte (so
 * ASan sees one byte too far), the peer's scribbles, and checks that report
 * through a crash (libFuzzer saves the input that caused it).
 *
 * A target's input is: a few bytes choosing how the region is made (laid out
 * by init with fuzzed geometry, or taken raw from the input and attached),
 * then a script. Each script step is an opcode byte and its arguments; one
 * opcode is a scribble, a 32-bit store the peer makes anywhere in the region.
 * Until the first scribble (and in init mode) the peer is honest, and each
 * target also checks results against a reference model of the structure:
 * the exact messages or bytes, in order, and never -EPROTO. */
#ifndef SABQ_FUZZ_H
#define SABQ_FUZZ_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sabq/sabq.h>
#include <sanitizer/asan_interface.h> /* ASAN_POISON_MEMORY_REGION: no-ops without ASan */

struct fuzz_input {
    const uint8_t *p;
    size_t left;
};

static inline uint8_t fuzz_u8(struct fuzz_input *in)
{
    if (in->left == 0)
        return 0;
    in->left--;
    return *in->p++;
}

static inline uint16_t fuzz_u16(struct fuzz_input *in)
{
    uint16_t lo = fuzz_u8(in);
    return (uint16_t)(lo | fuzz_u8(in) << 8);
}

static inline uint32_t fuzz_u32(struct fuzz_input *in)
{
    uint32_t lo = fuzz_u16(in);
    return lo | (uint32_t)fuzz_u16(in) << 16;
}

/* Up to n bytes of the input into dst; the rest of dst is zero. */
static inline void fuzz_bytes(struct fuzz_input *in, void *dst, size_t n)
{
    size_t take = n < in->left ? n : in->left;
    memcpy(dst, in->p, take);
    memset((uint8_t *)dst + take, 0, n - take);
    in->p += take;
    in->left -= take;
}

#define FUZZ_FAIL(...)                                                             \
    do {                                                                           \
        fprintf(stderr, "fuzz check failed at %s:%d: ", __FILE__, __LINE__);       \
        fprintf(stderr, __VA_ARGS__);                                              \
        fputc('\n', stderr);                                                       \
        abort();                                                                   \
    } while (0)
#define FUZZ_CHECK(cond, ...)                                                      \
    do {                                                                           \
        if (!(cond)) {                                                             \
            fprintf(stderr, "(%s) ", #cond);                                       \
            FUZZ_FAIL(__VA_ARGS__);                                                \
        }                                                                          \
    } while (0)
/* rc must be one of the listed values (non-negative results pass as 0). */
#define FUZZ_RC(rc, ...)                                                           \
    do {                                                                           \
        int r_ = (rc) > 0 ? 0 : (rc), ok_[] = {__VA_ARGS__}, hit_ = 0;             \
        for (size_t i_ = 0; i_ < sizeof ok_ / sizeof ok_[0]; i_++)                 \
            hit_ |= r_ == ok_[i_];                                                 \
        if (!hit_)                                                                 \
            FUZZ_FAIL("%s returned %d (%s)", #rc, (int)(rc), sabq_strerror(rc));   \
    } while (0)

/* A region of exactly `size` bytes on a SABQ_ALIGN boundary. The allocation
 * is rounded up to the alignment and the bytes past `size` are poisoned, so
 * ASan reports a read or write even one byte beyond the region. */
struct fuzz_region {
    uint8_t *mem;
    size_t size, rounded;
};

static inline struct fuzz_region fuzz_region_new(size_t size)
{
    struct fuzz_region r;
    r.size = size;
    r.rounded = size ? (size + SABQ_ALIGN - 1) & ~(size_t)(SABQ_ALIGN - 1) : SABQ_ALIGN;
    r.mem = aligned_alloc(SABQ_ALIGN, r.rounded);
    if (!r.mem)
        abort();
    ASAN_POISON_MEMORY_REGION(r.mem + size, r.rounded - size);
    return r;
}

static inline void fuzz_region_free(struct fuzz_region *r)
{
    ASAN_UNPOISON_MEMORY_REGION(r->mem, r->rounded);
    free(r->mem);
}

/* A region of up to `max` - 1 bytes (the size from the input), holding the
 * input's next bytes: what attach is given in a target's attach mode. */
static inline struct fuzz_region fuzz_region_from_input(struct fuzz_input *in, size_t max)
{
    struct fuzz_region r = fuzz_region_new(fuzz_u16(in) % max);
    fuzz_bytes(in, r.mem, r.size);
    return r;
}

/* The peer scribbles: a 32-bit store at an aligned offset (or a byte at any
 * offset) of the region. Returns 1: the peer is not honest any more. */
static inline int fuzz_scribble(struct fuzz_input *in, const struct fuzz_region *r)
{
    uint16_t off = fuzz_u16(in);
    uint32_t val = fuzz_u32(in);
    if (r->size < 4)
        return 1;
    if (off & 1) { /* a byte */
        size_t at = (size_t)(off >> 1) % r->size;
        __atomic_store_n(r->mem + at, (uint8_t)val, __ATOMIC_RELAXED);
    } else {
        size_t at = ((size_t)(off >> 1) * 4) % (r->size & ~(size_t)3);
        __atomic_store_n((uint32_t *)(r->mem + at), val, __ATOMIC_RELAXED);
    }
    return 1;
}

/* Timeouts for the blocking forms: mostly one try, now and then a short
 * park (which costs tens of microseconds of membarrier and futex: rarely,
 * or the fuzzer spends its time asleep). */
static inline uint64_t fuzz_timeout(struct fuzz_input *in)
{
    return fuzz_u8(in) == 0xb7 ? 2000 : 0; /* not 0: inputs are full of zeros */
}

/* The byte at stream offset i of the reference data: messages and pipe
 * bytes are a function of where they are, so a wrong one is caught. */
static inline uint8_t fuzz_byte(uint64_t i) { return (uint8_t)(i * 2654435761u >> 13); }

/* Pointer [p, p + n) inside [base, base + size). */
static inline int fuzz_inside(const void *p, size_t n, const void *base, size_t size)
{
    const uint8_t *b = base, *q = p;
    return q >= b && n <= size && (size_t)(q - b) <= size - n;
}

static inline void fuzz_setup(void)
{
    static int done;
    if (!done) {
        sabq_set_spin(0); /* park at once: no time spent spinning on a lone thread */
        /* A timed wait of a few microseconds would otherwise sleep the
         * default 50 us of timer slack. */
        prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
        done = 1;
    }
}

#endif
