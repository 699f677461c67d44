/* tests/criterion-shim/runner.c — runs the tests registered through the shim
 * header: each in a forked child (isolation, as Criterion), killed after its
 * timeout. Exit status 0 only if every test passed or was skipped.
 * Options: --timeout SECONDS (default for tests without their own);
 * --filter PATTERN (only the tests whose "suite/name" matches the glob, as
 * Criterion's option); other Criterion options are accepted and ignored, so
 * the Makefile's line works. */
#include <fnmatch.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "criterion/criterion.h"

#define EXIT_SKIP 77

static struct tc_test *tests;
static int expect_failed;

void tc_register(struct tc_test *t)
{
    t->next = tests;
    tests = t;
}

void tc_check(int ok, int fatal, const char *file, int line, const char *expr,
              const char *fmt, ...)
{
    if (ok)
        return;
    fprintf(stderr, "  %s:%d: %s failed: %s", file, line, fatal ? "assertion" : "expectation", expr);
    if (fmt[0]) {
        va_list ap;
        va_start(ap, fmt);
        fputs(" — ", stderr);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
    }
    fputc('\n', stderr);
    if (fatal)
        _exit(1); /* ends the test from any thread, as Criterion's abort does */
    expect_failed = 1;
}

void tc_skip(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("  skipped: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    _exit(EXIT_SKIP);
}

void tc_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("  ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    unsigned default_timeout = 600;
    const char *filter = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
            default_timeout = (unsigned)atoi(argv[++i]);
        else if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc)
            filter = argv[++i];
        else if (strncmp(argv[i], "--filter=", 9) == 0)
            filter = argv[i] + 9;
    }
    int passed = 0, failed = 0, skipped = 0;
    for (struct tc_test *t = tests; t; t = t->next) {
        if (filter) {
            char id[512];
            snprintf(id, sizeof id, "%s/%s", t->suite, t->name);
            if (fnmatch(filter, id, 0) != 0)
                continue;
        }
        double t0 = now();
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 2;
        }
        if (pid == 0) {
            alarm(t->timeout > 0 ? (unsigned)t->timeout : default_timeout);
            t->fn();
            fflush(NULL);
            _exit(expect_failed ? 1 : 0);
        }
        int status;
        waitpid(pid, &status, 0);
        const char *verdict;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            verdict = "PASS";
            passed++;
        } else if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_SKIP) {
            verdict = "SKIP";
            skipped++;
        } else {
            verdict = WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM ? "TIMEOUT" : "FAIL";
            failed++;
        }
        fprintf(stderr, "[%s] %s::%s (%.2fs)\n", verdict, t->suite, t->name, now() - t0);
    }
    fprintf(stderr, "[====] Synthesis: Tested: %d | Passing: %d | Failing: %d | Skipped: %d\n",
            passed + failed + skipped, passed, failed, skipped);
    return failed ? 1 : 0;
}
