/* lib/freestanding/errno.h — the error numbers sabq returns, for the
 * freestanding wasm build. Linux's values, so native and sabq.wasm agree and
 * the JavaScript binding can name them from one generated table. */
#ifndef SABQ_FREESTANDING_ERRNO_H
#define SABQ_FREESTANDING_ERRNO_H
#define ENOENT 2
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EEXIST 17
#define EINVAL 22
#define EPIPE 32
#define EDEADLK 35
#define EPROTO 71
#define EMSGSIZE 90
#define ETIMEDOUT 110
#endif
