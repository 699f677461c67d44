/* tests/model/spsc.pml — the SPSC message ring (lib/spsc.c, layout version 2):
 * length-prefixed records with seals, padding where a record would straddle
 * the end, and a consumer that takes a record by its seal without reading
 * head, under the wait protocol of event.pml. A producer sends M messages
 * (each 0 or 8 bytes, by sabq_spsc_send_wait) and closes; a consumer
 * receives with sabq_spsc_recv_wait until -EPIPE. Properties:
 *   - no message lost, duplicated, reordered or torn: the consumer gets
 *     messages 1..M in order with the payload each was sent with;
 *   - the end (-EPIPE) only after message M;
 *   - old payload bytes never pass for a record: each payload word's seal
 *     half holds whatever the message's bytes say, including the very seal
 *     a consumer will look for at that spot this lap or the next;
 *   - no lost wake-up, and close ends the waiter (invalid end states);
 *   - bounded wrap: positions are W-bit (capacity 2^(W-2), as 2^30 is to
 *     2^32), start a lap below the wrap, and seals name positions; the
 *     -EPROTO branches never fire against an honest producer. -DLONG_RUN
 *     (8-byte messages only, the worst payload) sends enough to carry the
 *     positions all the way round, past where a stale cached head would
 *     pass for valid again.
 *
 * Units of 8 bytes: CAP = 4 units (a 32-byte ring, msg_max 8), a record is a
 * header unit (len, seal) and 0 or 1 payload unit, padding is a header unit.
 * Steps: one per access to a word the other side reads or writes; own
 * indices and private caches fold into neighbouring steps.
 *
 * check.sh: short spsc.pml -                                                   pass
 * check.sh: full  spsc.pml -DM=4                                               pass
 * check.sh: short spsc.pml -DMUTANT_SEAL_BEFORE_PAYLOAD                        assert:(w0[((t+1)&3)]==k)
 * check.sh: short spsc.pml -DMUTANT_NO_UNSEAL_NEXT                             assert:(rlen<=1)
 * check.sh: short spsc.pml -DMUTANT_UNSEAL_LATE                                assert:(w0[((t+1)&3)]==k)
 * check.sh: short spsc.pml -DMUTANT_TAIL_BEFORE_READ                           assert:(w0[((t+1)&3)]==k)
 * check.sh: short spsc.pml -DMUTANT_EOF_HEAD_FIRST                             assert:(k==(3+1))
 * check.sh: short spsc.pml -DMUTANT_NO_WRAP                                    assert: !(viahead)
 * check.sh: full  spsc.pml -DMUTANT_NO_RECHECK                                 deadlock
 * check.sh: full  spsc.pml -DMUTANT_CLOSE_NO_WAKE                              deadlock
 * check.sh: short spsc.pml -DM=7,-DLONG_RUN                                    pass
 * check.sh: full  spsc.pml -DM=10,-DLONG_RUN                                   pass
 * check.sh: short spsc.pml -DM=7,-DLONG_RUN,-DMUTANT_STALE_HEAD_CACHE          assert:(w0[((t+1)&3)]==k)
 *
 * Mutants:
 *   MUTANT_SEAL_BEFORE_PAYLOAD  R6 weakened: the seal visible before the payload
 *   MUTANT_NO_UNSEAL_NEXT       the spot after a record is never cleared
 *   MUTANT_UNSEAL_LATE          the seal cleared late: after the record's own seal
 *   MUTANT_TAIL_BEFORE_READ     R1c weakened: tail given back before the copy out
 *   MUTANT_EOF_HEAD_FIRST       at close, head read before the flag, not after
 *   MUTANT_NO_WRAP              distances not taken modulo 2^W
 *   MUTANT_STALE_HEAD_CACHE     the code before the fix: the consumer's cached
 *                               head, never refreshed on the seal path, passes
 *                               for valid again a wrap later (make soak found
 *                               it after 2^32 bytes; -DM=6 wraps 4-bit positions)
 *   MUTANT_NO_RECHECK           (event.pml) no try after announcing
 *   MUTANT_CLOSE_NO_WAKE        (event.pml) close wakes nobody
 * A phantom record (NO_UNSEAL_NEXT) shows as the length check failing: the
 * old payload word's first half is a message number, too long for a length.
 */

