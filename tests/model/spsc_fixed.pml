/* tests/model/spsc_fixed.pml — the SPSC ring in its fixed-size form (kind 4,
 * lib/spsc_fixed.c): slots of one length with no header, a Lamport ring
 * whose head and tail count messages, each side with a private cache of the
 * other's index (tail_cache on the producer's line, head_cache on the
 * consumer's), under the wait protocol of event.pml. A producer sends
 * messages 1..M, one at a time (sabq_spsc_send_wait: its short path in
 * line, or send_general; sabq_spsc_reserve and sabq_spsc_commit take
 * send_general's steps) or two by sabq_spsc_send_batch (which may send
 * one, or none: then the caller waits with send_wait), and closes; a
 * consumer takes them with sabq_spsc_recv_wait (short path or
 * recv_general), with sabq_spsc_recv_batch of two (none there: it waits
 * with recv_wait), or with sabq_spsc_peek_wait, maybe sabq_spsc_peek_next,
 * and one sabq_spsc_release, until -EPIPE. Configurations: W=3 (2 slots)
 * or -DW=4 (4 slots, so a batch leaves room and a cache can show part of
 * what is there), M messages, -DLONG_MSG (a ring of messages too long for
 * the short paths). Properties:
 *   - every message arrives exact, in order, none lost or duplicated: the
 *     slot the consumer reads as message k holds k (asserted at every read;
 *     an unwritten slot holds 0 or a message a lap old);
 *   - the end (-EPIPE) only after message M;
 *   - no lost wake-up (data, room or close): neither side parks for ever
 *     (an invalid end state);
 *   - the -EPROTO checks never fire against an honest peer (asserted where
 *     the C makes them: head - tail <= cap for the producer, head - pos <=
 *     cap for the consumer);
 *   - bounded wrap: indices are W-bit (cap = 2^(W-2), as 2^30 is to 2^32)
 *     and start just below the wrap, so they wrap mid-stream (init asserts
 *     that every configuration crosses it), caches included.
 *
 * Steps: one per access to a word the other side writes or reads (head,
 * tail, closed, the slots, the event words); a side's own index and its
 * private cache cannot change under it, so reading and storing them fold
 * into the neighbouring step (d_step), as do local computations. A copy
 * into or out of slots is one step: only its order against the index
 * stores matters, as in pipe.pml.
 *
 * check.sh: short spsc_fixed.pml -                                                      pass
 * check.sh: full  spsc_fixed.pml -DM=8                                                  pass
 * check.sh: full  spsc_fixed.pml -DW=4,-DM=7                                            pass
 * check.sh: full  spsc_fixed.pml -DLONG_MSG                                             pass
 * check.sh: full  spsc_fixed.pml -DM=8,-DLONG_MSG                                       pass
 * check.sh: short spsc_fixed.pml -DMUTANT_HEAD_BEFORE_SLOT                              assert:data[((p+i)&1)]==(k+i)
 * check.sh: short spsc_fixed.pml -DMUTANT_TAIL_BEFORE_COPY                              assert:data[((p+i)&1)]==(k+i)
 * check.sh: short spsc_fixed.pml -DMUTANT_EOF_NO_REREAD                                 assert:(k==(4+1))
 * check.sh: short spsc_fixed.pml -DMUTANT_CACHE_NO_RELOAD                               deadlock
 * check.sh: short spsc_fixed.pml -DMUTANT_CACHE_CMP                                     assert:data[((p+i)&1)]==(k+i)
 * check.sh: short spsc_fixed.pml -DMUTANT_TAIL_CACHE_CMP                                deadlock
 * check.sh: short spsc_fixed.pml -DMUTANT_FAST_SEND_CMP                                 assert:data[((p+i)&1)]==(k+i)
 * check.sh: short spsc_fixed.pml -DMUTANT_FAST_RECV_CMP                                 assert:data[((p+i)&1)]==(k+i)
 * check.sh: short spsc_fixed.pml -DMUTANT_NO_WRAP                                       assert:data[((p+i)&1)]==(k+i)
 * check.sh: full  spsc_fixed.pml -DW=4,-DM=6,-DMUTANT_NO_WRAP                           assert:data[((p+i)&3)]==(k+i)
 * check.sh: full  spsc_fixed.pml -DMUTANT_NOTIFY_WRONG_EVENT                            deadlock
 * check.sh: short spsc_fixed.pml -DMUTANT_NO_RECHECK                                    deadlock
 * check.sh: short spsc_fixed.pml -DMUTANT_CLOSE_NO_WAKE                                 deadlock
 *
 * Mutants:
 *   MUTANT_HEAD_BEFORE_SLOT    R1p weakened: head visible before the slot is written
 *   MUTANT_TAIL_BEFORE_COPY    R1c weakened: tail given back before the copy out
 *   MUTANT_EOF_NO_REREAD       no second look at head once the close flag is seen
 *   MUTANT_CACHE_NO_RELOAD     a cached head that shows nothing is trusted:
 *                              head is not loaded (the flag is still read)
 *   MUTANT_CACHE_CMP           the cache test `head - pos > cap` instead of
 *                              `head - pos - 1u >= cap` in avail_at: an empty
 *                              cache passes, as 0 messages, and recv_general
 *                              takes one anyway
 *   MUTANT_TAIL_CACHE_CMP      free_slots' test `used > cap` instead of
 *                              `used >= cap`: a full cache is never refreshed
 *   MUTANT_FAST_SEND_CMP       send's short path tests `head - tail_cache <= cap`:
 *                              a full cache passes, a slot not yet read is overwritten
 *   MUTANT_FAST_RECV_CMP       recv's short path tests `head_cache - tail <= cap`:
 *                              an empty cache passes, a slot not yet written is read
 *   MUTANT_NO_WRAP             distances not taken modulo 2^W
 *   MUTANT_NOTIFY_WRONG_EVENT  a publish notifies `writable` instead of `readable`
 *   MUTANT_NO_RECHECK          (event.pml) no try after announcing
 *   MUTANT_CLOSE_NO_WAKE       (event.pml) close wakes nobody
 *
 * What is left out: messages are one slot each and their bytes one value
 * (the C copies msg_max bytes the same way whatever they are); batches are
 * of two; the length checks (-EMSGSIZE, -EINVAL) are the caller's, and no
 * call here makes one fail; a peek_next that finds nothing ends the walk
 * (its -EAGAIN or -EPIPE is met again by the next call).
 */

