/* tests/model/mpmc.pml — the MPMC queue (lib/mpmc.c): tickets claimed with a
 * CAS on head or tail, a turn number per slot, under the wait protocol of
 * event.pml. NPROD producers push M messages each with sabq_mpmc_push_wait
 * (stopping at -EPIPE), NCONS consumers pop with sabq_mpmc_pop_wait until
 * -EPIPE; the last producer out closes the queue, or with -DRACE_CLOSE a
 * closer closes it at any moment. Properties:
 *   - no message duplicated: each is received at most once;
 *   - no message lost: every push that returned 0 before the close began
 *     is received before the consumers see -EPIPE, none that failed is, and
 *     a push that starts after close returned fails with -EPIPE. A push
 *     that overlaps the close may return 0 and still not be received (a
 *     producer that read `closed` before the close claims its ticket after
 *     every consumer has seen head == tail and left): the documented limit
 *     "a push racing with close may still land" (include/sabq/mpmc.h),
 *     which this model shows is real;
 *   - per-producer order: a consumer sees each producer's messages in the
 *     order they were pushed;
 *   - the payload a consumer copies is the one pushed with that ticket;
 *   - no lost wake-up, and close ends every waiter (invalid end states);
 *   - bounded wrap: tickets and turns are W-bit (cap <= 2^(W-2), as 2^30
 *     is to 2^32 in the C), start just below the wrap, and their signed
 *     distance decides full/empty/stale; the -EPROTO branches never fire.
 * Single-message forms only (push_bulk/pop_bulk claim k tickets with the
 * same CAS and are not modelled).
 *
 * Steps: one per access to a shared word (a CAS is one step); a process's
 * own locals fold into the neighbouring step.
 *
 * Mutants (check.sh: each must be refuted with a trail):
 *   MUTANT_TURN_BEFORE_PAYLOAD  R3 weakened: the turn is published before the payload
 *   MUTANT_RETURN_BEFORE_COPY   R4 weakened: the slot is handed back before the copy out
 *   MUTANT_PLAIN_CLAIM          a consumer claims with a load and a store, not a CAS
 *   MUTANT_EPIPE_WHEN_CLOSED    closed and empty slot = the end, even with tickets in flight
 *   MUTANT_STALE_TAIL_EPROTO    no second look at tail before calling a far head corrupt
 *   MUTANT_NO_WRAP              turn - ticket compared unsigned (no signed wrap distance)
 *   MUTANT_NO_RECHECK           (event.pml) no try after announcing
 */

/* Size of a run: check.sh picks several; each is exhaustive. */
#ifndef NPROD
#define NPROD 2                  /* producers */
#endif
#ifndef NCONS
#define NCONS 2                  /* consumers */
#endif
#ifndef M
#define M 1                      /* messages per producer */
#endif
#define NPROC 7                  /* init, producers, consumers, a closer: at most 6 */
#define W 3
#define IMASK 7                  /* 2^W - 1 */
#define CAP 2                    /* slots */
#define CMASK 1
#define NMSG (NPROD * M)
#define START (IMASK + 1 - NMSG / 2) /* initial head and tail: tickets wrap mid-run */
#define ID(p, s) ((p) * M + (s) + 1) /* message id, 1..NMSG; 0: none */

#include "event.pml"

/* -DPOLL: the non-blocking calls, re-tried while they say -EAGAIN (as
 * tests/stress/stress_mpmc.c's lagging consumers spin); else the blocking
 * forms. */
#ifdef POLL
#define CALL(e, TRY) do :: TRY(); if :: rc != EAGAIN -> break :: else fi od
#else
#define CALL(e, TRY) WAIT_LOOP(e, TRY)
#endif

#define DIST(a, b) (((a) - (b)) & IMASK)
#ifdef MUTANT_NO_WRAP
#define SDIFF(a, b) DIST(a, b)
#else
/* (int32_t)(a - b) with W bits */
#define SDIFF(a, b) (DIST(a, b) > IMASK / 2 -> DIST(a, b) - IMASK - 1 : DIST(a, b))
#endif

byte head = START;  /* sabq_prod_line.head: producers CAS it */
byte tail = START;  /* sabq_cons_line.tail: consumers CAS it */
byte turn[CAP];     /* sabq_slot.turn; init: slot (START + i) & CMASK gets START + i */
byte val[CAP];      /* payload: a message id */

/* Ghosts (not in the C): when the close ran, and what each push returned. */
bool closing, close_done;
byte pushed[NMSG + 1];   /* 0: failed or not tried; 1: returned 0 before the close began; 2: returned 0 during it */
byte received[NMSG + 1]; /* times a consumer got it */
byte producers_left = NPROD;

