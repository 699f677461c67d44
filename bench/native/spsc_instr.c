/* bench/native/spsc_instr.c — the work of one send and one receive, in
 * instructions, on one thread: ROUNDS times 16 sends then 16 receives of
 * SIZE-byte messages, through the slot ring peer or sabq (the fixed ring or
 * the record form, through sabq_spsc_send/recv as a caller compiles them).
 *   spsc_instr slot|sabq-fixed|sabq SIZE ROUNDS
 * Run under callgrind by `make bench-instr` (bench/instr.sh), which takes the
 * difference between ROUNDS and 0 rounds: instructions per send + receive
 * pair, the loop included, the process's start-up not. No clock, no second
 * thread: it counts what each call executes, not what lines cost. */
#include <sabq/sabq.h>
#include "harness.h"
#include "peer_slot_ring.h"

SLOT_RING_PROTOTYPE(m8, uint64_t)
SLOT_RING_PROTOTYPE(m4, uint32_t)

#define BURST 16
#define SLOTS 1024u

/* One loop per queue and message type, so that each counts only its own
 * calls: T is the message's type, PUT and GET the calls (1 on success). */
#define INSTR_LOOP(name, T, PUT, GET)                                                            \
    static uint64_t loop_##name(void *ring, long rounds)                                           \
    {                                                                                              \
        T in = 0, out = 0;                                                                         \
        uint64_t sum = 0;                                                                          \
        for (long i = 0; i < rounds; i++) {                                                        \
            for (int k = 0; k < BURST; k++) {                                                      \
                in++;                                                                              \
                if (!(PUT))                                                                        \
                    exit(3);                                                                       \
            }                                                                                      \
            for (int k = 0; k < BURST; k++) {                                                      \
                if (!(GET))                                                                        \
                    exit(4);                                                                       \
                sum += out;                                                                        \
            }                                                                                      \
        }                                                                                          \
        return sum;                                                                                \
    }
INSTR_LOOP(slot8, uint64_t, slot_ring_push_m8(ring, &in), slot_ring_pop_m8(ring, &out))
INSTR_LOOP(slot4, uint32_t, slot_ring_push_m4(ring, &in), slot_ring_pop_m4(ring, &out))
INSTR_LOOP(sabq8, uint64_t, sabq_spsc_send(ring, &in, 8) == 0, sabq_spsc_recv(ring, &out, 8) == 8)
INSTR_LOOP(sabq4, uint32_t, sabq_spsc_send(ring, &in, 4) == 0, sabq_spsc_recv(ring, &out, 4) == 4)

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[1], "slot") && strcmp(argv[1], "sabq-fixed") && strcmp(argv[1], "sabq")) ||
        (atoi(argv[2]) != 4 && atoi(argv[2]) != 8)) {
        fprintf(stderr, "usage: spsc_instr slot|sabq-fixed|sabq 4|8 ROUNDS\n");
        return 2;
    }
    const char *impl = argv[1];
    uint32_t size = (uint32_t)atoi(argv[2]);
    long rounds = atol(argv[3]);
    static struct slot_ring q;
    static sabq_spsc r;
    uint64_t sum;
    if (strcmp(impl, "slot") == 0) {
        slot_ring_init(&q, SLOTS, bench_alloc((SLOTS + 1) * size));
        sum = size == 8 ? loop_slot8(&q, rounds) : loop_slot4(&q, rounds);
    } else {
        if (strcmp(impl, "sabq-fixed") == 0) {
            size_t bytes = sabq_spsc_fixed_size(SLOTS, size);
            sabq_spsc_init_fixed(&r, bench_alloc(bytes), bytes, SLOTS, size);
        } else {
            size_t bytes = sabq_spsc_size(16 * SLOTS);
            sabq_spsc_init(&r, bench_alloc(bytes), bytes, 16 * SLOTS, 64);
        }
        sum = size == 8 ? loop_sabq8(&r, rounds) : loop_sabq4(&r, rounds);
    }
    printf("%llu\n", (unsigned long long)sum); /* keeps the loops */
    return 0;
}
