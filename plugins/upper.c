/* plugins/upper.c — `upper`: interactive: answers each line of stdin with the
 * same line in capitals, at once (it flushes after every line, so a host
 * waiting for the answer gets it before the next line is sent). */
#include <ctype.h>
#include <stdio.h>

int main(void)
{
    static char line[1 << 16];
    while (fgets(line, sizeof line, stdin)) { /* blocks until the host sends a line */
        for (char *c = line; *c; c++)
            *c = (char)toupper((unsigned char)*c);
        fputs(line, stdout);
        fflush(stdout);
    }
    return 0;
}
