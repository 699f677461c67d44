// bench/native/peer_boost_spsc.cpp — boost::lockfree::spsc_queue behind
// peer_cxx.h: 1,024 slots fixed at compile time, messages by value.
#include <boost/lockfree/spsc_queue.hpp>
#include "peer_cxx.h"
#include "peer_msg.hpp"

template <std::size_t N> using BoostSpsc = boost::lockfree::spsc_queue<Msg<N>, boost::lockfree::capacity<1024>>;

void *boost_spsc_new(uint32_t size)
{
    return with_size(size, []<std::size_t N>() -> void * { return new BoostSpsc<N>(); });
}

int boost_spsc_push(void *q, uint32_t size, const void *msg)
{
    return with_size(size, [&]<std::size_t N>() -> int {
        return static_cast<BoostSpsc<N> *>(q)->push(*static_cast<const Msg<N> *>(msg));
    });
}

int boost_spsc_pop(void *q, uint32_t size, void *msg)
{
    return with_size(size, [&]<std::size_t N>() -> int {
        return static_cast<BoostSpsc<N> *>(q)->pop(*static_cast<Msg<N> *>(msg));
    });
}
