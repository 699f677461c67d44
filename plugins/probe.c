/* plugins/probe.c — reports what a plugin was given, for the tests of the
 * spawn options: `probe env NAME...` prints NAME=value, or NAME unset, for
 * each name; `probe tty` prints which of fds 0, 1 and 2 are terminals (on
 * stderr as well, for a stdout that goes nowhere) and exits 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "env") == 0) {
        for (int i = 2; i < argc; i++) {
            const char *v = getenv(argv[i]);
            if (v)
                printf("%s=%s\n", argv[i], v);
            else
                printf("%s unset\n", argv[i]);
        }
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "tty") == 0) {
        int t0 = isatty(0), t1 = isatty(1), t2 = isatty(2);
        printf("tty %d %d %d\n", t0, t1, t2);
        fprintf(stderr, "tty %d %d %d\n", t0, t1, t2);
        return 0;
    }
    fprintf(stderr, "usage: probe env NAME... | probe tty\n");
    return 64;
}
