/* plugins/stream.c — a byte stream at full speed, for the plugin-to-plugin
 * benchmarks (bench/js/pipeline-bench.mjs):
 *   stream out MIB   writes MIB MiB to stdout in 64 KiB writes
 *   stream in        reads stdin to the end in 64 KiB reads; prints the byte count */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    static char buf[1 << 16];
    if (argc == 3 && !strcmp(argv[1], "out")) {
        memset(buf, 's', sizeof buf);
        for (long long left = atoll(argv[2]) * 16; left > 0; left--)
            if (write(1, buf, sizeof buf) != (ssize_t)sizeof buf)
                return 1;
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "in")) {
        long long total = 0;
        ssize_t n;
        while ((n = read(0, buf, sizeof buf)) > 0)
            total += n;
        printf("%lld\n", total);
        return n < 0;
    }
    fprintf(stderr, "usage: stream out MIB | stream in\n");
    return 2;
}
