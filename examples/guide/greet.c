/* examples/guide/greet.c — the plugin of docs/plugins.md: reads names from
 * stdin, one per line, and greets each. An ordinary C program: fgets blocks
 * until the page sends a line. */
#include <stdio.h>
#include <string.h>

int main(void)
{
    char name[256];
    printf("What is your name?\n");
    fflush(stdout);
    while (fgets(name, sizeof name, stdin)) {
        name[strcspn(name, "\n")] = '\0';
        printf("Hello, %s!\n", name);
        fflush(stdout); /* the page is waiting for this line */
    }
    printf("Goodbye.\n");
    return 0;
}