#ifndef M
#define M 4             /* messages */
#endif
#define NPROC 4
#ifndef W
#define W 3             /* index bits */
#endif
#if W == 3
#define IMASK 7         /* 2^W - 1 */
#define CMASK 1         /* CAP - 1 */
#define CAP 2           /* slots: 2^(W-2) */
#define START 5         /* initial head, tail and caches: 2^W - 3, so they wrap */
#elif W == 4
#define IMASK 15
#define CAP 4
#define START 13
#define CMASK 3
#endif
#define BATCH 2         /* messages per batch call */
#define EMSGSIZE 90

#include "event.pml"

#ifdef MUTANT_NO_WRAP
#define DIST(a, b) ((a) - (b))
#else
#define DIST(a, b) (((a) - (b)) & IMASK)
#endif

byte head = START;       /* sabq_prod_line.head: messages published */
byte tail_cache = START; /* producer-private */
byte tail = START;       /* sabq_cons_line.tail: messages given back */
byte head_cache = START; /* consumer-private */
byte data[CAP];          /* per slot: the number of the message last written there */

/* ---- producer ------------------------------------------------------------- */

/* own_head() and free_slots(want): `f` free slots at head `h`, from the
 * cached tail, or from the consumer's tail when the cache shows fewer than
 * `want` (1 for a send, the batch's size for a batch).
 * @c lib/spsc_fixed.c own_head(): if (sabq__unlikely(atomic_load_explicit(&s->hdr.closed, memory_order_relaxed)))
 * @c lib/spsc_fixed.c own_head(): return -EPIPE;
 * @c lib/spsc_fixed.c own_head(): *head = atomic_load_explicit(&s->prod.head, memory_order_relaxed);
 * @c lib/spsc_fixed.c free_slots(): return sabq__spsc_room(r->shm, r->cap, head, want);
 * @c lib/internal.h sabq__spsc_room(): uint32_t used = head - s->prod.tail_cache;
 * @c lib/internal.h sabq__spsc_room(): if (sabq__unlikely(used > cap || cap - used < want)) {
 * @c lib/internal.h sabq__spsc_room(): uint32_t tail = atomic_load_explicit(&s->cons.tail, memory_order_acquire);
 * @c lib/internal.h sabq__spsc_room(): used = head - tail;
 * @c lib/internal.h sabq__spsc_room(): if (used > cap)
 * @c lib/internal.h sabq__spsc_room(): return -EPROTO;
 * @c lib/internal.h sabq__spsc_room(): s->prod.tail_cache = tail;
 * @c lib/internal.h sabq__spsc_room(): return (int)(cap - used);
 */
