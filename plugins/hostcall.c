/* plugins/hostcall.c — host calls from plain C (include/sabq/host.h):
 *   hostcall NAME REQUEST [COUNT]
 *                           asks host handler NAME (COUNT times, default 1:
 *                           for benchmarks); prints "LENGTH ANSWER" of the last
 *   hostcall each NAME REQUEST COUNT
 *                           prints "started" (flushed), then asks NAME COUNT
 *                           times and prints every answer on a line of its own
 *   hostcall run CMD ARGS   runs plugin CMD ARGS through the host and prints
 *                           its output (CMD may itself be `hostcall run ...`:
 *                           calls nest)
 *   hostcall storm N        starts N runs of `gen 1000000` at once, holding each
 *                           open; prints "started S refused R (ERROR)"
 *   hostcall recurse        runs itself, which runs itself...: prints one
 *                           "level" line per level that started, and the error
 *                           that ended the recursion
 * Exit status 1 with a message when the host refuses or fails. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sabq/host.h>

/* A fork storm: as many nested runs as the host allows, all at once; each
 * child writes more than its pipe holds, so it stays alive until closed. */
static int storm(int n)
{
    FILE **runs = calloc((size_t)n, sizeof *runs);
    int started = 0, refused = 0, error = 0;
    for (int i = 0; i < n; i++) {
        if ((runs[i] = sabq_host_run("gen 1000000")))
            started++;
        else
            refused++, error = errno;
    }
    printf("started %d refused %d (%s)\n", started, refused, refused ? strerror(error) : "none");
    for (int i = 0; i < n; i++)
        if (runs[i])
            fclose(runs[i]);
    free(runs);
    return 0;
}

/* Unbounded self-recursion: each level runs the next and passes its output up. */
static int recurse(void)
{
    printf("level\n");
    fflush(stdout);
    FILE *child = sabq_host_run("hostcall recurse");
    if (!child) {
        printf("refused: %s\n", strerror(errno));
        return 1;
    }
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, child)) > 0)
        fwrite(buf, 1, n, stdout);
    fclose(child);
    return 0;
}

/* Every answer of COUNT calls, one per line, after a flushed "started". */
static int each(const char *name, const char *request, long count)
{
    printf("started\n");
    fflush(stdout);
    for (long i = 0; i < count; i++) {
        char *answer = sabq_host_call(name, request, NULL);
        if (!answer) {
            fprintf(stderr, "hostcall: %s: %s\n", name, strerror(errno));
            return 1;
        }
        printf("%s\n", answer);
        free(answer);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "each") == 0)
        return each(argv[2], argv[3], atol(argv[4]));
    if (argc == 3 && strcmp(argv[1], "storm") == 0)
        return storm(atoi(argv[2]));
    if (argc == 2 && strcmp(argv[1], "recurse") == 0)
        return recurse();
    if (argc < 3) {
        fprintf(stderr, "usage: hostcall NAME REQUEST | hostcall run CMD [ARGS...]\n");
        return 2;
    }
    if (strcmp(argv[1], "run") == 0) {
        char cmdline[2048] = "";
        for (int i = 2; i < argc; i++) {
            if (strlen(cmdline) + strlen(argv[i]) + 2 > sizeof cmdline)
                return 2;
            if (i > 2)
                strcat(cmdline, " ");
            strcat(cmdline, argv[i]);
        }
        FILE *child = sabq_host_run(cmdline);
        if (!child) {
            fprintf(stderr, "hostcall: run %s: %s\n", cmdline, strerror(errno));
            return 1;
        }
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, child)) > 0) /* blocks while the child works */
            fwrite(buf, 1, n, stdout);
        int failed = ferror(child);
        fclose(child);
        return failed ? 1 : 0;
    }
    size_t len = 0;
    char *answer = NULL;
    long count = argc > 3 ? atol(argv[3]) : 1;
    for (long i = 0; i < count; i++) {
        free(answer);
        answer = sabq_host_call(argv[1], argv[2], &len); /* opens, reads to the end, closes */
        if (!answer) {
            fprintf(stderr, "hostcall: %s: %s\n", argv[1], strerror(errno));
            return 1;
        }
    }
    printf("%zu %s\n", len, answer ? answer : "");
    free(answer);
    return 0;
}
