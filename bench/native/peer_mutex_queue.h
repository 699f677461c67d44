/* bench/native/peer_mutex_queue.h — the textbook peer: a bounded queue of
 * fixed-size slots behind one mutex and two condition variables, copying each
 * message in and out. Fair and simple, as most code that does not use a
 * lock-free queue does. */
#ifndef SABQ_BENCH_MUTEX_QUEUE_H
#define SABQ_BENCH_MUTEX_QUEUE_H

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct mq {
    pthread_mutex_t lock;
    pthread_cond_t not_empty, not_full;
    uint8_t *slots;
    uint32_t cap, msg, head, tail;
    int closed;
};

static inline void mq_init(struct mq *q, uint32_t cap, uint32_t msg)
{
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->not_empty, NULL);
    pthread_cond_init(&q->not_full, NULL);
    q->slots = calloc(cap, msg);
    q->cap = cap;
    q->msg = msg;
    q->head = q->tail = 0;
    q->closed = 0;
}

static inline void mq_push(struct mq *q, const void *m)
{
    pthread_mutex_lock(&q->lock);
    while (q->head - q->tail == q->cap)
        pthread_cond_wait(&q->not_full, &q->lock);
    memcpy(q->slots + (size_t)(q->head % q->cap) * q->msg, m, q->msg);
    q->head++;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
}

/* 1 with a message, 0 when closed and empty. */
static inline int mq_pop(struct mq *q, void *m)
{
    pthread_mutex_lock(&q->lock);
    while (q->head == q->tail && !q->closed)
        pthread_cond_wait(&q->not_empty, &q->lock);
    int got = q->head != q->tail;
    if (got) {
        memcpy(m, q->slots + (size_t)(q->tail % q->cap) * q->msg, q->msg);
        q->tail++;
        pthread_cond_signal(&q->not_full);
    }
    pthread_mutex_unlock(&q->lock);
    return got;
}

static inline void mq_close(struct mq *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = 1;
    pthread_cond_broadcast(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
}

#endif
