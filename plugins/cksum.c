/* plugins/cksum.c — `cksum`: prints "HASH BYTES" for stdin, HASH being the
 * 32-bit FNV-1a of every byte in hex. Ends the 100 MB pipeline test, whose
 * host computes the same hash over what it wrote. */
#include <stdint.h>
#include <stdio.h>

int main(void)
{
    static unsigned char buf[1 << 16];
    uint32_t hash = 2166136261u;
    unsigned long long bytes = 0;
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
        for (size_t i = 0; i < n; i++)
            hash = (hash ^ buf[i]) * 16777619u;
        bytes += n;
    }
    printf("%08x %llu\n", hash, bytes);
    return ferror(stdin) ? 1 : 0;
}
