/* plugins/hostping.c — times host calls from inside a plugin, for the
 * benchmarks (bench/js/host-core.mjs):
 *   hostping NAME REQUEST WARMUP BLOCKS BLOCK
 * calls host handler NAME with REQUEST (sabq_host_call: open, read to the
 * end, close) WARMUP times, then BLOCKS blocks of BLOCK calls, and prints one
 * line per block: the mean nanoseconds of a call in it. Timed in blocks
 * because a browser's clock is coarse (5 to 100 µs steps). Exit status 1 with
 * a message when a call fails or answers something else than REQUEST. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sabq/host.h>

#define MAX_BLOCKS 100000

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int call(const char *name, const char *request)
{
    size_t len = 0;
    char *answer = sabq_host_call(name, request, &len);
    if (!answer) {
        perror("hostping");
        return -1;
    }
    int same = len == strlen(request) && memcmp(answer, request, len) == 0;
    free(answer);
    if (!same)
        fprintf(stderr, "hostping: the handler answered something else than the request\n");
    return same ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: hostping NAME REQUEST WARMUP BLOCKS BLOCK\n");
        return 2;
    }
    long warmup = atol(argv[3]), blocks = atol(argv[4]), block = atol(argv[5]);
    if (block < 1 || blocks < 0 || blocks > MAX_BLOCKS)
        return 2;
    for (long i = 0; i < warmup; i++)
        if (call(argv[1], argv[2]) < 0)
            return 1;
    /* Printed at the end: no write to stdout between the timed calls. */
    static long long ns[MAX_BLOCKS];
    for (long b = 0; b < blocks; b++) {
        long long t0 = now_ns();
        for (long i = 0; i < block; i++)
            if (call(argv[1], argv[2]) < 0)
                return 1;
        ns[b] = (now_ns() - t0) / block;
    }
    for (long b = 0; b < blocks; b++)
        printf("%lld\n", ns[b]);
    return 0;
}