#ifndef M
#define M 3          /* messages */
#endif
#define NPROC 4
#define W 4
#define IMASK 15     /* 2^W - 1 */
#define CAP 4        /* units of 8 bytes */
#define CMASK 3
#define START 12     /* head = tail = a lap below the wrap; init cleared the spot at 0 */
#define PAD 255      /* SABQ_REC_PAD */
#define SEAL(pos) ((((pos) & IMASK)) + 1)   /* never 0 */

#include "event.pml"

#ifdef MUTANT_NO_WRAP
#define DIST(a, b) ((a) - (b))
#else
#define DIST(a, b) (((a) - (b)) & IMASK)
#endif

byte head = START, tail_cache = START;  /* producer line */
byte tail = START, head_cache = START;  /* consumer line */
byte w0[CAP];   /* per unit: a header's rlen, or a payload word's first half */
byte w1[CAP];   /* per unit: a header's seal, or a payload word's second half */

/* ---- producer ------------------------------------------------------------- */

/* own_head + reserve_at: room for a record of `need` units at head.
 * @c lib/spsc.c: if (sabq__unlikely(atomic_load_explicit(&s->hdr.closed, memory_order_relaxed)))
 * @c lib/spsc.c: uint32_t skip = need > r->cap - off ? r->cap - off : 0;
 * @c lib/spsc.c: if (sabq__unlikely(head - tail > r->cap || r->cap - (head - tail) < total)) {
 * @c lib/spsc.c: tail = atomic_load_explicit(&s->cons.tail, memory_order_acquire);
 * @c lib/spsc.c: pad->len = SABQ_REC_PAD;
 * @c lib/spsc.c: atomic_store_explicit(&pad->seal, 0, memory_order_relaxed);
 */
inline reserve() {
    d_step {
        if
        :: closed -> rc = EPIPE
        :: else ->
           rc = 0;
           h = head;
           padn = (need > CAP - (h & CMASK) -> CAP - (h & CMASK) : 0);
           t = tail_cache;
           refresh = (DIST(h, t) > CAP || CAP - DIST(h, t) < padn + need)
        fi
    };
    if
    :: rc == 0 && refresh ->
       d_step {
           t = tail;
           assert(DIST(h, t) <= CAP); /* else -EPROTO */
           tail_cache = t;
           refresh = false;
           rc = (CAP - DIST(h, t) < padn + need -> EAGAIN : 0)
       }
    :: else
    fi;
    if
    :: rc == 0 && padn > 0 -> w0[h & CMASK] = PAD; w1[h & CMASK] = 0
    :: else
    fi
}

/* unseal_next: clear the seal where the next record will start, if that
 * spot is free (else it holds the oldest unread header, a lap old).
 * @c lib/spsc.c: if (sabq__unlikely(next - tail >= r->cap)) {
 * @c lib/spsc.c: if (next - tail >= r->cap)
 * @c lib/spsc.c: atomic_store_explicit(&at->seal, 0, memory_order_relaxed);
 */
inline unseal_next() {
    d_step {
        t = tail_cache;
        refresh = (DIST(next, t) >= CAP)
    };
    if
    :: refresh ->
       d_step { t = tail; refresh = false; clear = (DIST(next, t) < CAP); if :: clear -> tail_cache = t :: else fi }
    :: else -> clear = true
    fi;
    if
    :: clear -> w1[next & CMASK] = 0
    :: else
    fi
}

