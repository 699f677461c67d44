/* plugins/fsbench.c — file work timed from inside the plugin (monotonic
 * clock), for bench/js/files-bench.mjs. Prints "NS" (nanoseconds taken) or,
 * for read, "BYTES NS".
 *   fsbench read PATH          read PATH to the end in 64 KiB reads
 *   fsbench append PATH MIB    append MIB MiB in 4 KiB writes, then close
 *   fsbench create DIR N       create N files of 16 bytes in DIR
 *   fsbench noop               nothing (the cost of a spawn) */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    static char buf[65536];
    if (!strcmp(mode, "noop"))
        return 0;
    if (!strcmp(mode, "read") && argc == 3) {
        long long t0 = now_ns(), total = 0;
        int fd = open(argv[2], O_RDONLY);
        if (fd < 0)
            return perror(argv[2]), 1;
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0)
            total += n;
        close(fd);
        printf("%lld %lld\n", total, now_ns() - t0);
        return 0;
    }
    if (!strcmp(mode, "append") && argc == 4) {
        long long blocks = atoll(argv[3]) * 256, t0 = now_ns();
        int fd = open(argv[2], O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd < 0)
            return perror(argv[2]), 1;
        memset(buf, 'a', 4096);
        for (long long i = 0; i < blocks; i++)
            if (write(fd, buf, 4096) != 4096)
                return perror("write"), 1;
        close(fd);
        printf("%lld\n", now_ns() - t0);
        return 0;
    }
    if (!strcmp(mode, "create") && argc == 4) {
        int n = atoi(argv[3]);
        char path[256];
        long long t0 = now_ns();
        for (int i = 0; i < n; i++) {
            snprintf(path, sizeof path, "%s/f%06d", argv[2], i);
            int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
            if (fd < 0 || write(fd, "sixteen bytes!!\n", 16) != 16)
                return perror(path), 1;
            close(fd);
        }
        printf("%lld\n", now_ns() - t0);
        return 0;
    }
    fprintf(stderr, "usage: fsbench read PATH | append PATH MIB | create DIR N | noop\n");
    return 2;
}
