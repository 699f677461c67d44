/* plugins/sortlines.c — an ordinary C program that works on files: reads the
 * lines of IN, writes them sorted to OUT, and a line of statistics to
 * stderr. Run by examples/js/files.mjs with IN and OUT in a mounted directory.
 *   sortlines IN OUT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: sortlines IN OUT\n");
        return 2;
    }
    FILE *in = fopen(argv[1], "r");
    if (!in) {
        fprintf(stderr, "sortlines: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    size_t count = 0, cap = 64;
    char **lines = malloc(cap * sizeof *lines);
    char *line = NULL;
    size_t size = 0;
    while (getline(&line, &size, in) > 0) {
        if (count == cap)
            lines = realloc(lines, (cap *= 2) * sizeof *lines);
        lines[count++] = strdup(line);
    }
    fclose(in);
    qsort(lines, count, sizeof *lines, compare);
    FILE *out = fopen(argv[2], "w");
    if (!out) {
        fprintf(stderr, "sortlines: %s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    for (size_t i = 0; i < count; i++)
        fputs(lines[i], out);
    if (fclose(out) != 0) {
        fprintf(stderr, "sortlines: %s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    fprintf(stderr, "sortlines: %zu lines\n", count);
    return 0;
}
