// bench/native/peer_boost_queue.cpp — boost::lockfree::queue behind
// peer_cxx.h: fixed-size, 1,024 preallocated nodes, 8-byte messages.
#include <boost/lockfree/queue.hpp>
#include "peer_cxx.h"

using BoostQueue = boost::lockfree::queue<uint64_t, boost::lockfree::capacity<1024>>;

void *boost_queue_new(void)
{
    return new BoostQueue();
}

int boost_queue_push(void *q, uint64_t v)
{
    return static_cast<BoostQueue *>(q)->push(v);
}

int boost_queue_pop(void *q, uint64_t *v)
{
    return static_cast<BoostQueue *>(q)->pop(*v);
}