inline free_slots(want) {
    d_step {
        if
        :: closed -> rc = EPIPE
        :: else ->
           rc = 0;
           h = head;
           t = tail_cache;
#ifdef MUTANT_TAIL_CACHE_CMP
           refresh = (DIST(h, t) > CAP)
#else
           refresh = (DIST(h, t) > CAP || CAP - DIST(h, t) < want)
#endif
        fi
    };
    if
    :: rc == 0 && refresh ->
       d_step {
           t = tail;
           assert(DIST(h, t) <= CAP); /* else -EPROTO */
           tail_cache = t;
           refresh = false
       }
    :: else
    fi;
    d_step {
        if
        :: rc == 0 ->
           f = CAP - DIST(h, t);
           if
           :: f == 0 -> rc = EAGAIN
           :: else
           fi
        :: else
        fi
    }
}

/* publish(): head, then wake a parked consumer.
 * @c lib/spsc_fixed.c publish(): atomic_store_explicit(&r->shm->prod.head, head, memory_order_release);
 * @c lib/spsc_fixed.c publish(): sabq__notify(&r->shm->wait.readable);
 */
inline publish(newhead) {
    head = (newhead) & IMASK;
#ifdef MUTANT_NOTIFY_WRONG_EVENT
    notify(WRITABLE)
#else
    notify(READABLE)
#endif
}

/* sabq_spsc_send (and sabq_spsc_send_wait around it): message k into the
 * slot at head. The short path, in line (a message of at most
 * SABQ__COPY_INLINE bytes, not closed, room by the cached tail), writes and
 * publishes at once; anything else goes to send_general(), which starts over
 * with own_head() and free_slots(). -DLONG_MSG: a ring of longer messages,
 * which always goes there. A reservation and its commit take the steps of
 * send_general(): own_head, free_slots, the caller's writes into the slot,
 * publish of head + 1.
 * The short path is sabq__fixed_send_short() in sabq/spsc.h, run first in
 * the caller (the sabq_spsc_send macro) and again by the library when the
 * caller's try declined: it depends only on the producer's own words (head,
 * tail_cache) and the sticky close flag, so the second try declines too and
 * one short-path step models both.
 * @c include/sabq/spsc.h sabq__spsc_send_inline(): int rc = r->stride != 0 ? sabq__fixed_send_short(r, buf, len) : sabq__rec_send_short(r, buf, len);
 * @c include/sabq/spsc.h sabq__spsc_send_inline(): return sabq__likely(rc != SABQ__DECLINE) ? rc : (sabq_spsc_send)(r, buf, len);
 * @c lib/spsc.c sabq_spsc_send(): return sabq__fixed_send(handle, buf, len);
 * @c lib/spsc.c sabq_spsc_send_wait(): while ((rc = sabq_spsc_send(r, buf, len)) == -EAGAIN && (rc = sabq__wait_step(ev, &w)) == 0) {
 * @c lib/spsc_fixed.c sabq__fixed_send(): int rc = sabq__fixed_send_short(handle, buf, len);
 * @c lib/spsc_fixed.c sabq__fixed_send(): if (sabq__likely(rc != SABQ__DECLINE))
 * @c lib/spsc_fixed.c sabq__fixed_send(): return send_general(handle, buf, len);
 * @c include/sabq/spsc.h sabq__fixed_send_short(): if (sabq__likely(len == r->msg_max && len <= SABQ__COPY_INLINE &&
 * @c include/sabq/spsc.h sabq__fixed_send_short(): !atomic_load_explicit(&s->hdr.closed, memory_order_relaxed))) {
 * @c include/sabq/spsc.h sabq__fixed_send_short(): uint32_t head = atomic_load_explicit(&s->prod.head, memory_order_relaxed);
 * @c include/sabq/spsc.h sabq__fixed_send_short(): if (sabq__likely(head - s->prod.tail_cache < r->cap)) {
 * @c include/sabq/spsc.h sabq__fixed_send_short(): sabq__copy_short(sabq__fixed_slot(r, head), (const uint8_t *)buf, len);
 * @c include/sabq/spsc.h sabq__fixed_send_short(): atomic_store_explicit(&s->prod.head, head + 1, memory_order_release);
 * @c include/sabq/spsc.h sabq__fixed_send_short(): sabq__notify(&s->wait.readable);
 * @c include/sabq/spsc.h sabq__fixed_send_short(): return 0;
 * @c include/sabq/spsc.h sabq__fixed_send_short(): return SABQ__DECLINE;
 * @c lib/spsc_fixed.c claim(): int rc = own_head(r, head);
 * @c lib/spsc_fixed.c claim(): int free = free_slots(r, *head, 1);
 * @c lib/spsc_fixed.c claim(): return free > 0 ? 0 : free < 0 ? free : -EAGAIN;
 * @c lib/spsc_fixed.c send_general(): int rc = claim(r, len, &head);
 * @c lib/spsc_fixed.c send_general(): sabq__copy(sabq__fixed_slot(r, head), buf, len);
 * @c lib/spsc_fixed.c send_general(): publish(r, head + 1);
 * @c lib/spsc_fixed.c sabq__fixed_reserve(): int rc = claim(r, len, &head);
 * @c lib/spsc_fixed.c sabq__fixed_reserve(): resv->head = head;
 * @c lib/spsc_fixed.c sabq__fixed_commit(): publish(r, resv->head + 1);
 * MUTANT_FAST_SEND_CMP: the short path's test `head - tail_cache <= cap`.
 */
