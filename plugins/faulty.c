/* plugins/faulty.c — misbehaves on request, to test that a failure ends only
 * its own task: `faulty trap` (an unreachable instruction), `faulty exit K`,
 * `faulty hang` (a loop with no system call: only terminating the worker
 * stops it), `faulty stderr` (a message on stderr, exit 2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    if (strcmp(what, "trap") == 0)
        __builtin_trap();
    if (strcmp(what, "exit") == 0)
        exit(argc > 2 ? atoi(argv[2]) : 1);
    if (strcmp(what, "hang") == 0) {
        volatile unsigned long spin = 0;
        for (;;)
            spin++;
    }
    if (strcmp(what, "stderr") == 0) {
        fprintf(stderr, "faulty: something went wrong, as asked\n");
        return 2;
    }
    fprintf(stderr, "usage: faulty trap|exit K|hang|stderr\n");
    return 64;
}
