/* sabq/shm.h — named shared-memory regions between processes (POSIX only).
 *
 * A thin wrapper over shm_open + mmap. The rings need nothing more: lay one out
 * in the region with *_init in one process, *_attach in the others.
 */
#ifndef SABQ_SHM_H
#define SABQ_SHM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sabq_shm {
    void *addr;   /* page-aligned start of the mapping */
    size_t size;  /* bytes mapped */
} sabq_shm;

/* Names are as portable shm_open names: "/" then up to 255 bytes without
 * another "/"; any other name is refused with -EINVAL.
 *
 * Create a new region `name` ("/something", as shm_open) of `size` bytes,
 * zero-filled, mode 0600, and map it. Fails with -EEXIST if it exists.
 * Returns 0 or a negative errno. */
int sabq_shm_create(sabq_shm *shm, const char *name, size_t size);

/* Open and map an existing region; its size is taken from the object.
 * Returns 0 or a negative errno (-ENOENT if there is none). */
int sabq_shm_open(sabq_shm *shm, const char *name);

/* Unmap. The name stays until sabq_shm_unlink(). Returns 0 or negative errno. */
int sabq_shm_close(sabq_shm *shm);

/* Remove the name; mappings stay valid. Returns 0 or a negative errno. */
int sabq_shm_unlink(const char *name);

#ifdef __cplusplus
}
#endif
#endif