/* claim_push(n = 1) and push_n. After a successful CAS the slot is the
 * producer's alone until it publishes the turn, so the payload store folds
 * into the CAS step (MUTANT_TURN_BEFORE_PAYLOAD unfolds it to reorder it).
 * @c lib/mpmc.c push_n(): if (closed_for_push(q))
 * @c lib/mpmc.c claim_push(): uint32_t pos = atomic_load_explicit(&s->prod.head, memory_order_relaxed);
 * @c lib/mpmc.c claim_push(): uint32_t turn = atomic_load_explicit(&slot_at(q, pos + k)->turn, memory_order_acquire);
 * @c lib/mpmc.c claim_push(): diff = (int32_t)(turn - (pos + k));
 * @c lib/mpmc.c claim_push(): if (atomic_compare_exchange_weak_explicit(&s->prod.head, &pos, pos + k,
 * @c lib/mpmc.c claim_push(): } else if (diff < 0) {
 * @c lib/mpmc.c claim_push(): uint32_t now = atomic_load_explicit(&s->prod.head, memory_order_relaxed);
 * @c lib/mpmc.c push_n(): sabq__copy(slot + 1, msgs[i].base, msgs[i].len);
 * @c lib/mpmc.c push_n(): atomic_store_explicit(&slot->turn, first + i + 1, memory_order_release);
 * @c lib/mpmc.c push_n(): sabq__notify(&q->shm->wait.readable);
 */
inline mpmc_push() {
    d_step { rc = (closed -> EPIPE : EAGAIN) };
    if
    :: rc == EAGAIN ->
       d_step { pos = head; rc = 0 };
       do
       :: d_step {
              diff = SDIFF(turn[pos & CMASK], pos);
              if
              :: diff < 0 -> rc = EAGAIN /* full */
              :: else
              fi
          };
          if
          :: rc == EAGAIN -> break
          :: else
          fi;
          d_step {
              if
              :: diff == 0 -> /* the CAS */
                 if
                 :: head == pos ->
                    head = (pos + 1) & IMASK;
#ifndef MUTANT_TURN_BEFORE_PAYLOAD
                    val[pos & CMASK] = ID(me, s);
#endif
                    rc = 1 /* claimed */
                 :: else -> pos = head
                 fi
              :: else ->
                 assert(head != pos); /* else -EPROTO */
                 pos = head
              fi;
              diff = 0
          };
          if
          :: rc == 1 -> rc = 0; break
          :: else
          fi
       od;
       if
       :: rc == 0 ->
          turn[pos & CMASK] = (pos + 1) & IMASK;
#ifdef MUTANT_TURN_BEFORE_PAYLOAD
          val[pos & CMASK] = ID(me, s);
#endif
          notify(READABLE)
       :: else
       fi
    :: else
    fi
}

proctype Producer(byte me) {
    byte key, rc, pos, s;
    short diff;
    bool late, last;
    for (s : 0 .. M - 1) {
        late = close_done;
        CALL(WRITABLE, mpmc_push);
        if
        :: rc == 0 ->
           assert(!late); /* a push that starts after close returned never lands */
           pushed[ID(me, s)] = (closing -> 2 : 1)
        :: else -> assert(rc == EPIPE); break
        fi;
        d_step { key = 0; pos = 0 }
    }
#ifndef RACE_CLOSE
    /* The last producer out closes, as tests/stress/stress_mpmc.c does. */
    skip; /* (a break may not jump into a d_step) */
    d_step { producers_left--; last = (producers_left == 0) };
    if
    :: last -> closing = true; region_close(); close_done = true
    :: else
    fi
#endif
}

/* empty_or_closed(): slot pos held no message and tail was still pos.
 * @c lib/mpmc.c empty_or_closed(): if (!sabq__region_is_closed(s))
 * @c lib/mpmc.c empty_or_closed(): uint32_t head = atomic_load_explicit(&s->prod.head, memory_order_acquire);
 * @c lib/mpmc.c empty_or_closed(): if (head == pos)
 * @c lib/mpmc.c empty_or_closed(): if (head - pos <= q->cap)
 * @c lib/mpmc.c empty_or_closed(): if (atomic_load_explicit(&s->cons.tail, memory_order_relaxed) != pos)
 */
inline empty_or_closed() {
    d_step { rc = (closed -> 0 : EAGAIN) };
    if
    :: rc == 0 ->
       d_step {
#ifdef MUTANT_EPIPE_WHEN_CLOSED
           rc = EPIPE
#else
           if
           :: head == pos -> rc = EPIPE
           :: head != pos && DIST(head, pos) <= CAP -> rc = EAGAIN /* a producer still fills its slot */
           :: else -> rc = EPROTO /* unless tail moved: */
           fi
#endif
       };
#ifndef MUTANT_STALE_TAIL_EPROTO
       if
       :: rc == EPROTO -> d_step { rc = (tail != pos -> EAGAIN : EPROTO) }
       :: else
       fi
#else
       skip
#endif
    :: else
    fi
}

