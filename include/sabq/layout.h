/* sabq/layout.h — the byte format shared by every sabq structure.
 *
 * Everything here lives in shared memory and is read by x86_64 C, wasm32 C and
 * JavaScript alike, so only fixed-width fields appear, every offset is asserted,
 * and nothing holds a pointer. docs/layout.md is the prose version of this file.
 */
#ifndef SABQ_LAYOUT_H
#define SABQ_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

/* C++ (11 to 23, g++, clang++, em++) includes these headers too, with the same
 * byte layout: a shared atomic word is `_Atomic uint32_t` in C and
 * `std::atomic<uint32_t>` in C++, both a plain, lock-free 32-bit word, as the
 * asserts at the end of this file check in either language.
 *
 * Code in these headers (a `static inline` fast path) is written once, in the
 * common subset of C11 and C++11, so that a C++ program compiles the same code
 * and runs it at the same speed as a C one rather than calling out to a copy.
 * For that, in C++ the C11 atomic operations such code calls
 * (atomic_load_explicit, memory_order_acquire, ...) name their std::
 * counterparts, as C++23's <stdatomic.h> does (tests/cpp/inline_subset.h
 * checks it), and `_Static_assert` is mapped to `static_assert` for the
 * asserts below and unmapped after them. */
#ifdef __cplusplus
extern "C++" { /* in case the includer wrapped us in extern "C" */
#include <atomic>
#include <type_traits>
}
typedef std::atomic<uint32_t> sabq_atomic_u32;
/* The C11 atomic functions need no declaration here: called on a
 * std::atomic, argument-dependent lookup finds the std:: ones. */
using std::memory_order;
using std::memory_order_relaxed;
using std::memory_order_acquire;
using std::memory_order_release;
using std::memory_order_acq_rel;
using std::memory_order_seq_cst;
#define _Static_assert static_assert
#define SABQ__UNMAP_STATIC_ASSERT
#else
#include <stdatomic.h>
typedef _Atomic uint32_t sabq_atomic_u32;
#endif

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "sabq regions are little-endian (as wasm and JavaScript typed arrays are)"
#endif

#define SABQ_CACHELINE 64u
#define SABQ_MAGIC 0x51424153u   /* "SABQ" in little-endian bytes */
#define SABQ_VERSION 4u
#define SABQ_DATA_OFFSET 256u    /* header + producer + consumer + wait lines */
#define SABQ_ALIGN SABQ_CACHELINE /* every region must start on this boundary */
#define SABQ_CAP_MAX (1u << 30) /* largest capacity, in bytes or slots */

/* What a region holds; stored in sabq_hdr.kind. */
enum sabq_kind {
    SABQ_KIND_SPSC = 1, /* message ring: length-prefixed records */
    SABQ_KIND_PIPE = 2, /* byte pipe: plain bytes, end of stream */
    SABQ_KIND_MPMC = 3, /* queue of fixed-size slots with turn numbers */
    SABQ_KIND_SPSC_FIXED = 4, /* message ring of fixed-size slots, no headers */
};

/* Bits of sabq_hdr.closed. */
#define SABQ_CLOSED 1u

/* Line 0: written once by init, read-only afterwards (but never trusted: a peer
 * may scribble on it, so attach validates it once and each side keeps its own
 * copy of the geometry in a process-local handle). */
struct sabq_hdr {
    sabq_atomic_u32 magic;    /* 0: SABQ_MAGIC, stored last by init (release)   */
    uint16_t version;         /* 4: SABQ_VERSION                                */
    uint16_t kind;            /* 6: enum sabq_kind                              */
    uint32_t capacity;        /* 8: data bytes (spsc, pipe) or slots (mpmc, fixed) */
    uint32_t msg_max;         /* 12: largest payload; a fixed ring's one length  */
    uint32_t stride;          /* 16: bytes per slot (mpmc, fixed; 0 otherwise)  */
    uint32_t data_off;        /* 20: SABQ_DATA_OFFSET                           */
    uint32_t total_size;      /* 24: bytes of the whole structure               */
    sabq_atomic_u32 closed;   /* 28: SABQ_CLOSED once closed; any side writes   */
    uint8_t pad[32];
};