inline fixed_send() {
    d_step {
        rc = 0;
#ifdef LONG_MSG
        fast = false
#elif defined(MUTANT_FAST_SEND_CMP)
        fast = (!closed && DIST(head, tail_cache) <= CAP)
#else
        fast = (!closed && DIST(head, tail_cache) < CAP)
#endif
        ;
        if
        :: fast -> h = head
        :: else
        fi
    };
    if
    :: !fast -> free_slots(1) /* send_general */
    :: else
    fi;
    if
    :: rc == 0 ->
#ifdef MUTANT_HEAD_BEFORE_SLOT
       head = (h + 1) & IMASK;
#endif
       data[h & CMASK] = k;
       n = 1;
       publish(h + 1)
    :: else
    fi
}

/* sabq_spsc_send_batch of messages k, k + 1: as many as the free slots
 * (by the cache, or by tail) hold, with one store of head.
 * @c lib/spsc_fixed.c sabq__fixed_send_batch(): int rc = own_head(r, &head);
 * @c lib/spsc_fixed.c sabq__fixed_send_batch(): int free = free_slots(r, head, n < r->cap ? n : r->cap);
 * @c lib/spsc_fixed.c sabq__fixed_send_batch(): return free < 0 ? free : -EAGAIN;
 * @c lib/spsc_fixed.c sabq__fixed_send_batch(): uint32_t k = n < (uint32_t)free ? n : (uint32_t)free, i;
 * @c lib/spsc_fixed.c sabq__fixed_send_batch(): sabq__copy(sabq__fixed_slot(r, head + i), msgs[i].base, r->msg_max);
 * @c lib/spsc_fixed.c sabq__fixed_send_batch(): publish(r, head + i);
 */
inline fixed_send_batch() {
    free_slots(BATCH);
    if
    :: rc == 0 ->
       n = (BATCH < f -> BATCH : f);
#ifdef MUTANT_HEAD_BEFORE_SLOT
       head = (h + n) & IMASK;
#endif
       d_step {
           i = 0;
           do
           :: i < n -> data[(h + i) & CMASK] = k + i; i++
           :: else -> break
           od;
           i = 0
       };
       publish(h + n)
    :: else
    fi
}

proctype Producer() {
    byte key, rc, h, t, f, n, i;
    bool refresh, batched, fast;
    byte k = 1; /* the message sent next */
    do
    :: k > M -> break
    :: else ->
       if
       :: k < M -> /* a batch of two; none sent: wait as send_wait does */
          fixed_send_batch();
          if
          :: rc == 0 -> batched = true
          :: else -> assert(rc == EAGAIN)
          fi
       :: true
       fi;
       if
       :: !batched ->
          WAIT_LOOP(WRITABLE, fixed_send);
          assert(rc == 0)
       :: else
       fi;
       d_step { k = k + n; key = 0; h = 0; t = 0; f = 0; n = 0; batched = false; fast = false }
    od;
    /* sabq_spsc_close: a fixed ring has no sealed records to adopt.
     * @c lib/spsc.c sabq_spsc_close(): if (!r->stride)
     * @c lib/spsc.c sabq_spsc_close(): sabq__region_close(r->shm);
     */
    region_close() /* end of stream */
}

