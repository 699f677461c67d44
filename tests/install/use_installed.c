/* tests/install/use_installed.c — a program built the way a user builds one
 * against an installed sabq: `cc prog.c $(pkg-config --cflags --libs sabq)`.
 * `make test-install` installs into a scratch prefix, builds this against it
 * and runs it: headers, library, soname and sabq.pc all have to be right. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sabq/sabq.h>

int main(void)
{
    size_t size = sabq_spsc_size(1024);
    void *mem = aligned_alloc(SABQ_ALIGN, size);
    sabq_spsc r;
    char buf[16];
    if (!mem || sabq_spsc_init(&r, mem, size, 1024, 0) != 0)
        return 1;
    if (sabq_spsc_send(&r, "installed", 9) != 0 || sabq_spsc_recv(&r, buf, sizeof buf) != 9 ||
        memcmp(buf, "installed", 9) != 0 || sabq_spsc_recv(&r, buf, sizeof buf) != -EAGAIN) {
        fprintf(stderr, "use_installed: the ring did not round-trip\n");
        return 1;
    }
    printf("install: sabq %s found through pkg-config, a message round-tripped\n",
           SABQ_VERSION_STRING);
    free(mem);
    return 0;
}
