/* plugins/calc.c — `calc`: an interactive calculator. Each line of stdin is an
 * integer expression with + - * / % and parentheses; the answer (or
 * "error: ...") is written and flushed at once. `quit` or end of file exits.
 * A stand-in for an interpreter that reads stdin line by line. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

struct parser {
    const char *p;
    const char *error;
};

static long long expr(struct parser *ps);

static void skip(struct parser *ps)
{
    while (isspace((unsigned char)*ps->p))
        ps->p++;
}

static long long atom(struct parser *ps)
{
    skip(ps);
    if (*ps->p == '(') {
        ps->p++;
        long long v = expr(ps);
        skip(ps);
        if (*ps->p != ')' && !ps->error)
            ps->error = "missing )";
        ps->p++;
        return v;
    }
    if (*ps->p == '-') {
        ps->p++;
        return -atom(ps);
    }
    if (!isdigit((unsigned char)*ps->p)) {
        if (!ps->error)
            ps->error = "number expected";
        return 0;
    }
    long long v = 0;
    while (isdigit((unsigned char)*ps->p))
        v = v * 10 + (*ps->p++ - '0');
    return v;
}

static long long term(struct parser *ps)
{
    long long v = atom(ps);
    for (;;) {
        skip(ps);
        char op = *ps->p;
        if (op != '*' && op != '/' && op != '%')
            return v;
        ps->p++;
        long long r = atom(ps);
        if (op != '*' && r == 0) {
            if (!ps->error)
                ps->error = "division by zero";
            return 0;
        }
        v = op == '*' ? v * r : op == '/' ? v / r : v % r;
    }
}

static long long expr(struct parser *ps)
{
    long long v = term(ps);
    for (;;) {
        skip(ps);
        char op = *ps->p;
        if (op != '+' && op != '-')
            return v;
        ps->p++;
        long long r = term(ps);
        v = op == '+' ? v + r : v - r;
    }
}

int main(void)
{
    static char line[4096];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (strcmp(line, "quit") == 0)
            break;
        if (line[0] == '\0')
            continue;
        struct parser ps = {line, NULL};
        long long v = expr(&ps);
        skip(&ps);
        if (!ps.error && *ps.p)
            ps.error = "unexpected character";
        if (ps.error)
            printf("error: %s\n", ps.error);
        else
            printf("%lld\n", v);
        fflush(stdout);
    }
    return 0;
}