/* ---- consumer ------------------------------------------------------------- */

/* avail_at(): `n` messages readable at `p`, from the cached head, or from
 * the producer's head when the cache shows none. Empty and closed is the
 * end only if head, read again after the flag was seen, is still at p: the
 * producer closes after its last send.
 * @c lib/spsc_fixed.c avail_at(): uint32_t head = s->cons.head_cache;
 * @c lib/spsc_fixed.c avail_at(): if (sabq__unlikely(head - pos - 1u >= r->cap || head - pos < want)) {
 * @c lib/spsc_fixed.c avail_at(): head = atomic_load_explicit(&s->prod.head, memory_order_acquire);
 * @c lib/spsc_fixed.c avail_at(): if (head == pos) {
 * @c lib/spsc_fixed.c avail_at(): if (!sabq__region_is_closed(s))
 * @c lib/spsc_fixed.c avail_at(): return -EAGAIN;
 * @c lib/spsc_fixed.c avail_at(): head = atomic_load_explicit(&s->prod.head, memory_order_acquire);
 * @c lib/spsc_fixed.c avail_at(): if (head == pos)
 * @c lib/spsc_fixed.c avail_at(): return -EPIPE;
 * @c lib/spsc_fixed.c avail_at(): if (head - pos > r->cap)
 * @c lib/spsc_fixed.c avail_at(): return -EPROTO;
 * @c lib/spsc_fixed.c avail_at(): s->cons.head_cache = head;
 * @c lib/spsc_fixed.c avail_at(): return (int)(head - pos);
 * The flag's load is an acquire, so the second look at head sees every
 * head stored before the close (the models run under SC; this is why):
 * @c include/sabq/inline.h sabq__region_is_closed(): return (atomic_load_explicit(&shm->hdr.closed, memory_order_acquire) & SABQ_CLOSED) != 0;
 */
inline avail_at(want) {
    d_step {
        rc = 0;
        h = head_cache;
#ifdef MUTANT_CACHE_CMP
        refresh = (DIST(h, p) > CAP)
#else
        refresh = (DIST(h, p) == 0 || DIST(h, p) > CAP || DIST(h, p) < want) /* head - pos - 1u >= cap || head - pos < want */
#endif
    };
    if
    :: refresh ->
#ifdef MUTANT_CACHE_NO_RELOAD
       if
       :: h != p -> h = head
       :: else /* the cache shows nothing: taken as head */
       fi;
#else
       h = head;
#endif
       if
       :: h == p ->
          if
          :: !closed -> rc = EAGAIN
          :: else ->
#ifndef MUTANT_EOF_NO_REREAD
             h = head;
#endif
             if
             :: h == p -> rc = EPIPE
             :: else
             fi
          fi
       :: else
       fi;
       d_step {
           if
           :: rc == 0 ->
              assert(DIST(h, p) <= CAP); /* else -EPROTO */
              head_cache = h
           :: else
           fi;
           refresh = false
       }
    :: else
    fi;
    d_step { if :: rc == 0 -> n = DIST(h, p) :: else -> n = 0 fi }
}

/* give_back(): tail, then wake a parked producer.
 * @c lib/spsc_fixed.c own_tail(): return atomic_load_explicit(&r->shm->cons.tail, memory_order_relaxed);
 * @c lib/spsc_fixed.c give_back(): atomic_store_explicit(&r->shm->cons.tail, tail, memory_order_release);
 * @c lib/spsc_fixed.c give_back(): sabq__notify(&r->shm->wait.writable);
 */
inline give_back(newtail) {
    tail = (newtail) & IMASK;
    notify(WRITABLE)
}

/* The copy out of `n` slots from `p` as messages k, k + 1, ... */
inline copy_out() {
    d_step {
        i = 0;
        do
        :: i < n -> assert(data[(p + i) & CMASK] == k + i); i++
        :: else -> break
        od;
        i = 0
    }
}

