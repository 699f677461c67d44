/* bench/native/peer_cxx.h — the C++ queues C and C++ users pick, as Debian
 * ships them, seen from the C benchmarks. One small adapter per peer
 * (peer_<name>.cpp) wraps the library's own calls; nothing of the queues is
 * reimplemented. The benchmarks are linked with -flto so these calls inline
 * into their loops, as the header-only libraries do in a C++ program.
 *
 * Messages go by value, as ck_ring's typed interface and the slot ring do:
 * `size` (4, 8, 16, 64 or 1024 bytes, the same for every call on a queue)
 * picks the message type, and `msg` points to a 64-byte aligned buffer
 * holding one. Every push returns 1 when the message went in and 0 when the
 * queue is full; every pop 1 with a message and 0 when it is empty. None of
 * them blocks, and only ccq_push allocates (below). */
#ifndef SABQ_BENCH_PEER_CXX_H
#define SABQ_BENCH_PEER_CXX_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* boost::lockfree::spsc_queue (libboost-dev): a ring of 1,024 slots whose
 * capacity is a compile-time constant. One producer, one consumer. */
void *boost_spsc_new(uint32_t size);
int boost_spsc_push(void *q, uint32_t size, const void *msg);
int boost_spsc_pop(void *q, uint32_t size, void *msg);

/* boost::lockfree::queue (libboost-dev) with a fixed capacity of 1,024 nodes:
 * a Michael-Scott queue over a preallocated node pool, addressed by 16-bit
 * tagged indices. Any number of producers and consumers; 8-byte messages. */
void *boost_queue_new(void);
int boost_queue_push(void *q, uint64_t v);
int boost_queue_pop(void *q, uint64_t *v);

/* moodycamel::ReaderWriterQueue (libreaderwriterqueue-dev): linked blocks of
 * slots, here preallocated for 1,024 messages and used through try_enqueue,
 * which never allocates, so it stays bounded. One producer, one consumer. */
void *rwq_new(uint32_t size);
int rwq_push(void *q, uint32_t size, const void *msg);
int rwq_pop(void *q, uint32_t size, void *msg);

/* moodycamel::ConcurrentQueue (libconcurrentqueue-dev): unbounded, one
 * sub-queue per producer (a token each), consumers scanning the sub-queues;
 * FIFO only per producer. Preallocated for 1,024 messages; ccq_push uses
 * enqueue, its own contract, which allocates a block when the producer's own
 * are full: it never reports full. (try_enqueue, which never allocates, is no
 * bounded queue: a producer keeps every block it took, so with several
 * producers one can starve the others, and even alone, at the preallocated
 * limit, it moved 1.5 M msg/s against 22 M with enqueue on the EPYC VM.)
 * Tokens: one per thread. */
void *ccq_new(uint32_t size);
void *ccq_producer_new(void *q, uint32_t size);
void *ccq_consumer_new(void *q, uint32_t size);
int ccq_push(void *q, void *producer, uint32_t size, const void *msg);
int ccq_pop(void *q, void *consumer, uint32_t size, void *msg);

#ifdef __cplusplus
}
#endif

#endif
