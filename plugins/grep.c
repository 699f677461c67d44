/* plugins/grep.c — `grep PATTERN`: copies the lines of stdin that contain
 * PATTERN (a plain substring). Exit status as grep(1): 0 if a line matched,
 * 1 if none, 2 on error. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: grep PATTERN\n");
        return 2;
    }
    static char line[1 << 16], out[1 << 16];
    setvbuf(stdout, out, _IOFBF, sizeof out);
    int matched = 0;
    while (fgets(line, sizeof line, stdin)) { /* each refill is a blocking fd_read */
        if (strstr(line, argv[1])) {
            fputs(line, stdout);
            matched = 1;
        }
    }
    return ferror(stdin) || ferror(stdout) ? 2 : matched ? 0 : 1;
}
