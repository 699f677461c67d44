/* plugins/cat.c — `cat`: copies stdin to stdout in large blocks; the
 * throughput stage of the pipeline tests. */
#include <stdio.h>

int main(void)
{
    static char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
        if (fwrite(buf, 1, n, stdout) != n)
            return 1; /* the reader went away (EPIPE) */
    return ferror(stdin) ? 1 : 0;
}
