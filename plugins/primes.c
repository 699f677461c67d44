/* plugins/primes.c — `primes N`: prints how many primes are below N, by trial
 * division (deliberately CPU-heavy: the pool demo's busy task). */
#include <stdio.h>
#include <stdlib.h>

static int is_prime(unsigned long n)
{
    if (n < 2)
        return 0;
    for (unsigned long d = 2; d * d <= n; d++)
        if (n % d == 0)
            return 0;
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: primes N\n");
        return 2;
    }
    unsigned long n = strtoul(argv[1], NULL, 10), count = 0;
    for (unsigned long i = 2; i < n; i++)
        count += (unsigned long)is_prime(i);
    printf("%lu\n", count);
    return 0;
}
