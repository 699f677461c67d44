// bench/native/peer_rwq.cpp — moodycamel::ReaderWriterQueue behind
// peer_cxx.h: preallocated for 1,024 messages; try_enqueue never allocates.
#include <readerwriterqueue/readerwriterqueue.h>
#include "peer_cxx.h"
#include "peer_msg.hpp"

template <std::size_t N> using Rwq = moodycamel::ReaderWriterQueue<Msg<N>>;

void *rwq_new(uint32_t size)
{
    return with_size(size, []<std::size_t N>() -> void * { return new Rwq<N>(1024); });
}

int rwq_push(void *q, uint32_t size, const void *msg)
{
    return with_size(size, [&]<std::size_t N>() -> int {
        return static_cast<Rwq<N> *>(q)->try_enqueue(*static_cast<const Msg<N> *>(msg));
    });
}

int rwq_pop(void *q, uint32_t size, void *msg)
{
    return with_size(size, [&]<std::size_t N>() -> int {
        return static_cast<Rwq<N> *>(q)->try_dequeue(*static_cast<Msg<N> *>(msg));
    });
}