/* sabq_spsc_recv (and sabq_spsc_recv_wait around it): one message at tail.
 * The short path, in line (a short message, a buffer that holds it, and a
 * cached head that shows one), copies and gives back at once; anything else
 * goes to recv_general(), which takes any result of avail_at() that is not
 * negative as a message. -DLONG_MSG: always recv_general().
 * The short path is sabq__fixed_recv_short() in sabq/spsc.h, run first in
 * the caller and again by the library, as on the send side: it depends only
 * on the consumer's own words (tail, head_cache), so one step models both.
 * @c include/sabq/spsc.h sabq__spsc_recv_inline(): int rc = r->stride != 0 ? sabq__fixed_recv_short(r, buf, cap) : sabq__rec_recv_short(r, buf, cap);
 * @c include/sabq/spsc.h sabq__spsc_recv_inline(): return sabq__likely(rc != SABQ__DECLINE) ? rc : (sabq_spsc_recv)(r, buf, cap);
 * @c lib/spsc.c sabq_spsc_recv(): return sabq__fixed_recv(handle, buf, cap);
 * @c lib/spsc.c sabq_spsc_recv_wait(): while ((rc = sabq_spsc_recv(r, buf, cap)) == -EAGAIN && (rc = sabq__wait_step(ev, &w)) == 0) {
 * @c lib/spsc_fixed.c sabq__fixed_recv(): int rc = sabq__fixed_recv_short(handle, buf, cap);
 * @c lib/spsc_fixed.c sabq__fixed_recv(): if (sabq__likely(rc != SABQ__DECLINE))
 * @c lib/spsc_fixed.c sabq__fixed_recv(): return recv_general(handle, buf, cap);
 * @c include/sabq/spsc.h sabq__fixed_recv_short(): uint32_t tail = atomic_load_explicit(&s->cons.tail, memory_order_relaxed);
 * @c include/sabq/spsc.h sabq__fixed_recv_short(): if (sabq__likely(len <= cap && len <= SABQ__COPY_INLINE &&
 * @c include/sabq/spsc.h sabq__fixed_recv_short(): s->cons.head_cache - tail - 1u < r->cap)) {
 * @c include/sabq/spsc.h sabq__fixed_recv_short(): sabq__copy_short((uint8_t *)buf, sabq__fixed_slot(r, tail), len);
 * @c include/sabq/spsc.h sabq__fixed_recv_short(): atomic_store_explicit(&s->cons.tail, tail + 1, memory_order_release);
 * @c include/sabq/spsc.h sabq__fixed_recv_short(): sabq__notify(&s->wait.writable);
 * @c include/sabq/spsc.h sabq__fixed_recv_short(): return (int)len;
 * @c include/sabq/spsc.h sabq__fixed_recv_short(): return SABQ__DECLINE;
 * @c lib/spsc_fixed.c recv_general(): uint32_t tail = own_tail(r);
 * @c lib/spsc_fixed.c recv_general(): int avail = avail_at(r, tail, 1);
 * @c lib/spsc_fixed.c recv_general(): if (avail < 0)
 * @c lib/spsc_fixed.c recv_general(): sabq__copy(buf, sabq__fixed_slot(r, tail), r->msg_max);
 * @c lib/spsc_fixed.c recv_general(): give_back(r, tail + 1);
 * MUTANT_FAST_RECV_CMP: the short path's test `head_cache - tail <= cap`
 * (the - 1u left out): an empty cache passes.
 */
inline fixed_recv() {
    d_step {
        p = tail;
        rc = 0;
#ifdef LONG_MSG
        fast = false
#elif defined(MUTANT_FAST_RECV_CMP)
        fast = (DIST(head_cache, p) <= CAP)
#else
        fast = (DIST(head_cache, p) != 0 && DIST(head_cache, p) <= CAP) /* head_cache - tail - 1u < cap */
#endif
    };
    if
    :: !fast -> avail_at(1) /* recv_general */
    :: else
    fi;
    if
    :: rc == 0 ->
       n = 1;
#ifdef MUTANT_TAIL_BEFORE_COPY
       tail = (p + 1) & IMASK;
#endif
       copy_out();
       give_back(p + 1)
    :: else
    fi
}

