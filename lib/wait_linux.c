/* lib/wait_linux.c — wait backend for Linux: shared (not PRIVATE) futexes so a
 * waiter in one process is woken from another, and membarrier as the heavy half
 * of the asymmetric barrier so that publishers never pay a fence.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"

sabq_atomic_u32 sabq__need_fence = 0; /* declared in sabq/inline.h */
static pthread_once_t setup_once = PTHREAD_ONCE_INIT;

/* GLOBAL_EXPEDITED covers every process that registered, so a ring shared
 * between processes is covered as long as each one called init or attach. */
static void setup(void)
{
    long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    if (cmds < 0 || !(cmds & MEMBARRIER_CMD_GLOBAL_EXPEDITED) ||
        syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0, 0) != 0)
        atomic_store_explicit(&sabq__need_fence, 1, memory_order_relaxed);
}

void sabq__os_setup(void) { pthread_once(&setup_once, setup); }

void sabq__os_barrier_heavy(void)
{
    if (atomic_load_explicit(&sabq__need_fence, memory_order_relaxed) ||
        syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0, 0) != 0) {
        /* Publishers fence on their own side in this mode; a failing membarrier
         * after a good registration should not happen, but if it does, switch
         * every publisher to fences from now on. */
        atomic_store_explicit(&sabq__need_fence, 1, memory_order_relaxed);
        atomic_thread_fence(memory_order_seq_cst);
    }
}

uint64_t sabq__os_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int sabq__os_wait(_Atomic uint32_t *w, uint32_t expected, uint64_t deadline_ns)
{
    struct timespec ts, *tsp = NULL;
    if (deadline_ns != SABQ_FOREVER) {
        ts.tv_sec = (time_t)(deadline_ns / 1000000000u);
        ts.tv_nsec = (long)(deadline_ns % 1000000000u);
        tsp = &ts;
    }
    /* FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline, so an EINTR
     * retry needs no arithmetic. No FUTEX_PRIVATE_FLAG: the word may be shared
     * with another process. */
    long rc = syscall(SYS_futex, (uint32_t *)w, FUTEX_WAIT_BITSET, expected, tsp, NULL,
                      FUTEX_BITSET_MATCH_ANY);
    if (rc == -1 && errno == ETIMEDOUT)
        return -ETIMEDOUT;
    return 0; /* woken, value changed (EAGAIN) or interrupted: caller re-checks */
}

int sabq__os_wake(_Atomic uint32_t *w, uint32_t n)
{
    int count = n > (uint32_t)INT32_MAX ? INT32_MAX : (int)n;
    long rc = syscall(SYS_futex, (uint32_t *)w, FUTEX_WAKE, count, NULL, NULL, 0);
    return rc < 0 ? 0 : (int)rc;
}
