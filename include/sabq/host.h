/* sabq/host.h — synchronous calls from a WASI plugin to its host, in plain C.
 *
 * A plugin run by sabq's coordinator (bindings-js, Coordinator) sees a
 * preopened directory "/host". Opening a path under it is a request to the
 * host, answered through an ordinary read-only stream:
 *
 *   /host/call/NAME/REQUEST   the host runs its handler NAME (an async JS
 *                             function, e.g. one that calls fetch()) with
 *                             REQUEST; reading gives the handler's bytes.
 *   /host/run/COMMAND LINE    the host starts plugin COMMAND with those
 *                             arguments in a worker of its own; reading gives
 *                             its stdout, end of file when it exits.
 *
 * The open blocks until the host has accepted the request; each read blocks in
 * fd_read until the host has written more or finished (end of file). So a
 * plugin written as an ordinary blocking C program waits for asynchronous
 * work on the page without any async code of its own.
 *
 * REQUEST and COMMAND LINE are percent-encoded here (the host decodes them),
 * so they may contain '/', '%', spaces and any byte. Errors: fopen returns
 * NULL with errno ENOENT for an unknown handler or plugin; a handler that
 * fails makes the open or a read fail with EIO.
 *
 * Header-only, over wasi-libc's stdio; nothing to link. See docs/plugins.md.
 */
#ifndef SABQ_HOST_H
#define SABQ_HOST_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends `s` percent-encoded (all but unreserved URI characters) to `out`
 * (which holds `cap` bytes, `*len` used). Returns 0, or -1 if it does not fit. */
static inline int sabq_host__encode(char *out, size_t cap, size_t *len, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    if (*len >= cap)
        return -1; /* not even the terminating NUL fits */
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        int plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                    (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.' || *c == '~';
        if (*len + (plain ? 1 : 3) >= cap)
            return -1;
        if (plain) {
            out[(*len)++] = (char)*c;
        } else {
            out[(*len)++] = '%';
            out[(*len)++] = hex[*c >> 4];
            out[(*len)++] = hex[*c & 15];
        }
    }
    out[*len] = '\0';
    return 0;
}

/* Opens a stream of what host handler `name` returns for `request`.
 * Blocks until the host accepts. Returns a FILE* to fread/fgets and fclose,
 * or NULL (errno ENOENT: no such handler; EIO: it failed; ENAMETOOLONG: the
 * encoded name and request exceed 4 KiB). */
static inline FILE *sabq_host_call_open(const char *name, const char *request)
{
    char path[4096] = "/host/call/";
    size_t len = strlen(path);
    if (sabq_host__encode(path, sizeof path, &len, name) < 0 || len + 1 >= sizeof path)
        goto too_long;
    path[len++] = '/';
    path[len] = '\0';
    if (sabq_host__encode(path, sizeof path, &len, request) < 0)
        goto too_long;
    return fopen(path, "r");
too_long:
    errno = ENAMETOOLONG;
    return NULL;
}

/* Calls host handler `name` with `request` and reads the whole answer into a
 * malloc'ed, NUL-terminated buffer (*len_out: its length, if not NULL).
 * Blocks until the handler has finished. Returns NULL on error (as above). */
static inline char *sabq_host_call(const char *name, const char *request, size_t *len_out)
{
    FILE *f = sabq_host_call_open(name, request);
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = (char *)malloc(cap); /* the casts: host.h compiles as C++ too */
    for (size_t n; buf; len += n) {
        if (cap - len < 2048) {
            char *bigger = (char *)realloc(buf, cap *= 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
        }
        n = fread(buf + len, 1, cap - len - 1, f);
        if (n == 0)
            break;
    }
    int failed = ferror(f);
    fclose(f);
    if (!buf || failed) {
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    if (len_out)
        *len_out = len;
    return buf;
}

/* Starts plugin command line `cmdline` ("NAME ARG ARG...", words separated by
 * spaces) in a worker of its own, with empty stdin; returns a stream of its
 * stdout (end of file when it exits), or NULL (errno ENOENT: no such plugin;
 * ENAMETOOLONG: the encoded command line exceeds 4 KiB). */
static inline FILE *sabq_host_run(const char *cmdline)
{
    char path[4096] = "/host/run/";
    size_t len = strlen(path);
    if (sabq_host__encode(path, sizeof path, &len, cmdline) < 0) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    return fopen(path, "r");
}

#endif
