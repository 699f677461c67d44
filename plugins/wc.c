/* plugins/wc.c — `wc`: prints "LINES WORDS BYTES" of stdin, as wc(1) without
 * options (one space between the counts). */
#include <ctype.h>
#include <stdio.h>

int main(void)
{
    static unsigned char buf[1 << 16];
    unsigned long long lines = 0, words = 0, bytes = 0;
    int in_word = 0;
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
        bytes += n;
        for (size_t i = 0; i < n; i++) {
            lines += buf[i] == '\n';
            if (isspace(buf[i])) {
                in_word = 0;
            } else if (!in_word) {
                in_word = 1;
                words++;
            }
        }
    }
    printf("%llu %llu %llu\n", lines, words, bytes);
    return ferror(stdin) ? 1 : 0;
}