/* Write the payload (its second half: any of the values that could fool a
 * consumer, chosen by SPIN), len, clear the next spot, seal, seal the padding,
 * publish head, notify.
 * @c lib/spsc.c: sabq__copy(resv.data, buf, len);
 * @c lib/spsc.c: rec->len = len;
 * @c lib/spsc.c: unseal_next(r, next);
 * @c lib/spsc.c: atomic_store_explicit(&rec->seal, SABQ_SEAL(pos), memory_order_release);
 * @c lib/spsc.c: atomic_store_explicit(&pad->seal, SABQ_SEAL(resv->head), memory_order_release);
 * @c lib/spsc.c: atomic_store_explicit(&r->shm->prod.head, head, memory_order_release);
 * @c lib/spsc.c: sabq__notify(&r->shm->wait.readable);
 */
inline spsc_send() {
    reserve();
    if
    :: rc == 0 ->
       d_step { pos = h + padn; next = pos + need }
#ifdef MUTANT_SEAL_BEFORE_PAYLOAD
       ;
       w0[pos & CMASK] = need - 1; /* rlen: 0 or 8 bytes */
       w1[pos & CMASK] = SEAL(pos)
#endif
       ;
       if
       :: need == 2 ->
          w0[(pos + 1) & CMASK] = k; /* the message's bytes */
#ifdef LONG_RUN
          w1[(pos + 1) & CMASK] = SEAL(pos + 1 + CAP)     /* the worst of the choices below */
#else
          if
          :: w1[(pos + 1) & CMASK] = 0
          :: w1[(pos + 1) & CMASK] = SEAL(pos + 1)        /* the seal a record there needs this lap */
          :: w1[(pos + 1) & CMASK] = SEAL(pos + 1 + CAP)  /* ... or the next */
          fi
#endif
       :: else
       fi;
#ifndef MUTANT_SEAL_BEFORE_PAYLOAD
       w0[pos & CMASK] = need - 1; /* rlen: 0 or 8 bytes */
#endif
#if !defined(MUTANT_NO_UNSEAL_NEXT) && !defined(MUTANT_UNSEAL_LATE)
       unseal_next();
#endif
#ifndef MUTANT_SEAL_BEFORE_PAYLOAD
       w1[pos & CMASK] = SEAL(pos);
#endif
#ifdef MUTANT_UNSEAL_LATE
       unseal_next();
#endif
       if
       :: padn > 0 -> w1[h & CMASK] = SEAL(h)
       :: else
       fi;
       head = next & IMASK;
       notify(READABLE)
    :: else
    fi
}

proctype Producer() {
    byte key, rc, h, t, padn, need, pos, next;
    bool refresh, clear;
    byte k;
    for (k : 1 .. M) {
#ifdef LONG_RUN
        need = 2; /* -DLONG_RUN: 8-byte messages only, enough of them to wrap */
#else
        if :: need = 1 :: need = 2 fi; /* a 0- or 8-byte message */
#endif
        WAIT_LOOP(WRITABLE, spsc_send);
        assert(rc == 0);
        d_step { key = 0; h = 0; t = 0; padn = 0; pos = 0; next = 0; clear = false }
    }
    region_close()
}

/* ---- consumer ------------------------------------------------------------- */

/* peek_sealed(): the record at `t` by its seal, without head.
 * @c lib/spsc.c: if (atomic_load_explicit(&rec->seal, memory_order_acquire) != SABQ_SEAL(tail))
 * @c lib/spsc.c: uint32_t len = sabq__read_once(&rec->len);
 * @c lib/spsc.c: if (len == SABQ_REC_PAD) {
 * @c lib/spsc.c: tail += r->cap - off;
 * Then peek_at()'s closed path and head path:
 * @c lib/spsc.c: if (head - tail - 1u >= r->cap) {
 * @c lib/spsc.c: if (!sabq__region_is_closed(s))
 * @c lib/spsc.c: head = atomic_load_explicit(&s->prod.head, memory_order_acquire);
 * @c lib/spsc.c: if (head == tail)
 * @c lib/spsc.c: if (len == SABQ_REC_PAD) {
 * @c lib/spsc.c: if (off == 0 || skip >= avail)
 */
