/* lib/strerror.c — names for the negative errno values sabq returns. */
#include <errno.h>
#include "sabq/sabq.h"

const char *sabq_strerror(int err)
{
    if (err >= 0)
        return "success";
    switch (-err) {
    case EAGAIN: return "ring full or empty, try again (EAGAIN)";
    case ETIMEDOUT: return "timed out (ETIMEDOUT)";
    case EPIPE: return "ring closed (EPIPE)";
    case EMSGSIZE: return "message too large (EMSGSIZE)";
    case EINVAL: return "invalid argument (EINVAL)";
    case EPROTO: return "corrupt or incompatible shared header or index (EPROTO)";
    case EEXIST: return "shared-memory region already exists (EEXIST)";
    case ENOENT: return "no such shared-memory region (ENOENT)";
    case ENOMEM: return "out of memory (ENOMEM)";
    case EACCES: return "permission denied (EACCES)";
    case EDEADLK: return "blocking wait refused on this thread, e.g. a browser main thread (EDEADLK)";
    default: return "unknown error";
    }
}
