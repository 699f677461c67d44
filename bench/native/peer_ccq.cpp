// bench/native/peer_ccq.cpp — moodycamel::ConcurrentQueue behind
// peer_cxx.h: preallocated for 1,024 messages, a token per thread, enqueue
// (unbounded) as its users call it.
#include <concurrentqueue/concurrentqueue.h>
#include "peer_cxx.h"
#include "peer_msg.hpp"

template <std::size_t N> using Ccq = moodycamel::ConcurrentQueue<Msg<N>>;

void *ccq_new(uint32_t size)
{
    return with_size(size, []<std::size_t N>() -> void * { return new Ccq<N>(1024); });
}

void *ccq_producer_new(void *q, uint32_t size)
{
    return with_size(size, [&]<std::size_t N>() -> void * {
        return new moodycamel::ProducerToken(*static_cast<Ccq<N> *>(q));
    });
}

void *ccq_consumer_new(void *q, uint32_t size)
{
    return with_size(size, [&]<std::size_t N>() -> void * {
        return new moodycamel::ConsumerToken(*static_cast<Ccq<N> *>(q));
    });
}

int ccq_push(void *q, void *producer, uint32_t size, const void *msg)
{
    return with_size(size, [&]<std::size_t N>() -> int {
        return static_cast<Ccq<N> *>(q)->enqueue(*static_cast<moodycamel::ProducerToken *>(producer),
                                                  *static_cast<const Msg<N> *>(msg));
    });
}

int ccq_pop(void *q, void *consumer, uint32_t size, void *msg)
{
    return with_size(size, [&]<std::size_t N>() -> int {
        return static_cast<Ccq<N> *>(q)->try_dequeue(*static_cast<moodycamel::ConsumerToken *>(consumer),
                                                       *static_cast<Msg<N> *>(msg));
    });
}