/* claim_pop(n = 1) and pop_n. After a successful CAS the slot is the
 * consumer's alone until it hands it back, so the copy out folds into the
 * CAS step (MUTANT_RETURN_BEFORE_COPY unfolds it to reorder it).
 * @c lib/mpmc.c claim_pop(): uint32_t pos = atomic_load_explicit(&s->cons.tail, memory_order_relaxed);
 * @c lib/mpmc.c claim_pop(): uint32_t turn = atomic_load_explicit(&slot->turn, memory_order_acquire);
 * @c lib/mpmc.c claim_pop(): diff = (int32_t)(turn - (pos + k + 1));
 * @c lib/mpmc.c claim_pop(): if (atomic_compare_exchange_weak_explicit(&s->cons.tail, &pos, pos + k,
 * @c lib/mpmc.c claim_pop(): uint32_t now = atomic_load_explicit(&s->cons.tail, memory_order_relaxed);
 * @c lib/mpmc.c claim_pop(): return empty_or_closed(q, pos);
 * @c lib/mpmc.c pop_n(): sabq__copy(msgs[i].base, slot + 1, len);
 * @c lib/mpmc.c pop_n(): atomic_store_explicit(&slot->turn, first + i + q->cap, memory_order_release);
 * @c lib/mpmc.c pop_n(): sabq__notify(&q->shm->wait.writable);
 */
inline mpmc_pop() {
    d_step { pos = tail; rc = 0 };
    do
    :: d_step { diff = SDIFF(turn[pos & CMASK], pos + 1) };
#ifdef MUTANT_PLAIN_CLAIM
       if
       :: diff == 0 && tail == pos -> tail = (pos + 1) & IMASK; got = val[pos & CMASK]; rc = 1
       :: else ->
#endif
       d_step {
           if
           :: diff == 0 -> /* the CAS */
              if
              :: tail == pos ->
                 tail = (pos + 1) & IMASK;
#ifndef MUTANT_RETURN_BEFORE_COPY
                 got = val[pos & CMASK];
#endif
                 rc = 1 /* claimed */
              :: else -> pos = tail
              fi
           :: diff < 0 ->
              if
              :: tail == pos -> rc = 2 /* empty when we looked */
              :: else -> pos = tail
              fi
           :: else ->
              assert(tail != pos); /* else -EPROTO */
              pos = tail
           fi;
           diff = 0
       }
#ifdef MUTANT_PLAIN_CLAIM
       fi
#endif
       ;
       if
       :: rc != 0 -> break
       :: else
       fi
    od;
    if
    :: rc == 2 -> empty_or_closed()
    :: rc == 1 ->
       rc = 0;
#ifdef MUTANT_RETURN_BEFORE_COPY
       turn[pos & CMASK] = (pos + CAP) & IMASK;
       got = val[pos & CMASK];
#else
       turn[pos & CMASK] = (pos + CAP) & IMASK;
#endif
       notify(WRITABLE)
    fi;
    assert(rc != EPROTO)
}

proctype Consumer() {
    byte key, rc, pos, got, p;
    short diff;
    byte next[NPROD]; /* per producer: the next sequence number this consumer may see */
next_message:
    CALL(READABLE, mpmc_pop);
    if
    :: rc == EPIPE -> goto consumer_end
    :: else ->
          d_step {
              assert(rc == 0 && got >= 1 && got <= NMSG); /* a message, not an empty slot */
              received[got]++;
              assert(received[got] == 1);                 /* not duplicated */
              p = (got - 1) / M;
              assert((got - 1) % M >= next[p]);           /* per-producer order */
              next[p] = (got - 1) % M + 1;
              got = 0; p = 0; key = 0; pos = 0
          }
    fi;
    goto next_message;
consumer_end:
    skip
}

proctype Closer() {
    closing = true;
    region_close();
    close_done = true
}

init {
    byte i;
    d_step {
        for (i : 0 .. CAP - 1) { turn[(START + i) & CMASK] = (START + i) & IMASK }
        i = 0
    };
    atomic {
        for (i : 0 .. NPROD - 1) { run Producer(i) }
        for (i : 1 .. NCONS) { run Consumer() }
#ifdef RACE_CLOSE
        run Closer();
#endif
        i = 0
    };
    _nr_pr == 1;
    for (i : 1 .. NMSG) {
        assert(pushed[i] == 2 || received[i] == pushed[i]) /* every accepted message, only those */
    }
}
