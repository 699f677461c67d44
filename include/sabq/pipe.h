/* sabq/pipe.h — single-producer single-consumer byte pipe.
 *
 * A byte stream with partial reads and writes and an end of stream, with the
 * semantics of pipe(2) where they make sense: read returns what is there (at
 * least one byte, or 0 at end of stream), write stores what fits, and writing
 * to a closed pipe fails with -EPIPE. It backs a plugin's stdin and stdout.
 */
#ifndef SABQ_PIPE_H
#define SABQ_PIPE_H

#include <stddef.h>
#include <stdint.h>
#include "layout.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Process-local handle, immutable after init/attach; both ends may share it. */
typedef struct sabq_pipe {
    struct sabq_region *shm;
    uint8_t *data;
    uint32_t cap;
    uint32_t mask;
} sabq_pipe;

/* Bytes of shared memory a pipe of `cap` bytes needs; 0 if cap is invalid. */
size_t sabq_pipe_size(uint32_t cap);

/* Lay out an empty pipe of `cap` bytes (a power of two, 16 to 2^30) in `mem`
 * (SABQ_ALIGN-aligned, `size` bytes). Returns 0 or -EINVAL. */
int sabq_pipe_init(sabq_pipe *p, void *mem, size_t size, uint32_t cap);

/* Validate the header of an existing pipe and fill `p`. Returns 0, -EINVAL
 * (bad arguments) or -EPROTO (not a valid pipe within `size` bytes). */
int sabq_pipe_attach(sabq_pipe *p, void *mem, size_t size);

/* Write up to `len` bytes; never blocks. Writer only. Returns the number of
 * bytes written (> 0, or 0 when len is 0), -EAGAIN (full), -EPIPE (closed),
 * -EPROTO (corrupt reader index). */
int sabq_pipe_write(const sabq_pipe *p, const void *buf, uint32_t len);

/* Write all `len` bytes, waiting for room up to timeout_ns in total. Writer
 * only; blocks. Returns `len`; or the bytes written before the timeout or close
 * if there were some; else -ETIMEDOUT, -EPIPE, -EPROTO or -EDEADLK. */
int sabq_pipe_write_all(const sabq_pipe *p, const void *buf, uint32_t len, uint64_t timeout_ns);

/* Read up to `len` bytes; never blocks. Reader only. Returns the number read
 * (> 0), 0 at end of stream (closed and drained), -EAGAIN (empty, open),
 * -EPROTO (corrupt writer index). */
int sabq_pipe_read(const sabq_pipe *p, void *buf, uint32_t len);

/* Like sabq_pipe_read(), waiting up to timeout_ns for at least one byte or the
 * end of stream. Reader only; blocks. Extra errors: -ETIMEDOUT;
 * -EDEADLK on a thread that may not block (see sabq/wait.h). */
int sabq_pipe_read_wait(const sabq_pipe *p, void *buf, uint32_t len, uint64_t timeout_ns);

/* Zero-copy write: point *span at the largest contiguous free space (returned
 * as its length, maybe 0 < what is free in all when it wraps). Then fill it and
 * call sabq_pipe_write_commit(). Writer only. Errors as sabq_pipe_write(). */
int sabq_pipe_write_span(const sabq_pipe *p, void **span);
/* Publish `n` bytes written into the last span. Returns 0 or -EINVAL. */
int sabq_pipe_write_commit(const sabq_pipe *p, uint32_t n);

/* Zero-copy read: point *span at the largest contiguous readable run and
 * return its length (0 at end of stream). Reader only. Errors as read. */
int sabq_pipe_read_span(const sabq_pipe *p, const void **span);
/* Consume `n` bytes of the last span. Returns 0 or -EINVAL. */
int sabq_pipe_read_consume(const sabq_pipe *p, uint32_t n);

/* Close: the writer's close is end of stream for the reader (after it drains);
 * the reader's close makes writes fail with -EPIPE. Wakes every waiter.
 * Any side; idempotent; never blocks. */
void sabq_pipe_close(const sabq_pipe *p);

/* Non-zero once closed. */
int sabq_pipe_is_closed(const sabq_pipe *p);

/* Bytes buffered now. */
uint32_t sabq_pipe_used(const sabq_pipe *p);

#ifdef __cplusplus
}
#endif
#endif
