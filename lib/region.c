/* lib/region.c — the common header of every region: lay it out, validate it,
 * close it. Each ring kind adds its own geometry checks on top.
 */
#include <string.h>
#include "internal.h"

int sabq__region_init(void *mem, size_t size, uint16_t kind, uint32_t cap,
                      uint32_t msg_max, uint32_t stride, uint64_t total)
{
    if (!mem || ((uintptr_t)mem & (SABQ_ALIGN - 1)) != 0)
        return -EINVAL;
    if (total > UINT32_MAX || size < total)
        return -EINVAL;
    sabq__os_setup();
    struct sabq_region *r = mem;
    memset(mem, 0, SABQ_DATA_OFFSET);
    r->hdr.version = SABQ_VERSION;
    r->hdr.kind = kind;
    r->hdr.capacity = cap;
    r->hdr.msg_max = msg_max;
    r->hdr.stride = stride;
    r->hdr.data_off = SABQ_DATA_OFFSET;
    r->hdr.total_size = (uint32_t)total;
    sabq_event_init(&r->wait.readable);
    sabq_event_init(&r->wait.writable);
    return 0;
}

void sabq__region_publish(struct sabq_region *shm)
{
    /* R0: pairs with A0 in region_check: whoever sees the magic sees the rest. */
    atomic_store_explicit(&shm->hdr.magic, SABQ_MAGIC, memory_order_release);
}

void sabq__region_close(struct sabq_region *shm)
{
    /* seq_cst: a waiter that took its key before the bumps below is woken by
     * them; one that takes it after sees the flag (R2/A2 in wait.c). */
    atomic_fetch_or_explicit(&shm->hdr.closed, SABQ_CLOSED, memory_order_seq_cst);
    sabq_event_wake_all(&shm->wait.readable);
    sabq_event_wake_all(&shm->wait.writable);
}