/* sabq_spsc_recv_batch of two: as many as avail_at() gives, with one store
 * of tail; none (avail 0) is -EMSGSIZE in the C, which keeps the message.
 * @c lib/spsc_fixed.c sabq__fixed_recv_batch(): uint32_t tail = own_tail(r), i;
 * @c lib/spsc_fixed.c sabq__fixed_recv_batch(): int avail = avail_at(r, tail, n < r->cap ? n : r->cap);
 * @c lib/spsc_fixed.c sabq__fixed_recv_batch(): uint32_t k = n < (uint32_t)avail ? n : (uint32_t)avail;
 * @c lib/spsc_fixed.c sabq__fixed_recv_batch(): sabq__copy(msgs[i].base, sabq__fixed_slot(r, tail + i), r->msg_max);
 * @c lib/spsc_fixed.c sabq__fixed_recv_batch(): return -EMSGSIZE;
 * @c lib/spsc_fixed.c sabq__fixed_recv_batch(): give_back(r, tail + i);
 */
inline fixed_recv_batch() {
    d_step { p = tail };
    avail_at(BATCH);
    if
    :: rc == 0 ->
       n = (BATCH < n -> BATCH : n);
#ifdef MUTANT_TAIL_BEFORE_COPY
       tail = (p + n) & IMASK;
#endif
       copy_out();
       if
       :: n == 0 -> rc = EMSGSIZE
       :: else -> give_back(p + n)
       fi
    :: else
    fi
}

/* sabq_spsc_peek (and sabq_spsc_peek_wait around it): the message at tail,
 * left in place; the view's next is p + 1.
 * @c lib/spsc.c sabq_spsc_peek(): return sabq__fixed_peek(r, view);
 * @c lib/spsc.c sabq_spsc_peek_wait(): while ((rc = sabq_spsc_peek(r, view)) == -EAGAIN && (rc = sabq__wait_step(ev, &w)) == 0) {
 * @c lib/spsc_fixed.c sabq__fixed_peek(): return sabq__fixed_peek_at(r, own_tail(r), v);
 * @c lib/spsc_fixed.c sabq__fixed_peek_at(): int avail = avail_at(r, pos, 1);
 * @c lib/spsc_fixed.c sabq__fixed_peek_at(): return avail;
 * @c lib/spsc_fixed.c sabq__fixed_peek_at(): v->data = sabq__fixed_slot(r, pos);
 * @c lib/spsc_fixed.c sabq__fixed_peek_at(): v->next = pos + 1;
 */
inline fixed_peek() {
    d_step { t = tail; p = t };
    avail_at(1)
}

/* After a peek: read the view; maybe peek_next (avail_at at the view's
 * next, tail not yet moved) and read that one too; then one release, which
 * gives back up to the last view's next.
 * @c lib/spsc.c sabq_spsc_peek_next(): int rc = r->stride ? sabq__fixed_peek_at(r, view->next, &v)
 * @c lib/spsc.c sabq_spsc_release(): sabq__fixed_release(r, view);
 * @c lib/spsc_fixed.c sabq__fixed_release(): give_back(r, v->next);
 */
inline read_views() {
    n = 1;
    copy_out(); /* the view at tail */
    if
    :: true
    :: d_step { p = (t + 1) & IMASK }; /* peek_next */
       avail_at(1);
       if
       :: rc == 0 ->
          assert(data[p & CMASK] == k + 1);
          n = 2
       :: else ->
          d_step { n = 1; rc = 0 } /* nothing more: release the first */
       fi
    fi;
    give_back(t + n)
}

proctype Consumer() {
    byte key, rc, h, t, p, n, i, op;
    bool refresh, fast;
    byte k = 1; /* the message expected next */
    do
    :: if
       :: op = 0 /* recv_wait */
       :: op = 1 /* recv_batch; none there: recv_wait */
       :: op = 2 /* peek_wait, maybe peek_next, release */
       fi;
       if
       :: op == 1 ->
          fixed_recv_batch();
          if
          :: rc == EAGAIN -> op = 0
          :: else
          fi
       :: else
       fi;
       if
       :: op == 0 -> WAIT_LOOP(READABLE, fixed_recv)
       :: op == 2 ->
          WAIT_LOOP(READABLE, fixed_peek);
          if
          :: rc == 0 -> read_views()
          :: else
          fi
       :: else
       fi;
       if
       :: rc == EPIPE -> break
       :: else ->
          assert(rc == 0 && n >= 1 && k + n <= M + 1); /* no message after the last */
          d_step { k = k + n; key = 0; h = 0; t = 0; p = 0; n = 0; op = 0; fast = false }
       fi
    od;
    assert(k == M + 1) /* the end came after every message */
}

init {
    assert(START + M > IMASK); /* the indices wrap mid-stream */
    atomic {
        run Producer();
        run Consumer()
    }
}