/* A wake-up channel: the waiting side counts itself in `waiters` and sleeps on
 * `seq`; a publisher bumps `seq` and wakes only when `waiters` is non-zero. */
struct sabq_event {
    sabq_atomic_u32 seq;      /* futex word: changes whenever a wake is issued  */
    sabq_atomic_u32 waiters;  /* number of threads parked (or about to park)    */
};

/* Bytes of the producer's and the consumer's stage (below). */
#define SABQ_PROD_STAGE 56u
#define SABQ_CONS_STAGE 48u

/* Line 1: producer-owned. Written only by the producer, read by the consumer. */
struct sabq_prod_line {
    sabq_atomic_u32 head;     /* next byte/ticket to write; release-published   */
    uint32_t tail_cache;      /* producer's last view of tail; private          */
    uint8_t stage[SABQ_PROD_STAGE]; /* spsc: a short message on its way in, for
                                 callers that cannot pass a pointer (JS); private */
};

/* Line 2: consumer-owned. Written only by the consumer, read by the producer. */
struct sabq_cons_line {
    sabq_atomic_u32 tail;     /* next byte/ticket to read; release-published    */
    uint32_t head_cache;      /* pipe, fixed ring: consumer's last view of head; private */
    uint32_t run_end;         /* spsc: end of the run tail is inside; private   */
    uint32_t run_len;         /* spsc: element length of that run, 0 outside one; private */
    uint8_t stage[SABQ_CONS_STAGE]; /* spsc: a short message on its way out (JS); private */
};

/* Line 3: wake-up channels. Written only when a side is about to sleep or is
 * woken, so in steady state both sides read it from their own cache. */
struct sabq_wait_line {
    struct sabq_event readable; /* consumers sleep here; producers notify     */
    struct sabq_event writable; /* producers sleep here; consumers notify     */
    uint8_t pad[SABQ_CACHELINE - 16];
};

/* The first SABQ_DATA_OFFSET bytes of every region. */
struct sabq_region {
    struct sabq_hdr hdr;        /* 0   */
    struct sabq_prod_line prod; /* 64  */
    struct sabq_cons_line cons; /* 128 */
    struct sabq_wait_line wait; /* 192 */
};

/* SPSC message record header, at an 8-byte aligned offset of the data area.
 * The payload follows it; the next record starts at the next 8-byte boundary. */
struct sabq_rec {
    uint32_t len;          /* payload bytes, SABQ_REC_PAD (skip to the area's end) or SABQ_REC_RUN */
    sabq_atomic_u32 seal;  /* SABQ_SEAL(position) once complete (release, R6), else 0 */
};
/* A record's seal: its ring position + 1. Positions are multiples of 8, so a
 * seal is odd and never 0, and a stale header from an earlier lap (position
 * - k * capacity) never carries the seal the consumer expects. */
#define SABQ_SEAL(pos) ((uint32_t)(pos) + 1u)
#define SABQ_REC_PAD 0xffffffffu
#define SABQ_REC_RUN 0xfffffffeu
#define SABQ_REC_HDR 8u

/* A run: `count` messages of `elem_len` bytes each (1 to msg_max), sent by
 * one batch call, after one record header whose len is SABQ_REC_RUN. Element
 * i starts at 16 + i * round_up(elem_len, 8) from the header, 8-byte aligned. */
struct sabq_run {
    struct sabq_rec rec;
    uint32_t elem_len;
    uint32_t count;
};
#define SABQ_RUN_HDR 16u

/* MPMC slot header, at SABQ_DATA_OFFSET + i * stride. */
struct sabq_slot {
    sabq_atomic_u32 turn;  /* ticket t may write when turn == t, read when t+1 */
    sabq_atomic_u32 len;   /* payload bytes */
};
#define SABQ_SLOT_HDR 8u

