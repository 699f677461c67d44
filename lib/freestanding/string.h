/* lib/freestanding/string.h — the two functions sabq needs from <string.h>,
 * for the freestanding wasm build (no libc). Defined in lib/wait_wasm.c. */
#ifndef SABQ_FREESTANDING_STRING_H
#define SABQ_FREESTANDING_STRING_H
#include <stddef.h>
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memset(void *dst, int c, size_t n);
#endif
