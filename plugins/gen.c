/* plugins/gen.c — `gen N`: writes the numbers 1..N, one per line. The source
 * stage of pipeline demos (`gen 1000000 | grep 7 | wc`). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen N\n");
        return 2;
    }
    long long n = atoll(argv[1]);
    static char buf[1 << 16];
    setvbuf(stdout, buf, _IOFBF, sizeof buf); /* big writes: fewer fd_write calls */
    for (long long i = 1; i <= n; i++)
        printf("%lld\n", i);
    return ferror(stdout) ? 1 : 0;
}
