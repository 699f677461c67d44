/* plugins/bigdata.c — `bigdata`: a stand-in for a large plugin built elsewhere,
 * such as an interpreter with its library baked in. It carries BIGDATA_BYTES
 * of initialised data (tools/gen-blob.mjs; 32 MiB by default), which every
 * instance copies into its memory when it starts. Interactive: each line of
 * stdin is answered, at once, with the FNV-1a of all that data (so a torn or
 * missing copy shows) and the line. End of file exits. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "bigdata_blob.h"

static uint32_t blob_hash(void)
{
    uint32_t h = 0x811c9dc5u;
    for (uint32_t i = 0; i < BIGDATA_BYTES; i++)
        h = (h ^ (uint8_t)bigdata_blob[i]) * 16777619u;
    return h;
}

int main(void)
{
    char line[4096];
    uint32_t hash = 0;
    int hashed = 0;
    while (fgets(line, sizeof line, stdin)) {
        if (!hashed) {
            hash = blob_hash(); /* on the first line: start-up stays a copy */
            hashed = 1;
        }
        line[strcspn(line, "\n")] = '\0';
        printf("%08x %s\n", (unsigned)hash, line);
        fflush(stdout);
    }
    return 0;
}
