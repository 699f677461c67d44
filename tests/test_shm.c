/* tests/test_shm.c — named regions between processes: create/open/unlink
 * errors, and a forked producer and consumer moving 10^6 checksummed messages
 * through an SPSC ring and an MPMC queue in one region. */
#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sabq/shm.h>
#include "test_util.h"

static void region_name(char *buf, size_t n, const char *what)
{
    snprintf(buf, n, "/sabq-test-%s-%d", what, (int)getpid());
}

Test(shm, create_open_close_unlink)
{
    char name[64];
    region_name(name, sizeof name, "basic");
    sabq_shm a, b;
    cr_assert_eq(sabq_shm_create(&a, name, 10000), 0);
    cr_expect_geq(a.size, 10000);
    cr_expect_eq((uintptr_t)a.addr % SABQ_ALIGN, 0);
    cr_expect_eq(((uint8_t *)a.addr)[9999], 0, "zero-filled");
    cr_expect_eq(sabq_shm_create(&b, name, 10000), -EEXIST);
    cr_assert_eq(sabq_shm_open(&b, name), 0);
    cr_expect_eq(b.size, a.size);
    ((uint8_t *)a.addr)[5] = 42;
    cr_expect_eq(((uint8_t *)b.addr)[5], 42, "one object, two mappings");
    cr_expect_eq(sabq_shm_close(&b), 0);
    cr_expect_eq(sabq_shm_close(&a), 0);
    cr_expect_eq(sabq_shm_unlink(name), 0);
    cr_expect_eq(sabq_shm_open(&b, name), -ENOENT);
    cr_expect_eq(sabq_shm_unlink(name), -ENOENT);
    cr_expect_eq(sabq_shm_create(&b, "no-slash", 100), -EINVAL);
    cr_expect_eq(sabq_shm_create(&b, name, 0), -EINVAL);
}

#define MESSAGES 1000000u
#define SPSC_CAP (1u << 16)
#define MPMC_SLOTS 1024u

static uint32_t fnv(uint32_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 16777619u;
    return h;
}

/* The child produces through both rings, and reports its checksum in its exit
 * status path: it writes the checksum as the last SPSC message. */
static int child_produce(const char *name)
{
    sabq_shm shm;
    sabq_spsc r;
    sabq_mpmc q;
    if (sabq_shm_open(&shm, name) < 0)
        return 10;
    size_t spsc_size = sabq_spsc_size(SPSC_CAP);
    if (sabq_spsc_attach(&r, shm.addr, spsc_size) < 0)
        return 11;
    if (sabq_mpmc_attach(&q, (uint8_t *)shm.addr + spsc_size, shm.size - spsc_size) < 0)
        return 12;
    uint32_t h = 2166136261u;
    uint8_t msg[40];
    for (uint32_t i = 0; i < MESSAGES; i++) {
        uint32_t len = 4 + i % 37;
        test_fill(msg, len, i);
        memcpy(msg, &i, 4);
        h = fnv(h, msg, len);
        if (sabq_spsc_send_wait(&r, msg, len, 10000 * MS) < 0)
            return 13;
        uint64_t v = (uint64_t)i * 2654435761u;
        if (sabq_mpmc_push_wait(&q, &v, 8, 10000 * MS) < 0)
            return 14;
    }
    if (sabq_spsc_send_wait(&r, &h, 4, 10000 * MS) < 0)
        return 15;
    sabq_spsc_close(&r);
    sabq_mpmc_close(&q);
    sabq_shm_close(&shm);
    return 0;
}

Test(shm, two_processes_exchange_a_million_messages, .timeout = 300)
{
    char name[64];
    region_name(name, sizeof name, "fork");
    size_t spsc_size = sabq_spsc_size(SPSC_CAP);
    size_t total = spsc_size + sabq_mpmc_size(MPMC_SLOTS, 8);
    sabq_shm shm;
    sabq_shm_unlink(name);
    cr_assert_eq(sabq_shm_create(&shm, name, total), 0);
    sabq_spsc r;
    sabq_mpmc q;
    cr_assert_eq(sabq_spsc_init(&r, shm.addr, spsc_size, SPSC_CAP, 64), 0);
    cr_assert_eq(sabq_mpmc_init(&q, (uint8_t *)shm.addr + spsc_size, total - spsc_size,
                                MPMC_SLOTS, 8), 0);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0)
        _exit(child_produce(name));

    /* The parent consumes; the rings need nothing beyond the shared mapping. */
    uint64_t t0 = sabq_now_ns();
    uint32_t h = 2166136261u, got_sum = 0;
    uint8_t msg[64];
    for (uint32_t i = 0; i <= MESSAGES; i++) {
        int n = sabq_spsc_recv_wait(&r, msg, sizeof msg, 20000 * MS);
        cr_assert_gt(n, 0, "message %u: %s", i, sabq_strerror(n));
        if (i == MESSAGES) {
            memcpy(&got_sum, msg, 4);
            break;
        }
        uint32_t seq;
        memcpy(&seq, msg, 4);
        cr_assert_eq(seq, i, "lost or reordered at %u", i);
        cr_assert_eq((uint32_t)n, 4 + i % 37);
        h = fnv(h, msg, (size_t)n);
        uint64_t v;
        cr_assert_eq(sabq_mpmc_pop_wait(&q, &v, 8, 20000 * MS), 8);
        cr_assert_eq(v, (uint64_t)i * 2654435761u, "mpmc order at %u", i);
    }
    cr_expect_eq(sabq_spsc_recv_wait(&r, msg, sizeof msg, 20000 * MS), -EPIPE);
    cr_expect_eq(h, got_sum, "checksum computed by the child");
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
    cr_log_info("two processes: %u messages in %.2f s", MESSAGES,
                (double)(sabq_now_ns() - t0) / 1e9);
    sabq_shm_close(&shm);
    sabq_shm_unlink(name);
}
