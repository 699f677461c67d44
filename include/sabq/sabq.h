/* sabq/sabq.h — everything: layout, waits, SPSC ring, byte pipe, MPMC queue.
 *
 * Conventions for every function: errors are negative errno values returned
 * directly (no global errno is set), a failed call has moved no data, and
 * nothing allocates. sabq_strerror() names an error.
 */
#ifndef SABQ_H
#define SABQ_H

#include <errno.h> /* the negative errno values every call returns */
#include "layout.h"
#include "wait.h"
#include "spsc.h"
#include "pipe.h"
#include "mpmc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SABQ_VERSION_STRING "0.1.0"

/* A short English description of a sabq return value (0 or a negative errno),
 * e.g. "ring closed (EPIPE)". Never NULL; the string is static. */
const char *sabq_strerror(int err);

#ifdef __cplusplus
}
#endif
#endif