inline peek() {
    d_step { t = tail; h = head_cache; found = false; viahead = false; rc = 0 };
    if
    :: DIST(h, t + 1) >= CAP -> /* head - tail - 1 >= cap: nothing known to be there */
       /* by the seal */
       if
       :: w1[t & CMASK] == SEAL(t) ->
          d_step {
              off = t & CMASK;
              assert(w0[t & CMASK] != PAD || off != 0); /* else -EPROTO */
              if
              :: w0[t & CMASK] == PAD -> t = t + CAP - off; rc = 2 /* to the record at 0 */
              :: else -> found = true
              fi
          };
          if
          :: rc == 2 ->
             if
             :: w1[t & CMASK] == SEAL(t) -> found = true
             :: else -> t = tail /* not sealed yet: -EAGAIN */
             fi;
             rc = 0
          :: else
          fi
       :: else
       fi;
       if
       :: !found ->
#ifdef MUTANT_EOF_HEAD_FIRST
          h = head;
          if
          :: !closed -> rc = EAGAIN
          :: else ->
#else
          if
          :: !closed -> rc = EAGAIN
          :: else ->
             h = head;
#endif
             if
             :: h == t -> rc = EPIPE
             :: else ->
                assert(DIST(h, t + 1) < CAP); /* else -EPROTO */
                head_cache = h;
                rc = 3 /* the head path below */
             fi
          fi
       :: else
       fi
    :: else -> rc = 3
    fi;
    if
    :: rc == 3 -> /* the head path: records before head are sealed and written */
       d_step {
           off = t & CMASK;
           if
           :: w0[t & CMASK] == PAD ->
              assert(off != 0 && CAP - off < DIST(h, t)); /* else -EPROTO */
              t = t + CAP - off
           :: else
           fi;
           found = true;
           viahead = true;
           rc = 0
       }
    :: else
    fi
}

/* recv: check the record, copy the payload out, give the room back.
 * @c lib/spsc.c: if (len > r->msg_max || rec_size(len) > r->cap - off)
 * @c lib/spsc.c: sabq__copy(buf, v.data, v.len);
 * @c lib/spsc.c: atomic_store_explicit(&s->cons.tail, tail, memory_order_release);
 * @c lib/spsc.c: sabq__notify(&s->wait.writable);
 */
inline spsc_recv() {
    peek();
    if
    :: found ->
       d_step {
           rlen = w0[t & CMASK];
           assert(rlen <= 1 && (rlen == 0 || (t & CMASK) < CAP - 1)); /* else -EPROTO */
           assert(!viahead || 1 + rlen <= DIST(h, t)); /* else -EPROTO */
           next = t + 1 + rlen
       };
       /* give_back: a cached head 2^(W-1) or more behind (as 2^31 of 2^32)
        * moves up to tail, so it never passes for valid a wrap later.
        * @c lib/spsc.c: if (sabq__unlikely(behind - 0x80000000u < 0x80000000u - r->cap))
        */
#ifndef MUTANT_STALE_HEAD_CACHE
       d_step {
           if
           :: DIST(next, head_cache) >= (IMASK + 1) / 2 && DIST(next, head_cache) < IMASK + 1 - CAP ->
              head_cache = next & IMASK
           :: else
           fi
       };
#endif
#ifdef MUTANT_TAIL_BEFORE_READ
       tail = next & IMASK;
#endif
       if
       :: rlen == 1 -> assert(w0[(t + 1) & CMASK] == k) /* the payload sent with message k */
       :: else
       fi;
       tail = next & IMASK;
       notify(WRITABLE);
       rc = 0
    :: else
    fi
}

proctype Consumer() {
    byte key, rc, h, t, off, rlen, next;
    bool found, viahead;
    byte k = 1; /* the message expected next */
next_message:
    WAIT_LOOP(READABLE, spsc_recv);
    if
    :: rc == EPIPE -> goto consumer_end
    :: else ->
       assert(rc == 0 && k <= M); /* no message after the last */
       d_step { k++; key = 0; h = 0; t = 0; off = 0; rlen = 0; next = 0; found = false; viahead = false }
    fi;
    goto next_message;
consumer_end:
    assert(k == M + 1) /* the end came after every message */
}

init {
    atomic {
        run Producer();
        run Consumer()
    }
}
