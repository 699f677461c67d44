/* tests/emscripten/main_thread_refusal.c — built without PROXY_TO_PTHREAD, so
 * main() runs on emscripten's main browser thread (the page's thread in a
 * browser, Node's main thread here). A blocking call there must fail at once
 * with -EDEADLK, never busy-wait; non-blocking calls and a zero timeout still
 * work. Exit status 0 when all of that holds. */
#include <stdio.h>
#include <stdlib.h>
#include <sabq/sabq.h>

static int check(int ok, const char *what)
{
    printf("%s: %s\n", ok ? "ok" : "FAILED", what);
    return ok ? 0 : 1;
}

int main(void)
{
    size_t size = sabq_spsc_size(1024);
    void *mem = aligned_alloc(SABQ_ALIGN, size);
    sabq_spsc r;
    if (!mem || sabq_spsc_init(&r, mem, size, 1024, 0) < 0)
        return 2;
    int bad = 0;
    uint32_t v = 1;
    uint64_t t0 = sabq_now_ns();
    bad += check(sabq_spsc_recv_wait(&r, &v, 4, 5000000000ull) == -EDEADLK, "recv_wait refused with EDEADLK");
    bad += check(sabq_now_ns() - t0 < 100000000ull, "refused at once, no busy-wait");
    bad += check(sabq_spsc_recv_wait(&r, &v, 4, 0) == -ETIMEDOUT, "a zero timeout still polls");
    bad += check(sabq_spsc_send(&r, &v, 4) == 0, "non-blocking send works");
    bad += check(sabq_spsc_recv_wait(&r, &v, 4, SABQ_FOREVER) == 4, "a wait that need not wait succeeds");
    _Atomic uint32_t word = 0;
    bad += check(sabq_wait(&word, 0, 1000000) == -EDEADLK, "sabq_wait refused with EDEADLK");
    size = sabq_mpmc_size(16, 8);
    void *qmem = aligned_alloc(SABQ_ALIGN, size);
    sabq_mpmc q;
    sabq_mpmc_init(&q, qmem, size, 16, 8);
    bad += check(sabq_mpmc_pop_wait(&q, &v, 4, 1000000000ull) == -EDEADLK, "mpmc pop_wait refused");
    printf("%s\n", sabq_strerror(-EDEADLK));
    return bad;
}