_Static_assert(sizeof(sabq_atomic_u32) == 4, "atomics must be plain 32-bit words");
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomics must be lock-free: the peer may be JavaScript");
_Static_assert(offsetof(struct sabq_hdr, magic) == 0, "layout.md: magic at 0");
_Static_assert(offsetof(struct sabq_hdr, version) == 4, "layout.md: version at 4");
_Static_assert(offsetof(struct sabq_hdr, kind) == 6, "layout.md: kind at 6");
_Static_assert(offsetof(struct sabq_hdr, capacity) == 8, "layout.md: capacity at 8");
_Static_assert(offsetof(struct sabq_hdr, msg_max) == 12, "layout.md: msg_max at 12");
_Static_assert(offsetof(struct sabq_hdr, stride) == 16, "layout.md: stride at 16");
_Static_assert(offsetof(struct sabq_hdr, data_off) == 20, "layout.md: data_off at 20");
_Static_assert(offsetof(struct sabq_hdr, total_size) == 24, "layout.md: total_size at 24");
_Static_assert(offsetof(struct sabq_hdr, closed) == 28, "layout.md: closed at 28");
_Static_assert(sizeof(struct sabq_hdr) == 64, "layout.md: header is one line");
_Static_assert(offsetof(struct sabq_region, prod) == 64, "layout.md: prod at 64");
_Static_assert(offsetof(struct sabq_region, prod.head) == 64, "layout.md: head at 64");
_Static_assert(offsetof(struct sabq_region, prod.tail_cache) == 68, "layout.md: tail_cache at 68");
_Static_assert(offsetof(struct sabq_region, prod.stage) == 72, "layout.md: producer stage at 72");
_Static_assert(sizeof(struct sabq_prod_line) == SABQ_CACHELINE, "layout.md: producer line");
_Static_assert(offsetof(struct sabq_region, cons) == 128, "layout.md: cons at 128");
_Static_assert(offsetof(struct sabq_region, cons.tail) == 128, "layout.md: tail at 128");
_Static_assert(offsetof(struct sabq_region, cons.head_cache) == 132, "layout.md: head_cache at 132");
_Static_assert(offsetof(struct sabq_region, cons.run_end) == 136, "layout.md: run_end at 136");
_Static_assert(offsetof(struct sabq_region, cons.run_len) == 140, "layout.md: run_len at 140");
_Static_assert(offsetof(struct sabq_region, cons.stage) == 144, "layout.md: consumer stage at 144");
_Static_assert(sizeof(struct sabq_cons_line) == SABQ_CACHELINE, "layout.md: consumer line");
_Static_assert(offsetof(struct sabq_region, wait.readable.seq) == 192, "layout.md: readable.seq at 192");
_Static_assert(offsetof(struct sabq_region, wait.readable.waiters) == 196, "layout.md: readable.waiters at 196");
_Static_assert(offsetof(struct sabq_region, wait.writable.seq) == 200, "layout.md: writable.seq at 200");
_Static_assert(offsetof(struct sabq_region, wait.writable.waiters) == 204, "layout.md: writable.waiters at 204");
_Static_assert(sizeof(struct sabq_region) == SABQ_DATA_OFFSET, "layout.md: data at 256");
_Static_assert(sizeof(struct sabq_rec) == SABQ_REC_HDR, "layout.md: record header is 8 bytes");
_Static_assert(offsetof(struct sabq_rec, seal) == 4, "layout.md: seal at 4 in a record");
_Static_assert(offsetof(struct sabq_run, elem_len) == 8, "layout.md: elem_len at 8 in a run");
_Static_assert(offsetof(struct sabq_run, count) == 12, "layout.md: count at 12 in a run");
_Static_assert(sizeof(struct sabq_run) == SABQ_RUN_HDR, "layout.md: run header is 16 bytes");
_Static_assert(sizeof(struct sabq_slot) == SABQ_SLOT_HDR, "layout.md: slot header is 8 bytes");

#ifdef SABQ__UNMAP_STATIC_ASSERT
/* offsetof, as used above, is defined in C++ for standard-layout types only. */
static_assert(std::is_standard_layout<sabq_region>::value && std::is_standard_layout<sabq_rec>::value &&
                  std::is_standard_layout<sabq_slot>::value,
              "shared structs must be standard-layout");
#undef _Static_assert
#undef SABQ__UNMAP_STATIC_ASSERT
#endif

#endif
