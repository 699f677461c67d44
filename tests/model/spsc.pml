/* tests/model/spsc.pml — the SPSC message ring (lib/spsc.c, layout version 3):
 * sealed, length-prefixed records, padding where a record would straddle the
 * end, run records that carry a batch of equal-length messages behind one
 * header, and a consumer that takes records by their seals without reading
 * head and keeps the run it is inside (run_end, run_len) on its own line,
 * under the wait protocol of event.pml. A producer sends M messages (each 0
 * or 8 bytes by sabq_spsc_send_wait, or two 8-byte ones by
 * sabq_spsc_send_batch) and closes; a consumer receives with
 * sabq_spsc_recv_wait until -EPIPE. Properties:
 *   - no message lost, duplicated, reordered or torn: the consumer gets
 *     messages 1..M in order, each with the length and payload it was sent
 *     with, whether it came as a record or inside a run;
 *   - the end (-EPIPE) only after message M;
 *   - old payload bytes never pass for a record: each payload word's seal
 *     half holds whatever the message's bytes say, including the very seal
 *     a consumer will look for at that spot this lap or the next;
 *   - no lost wake-up, and close ends the waiter (invalid end states);
 *   - bounded wrap: positions are W-bit (capacity 2^(W-2), as 2^30 is to
 *     2^32), start a lap below the wrap, and seals name positions; the
 *     -EPROTO branches never fire against an honest producer. -DLONG_RUN
 *     (one run read a message at a time, then 8-byte records with the worst
 *     payload) carries the positions all the way round past the run's end,
 *     where a run_end left stale would pass for a run again if run_len did
 *     not say that the consumer is outside one.
 *
 * Units of 8 bytes: CAP = 4 units (a 32-byte ring, msg_max 8), a record is a header unit
 * (len, seal) and 0 or 1 payload unit, padding is a header unit, a run is a
 * header unit, a unit of fields (elem_len, count) and one unit per 8-byte
 * message. Steps: one per access to a word the other side reads or writes;
 * own indices and private words fold into neighbouring steps.
 *
 * What is left out: a batch that cannot start a run sends its first message
 * as a plain record and the rest as later sends (the C call goes on with
 * plain records and stores head once for all); runs are of two messages,
 * where the code makes them of three or more (RUN_MIN): two are what fits a
 * 4-unit ring, and the consumer's side (run_end, run_len, the checks) does
 * not depend on the count; so a run here fills the ring and goes only where
 * the ring is empty and head at offset 0, and a batch falls back to a plain
 * record everywhere else. recv_batch and peek_next walk runs with the same
 * checks as recv, and are not modelled separately.
 *
 * check.sh: short spsc.pml -                                                            pass
 * check.sh: full  spsc.pml -DM=4                                                        pass
 * check.sh: short spsc.pml -DMUTANT_SEAL_BEFORE_PAYLOAD                                 assert:(w0[(d&3)]==k)
 * check.sh: short spsc.pml -DMUTANT_NO_UNSEAL_NEXT                                      assert:((rlen<=1)&&((1+rlen)<=(4-off)))
 * check.sh: short spsc.pml -DMUTANT_UNSEAL_LATE                                         assert:((k<=3)&&(rlen==sent_len[k]))
 * check.sh: short spsc.pml -DMUTANT_TAIL_BEFORE_READ                                    assert:(w0[(d&3)]==k)
 * check.sh: short spsc.pml -DMUTANT_EOF_HEAD_FIRST                                      assert:(k==(3+1))
 * check.sh: short spsc.pml -DMUTANT_NO_WRAP                                             assert:found
 * check.sh: short spsc.pml -DMUTANT_RUN_NOT_KEPT                                        assert:found
 * check.sh: full  spsc.pml -DM=4,-DMUTANT_RUN_SEAL_LEFT                                 assert:((rlen<=1)&&((1+rlen)<=(4-off)))
 * check.sh: short spsc.pml -DMUTANT_NO_RECHECK                                          deadlock
 * check.sh: short spsc.pml -DMUTANT_CLOSE_NO_WAKE                                       deadlock
 * check.sh: short spsc.pml -DM=9,-DLONG_RUN                                             pass
 * check.sh: full  spsc.pml -DM=12,-DLONG_RUN                                            pass
 * check.sh: short spsc.pml -DM=9,-DLONG_RUN,-DMUTANT_RUN_BY_DISTANCE                     assert:((k<=9)&&(rlen==sent_len[k]))
 *
 * Mutants:
 *   MUTANT_SEAL_BEFORE_PAYLOAD  R6 weakened: the seal visible before the payload
 *   MUTANT_NO_UNSEAL_NEXT       the spot after a record is never cleared
 *   MUTANT_UNSEAL_LATE          the seal cleared late: after the record's own seal
 *   MUTANT_TAIL_BEFORE_READ     R1c weakened: tail given back before the copy out
 *   MUTANT_EOF_HEAD_FIRST       at close, head read before the flag, not after
 *   MUTANT_NO_WRAP              distances not taken modulo 2^W
 *   MUTANT_RUN_NOT_KEPT         give_back inside a run does not keep run_end
 *   MUTANT_RUN_SEAL_LEFT        the code before the fix: a message's seal word
 *                               where the tail rested inside a run is left as
 *                               it was, and a producer that filled the ring to
 *                               exactly there does not clear it either; its
 *                               bytes may spell the seal of the next lap (this
 *                               model found it; spsc/a_message_inside_a_run_*)
 *   MUTANT_RUN_BY_DISTANCE      the code before the fix: "inside a run" judged
 *                               by run_end - tail < CAP and run_len never
 *                               cleared, so run_end, left where the last run
 *                               ended, passes for a run again a wrap later
 *                               (layout 2's cached head did the same; make
 *                               soak found it after 2^32 bytes)
 *   MUTANT_NO_RECHECK           (event.pml) no try after announcing
 *   MUTANT_CLOSE_NO_WAKE        (event.pml) close wakes nobody
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
#define RUN 254      /* SABQ_REC_RUN */
#define RUN_MIN 2    /* the code's is 3: see "What is left out" */
#define RUN_SIZE 4   /* header, fields, two messages */
#define SEAL(pos) ((((pos) & IMASK)) + 1)   /* never 0 */

#include "event.pml"

/* Inside a run the consumer entered: run_len says so (the code before the
 * fix judged it by how far run_end is ahead, which a stale run_end passes
 * a wrap later). */
#ifdef MUTANT_RUN_BY_DISTANCE
#define IN_RUN (DIST(run_end, t + 1) < CAP)
#else
#define IN_RUN (run_len != 0)
#endif

#ifdef MUTANT_NO_WRAP
#define DIST(a, b) ((a) - (b))
#else
#define DIST(a, b) (((a) - (b)) & IMASK)
#endif

byte head = START, tail_cache = START;                /* producer line */
byte tail = START, run_end = START, run_len = 0;      /* consumer line: "no run" */
byte w0[CAP];   /* per unit: a header's len, a run's elem_len, or a payload word's first half */
byte w1[CAP];   /* per unit: a header's seal, a run's count, or a payload word's second half */
byte sent_len[M + 1]; /* per message: 1 (8 bytes) or 0, as the producer chose */

/* ---- producer ------------------------------------------------------------- */

/* own_head + room(): is there room for `want` units at head (and padding)?
 * @c lib/spsc.c own_head(): if (sabq__unlikely(atomic_load_explicit(&s->hdr.closed, memory_order_relaxed)))
 * @c lib/spsc.c room(): return sabq__spsc_room(r->shm, r->cap, head, want);
 * @c lib/internal.h sabq__spsc_room(): if (sabq__unlikely(used > cap || cap - used < want)) {
 * @c lib/internal.h sabq__spsc_room(): uint32_t tail = atomic_load_explicit(&s->cons.tail, memory_order_acquire);
 */
inline room(want) {
    d_step {
        if
        :: closed -> rc = EPIPE
        :: else ->
           rc = 0;
           h = head;
           t = tail_cache;
           refresh = (DIST(h, t) > CAP || CAP - DIST(h, t) < want)
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
    fi
}

/* reserve_at: a record of `need` units, padding to the end first if it
 * does not fit before it.
 * @c lib/spsc.c reserve_at(): uint32_t skip = need > r->cap - off ? r->cap - off : 0;
 * @c lib/spsc.c reserve_at(): *len_at(r, head) = SABQ_REC_PAD;
 */
inline reserve() {
    d_step { padn = (need > CAP - (head & CMASK) -> CAP - (head & CMASK) : 0) };
    room(padn + need);
    if
    :: rc == 0 && CAP - DIST(h, t) < padn + need -> rc = EAGAIN
    :: else
    fi;
    if
    :: rc == 0 && padn > 0 -> w0[h & CMASK] = PAD
    :: else
    fi
}

/* unseal_next: clear the seal where the next record will start, if that
 * spot is free (else it holds the oldest unread header, a lap old).
 * @c lib/spsc.c unseal_next(): if (sabq__unlikely(next - tail >= r->cap)) {
 * @c lib/spsc.c unseal_next(): if (next - tail >= r->cap)
 * @c lib/spsc.c unseal_next(): __atomic_store_n(seal_at(r, next), 0, __ATOMIC_RELAXED);
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

/* One 8-byte message's payload unit at `at`: its first half the message
 * number, its second half any of the values that could fool a consumer,
 * chosen by SPIN (-DLONG_RUN: the worst of them). */
inline put_payload(at, msg) {
    w0[(at) & CMASK] = msg;
#ifdef LONG_RUN
    w1[(at) & CMASK] = SEAL((at) + CAP)
#else
    if
    :: w1[(at) & CMASK] = 0
    :: w1[(at) & CMASK] = SEAL(at)         /* the seal a record there needs this lap */
    :: w1[(at) & CMASK] = SEAL((at) + CAP) /* ... or the next */
    fi
#endif
}

/* seal_record: len (already written for a run), clear the next spot, seal,
 * seal the padding, then publish head and notify.
 * @c lib/spsc.c seal_record(): *len_at(r, pos) = len;
 * @c lib/spsc.c seal_record(): unseal_next(r, next);
 * @c lib/spsc.c seal_record(): __atomic_store_n(seal_at(r, pos), SABQ_SEAL(pos), __ATOMIC_RELEASE);
 * @c lib/spsc.c seal_record(): __atomic_store_n(seal_at(r, head), SABQ_SEAL(head), __ATOMIC_RELEASE);
 * @c lib/spsc.c publish(): atomic_store_explicit(&r->shm->prod.head, head, memory_order_release);
 * @c lib/spsc.c publish(): sabq__notify(&r->shm->wait.readable);
 */
inline seal_and_publish(lenword) {
#ifndef MUTANT_SEAL_BEFORE_PAYLOAD
    w0[pos & CMASK] = lenword;
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
}

/* sabq_spsc_send: one record of need - 1 payload units (0 or 8 bytes).
 * @c lib/spsc.c send_at(): sabq__copy(resv.data, buf, len);
 */
inline spsc_send() {
    reserve();
    if
    :: rc == 0 ->
       d_step { pos = h + padn; next = pos + need }
#ifdef MUTANT_SEAL_BEFORE_PAYLOAD
       ;
       w0[pos & CMASK] = need - 1;
       w1[pos & CMASK] = SEAL(pos)
#endif
       ;
       if
       :: need == 2 -> put_payload(pos + 1, k)
       :: else
       fi;
       seal_and_publish(need - 1)
    :: else
    fi
}

/* sabq_spsc_send_batch of two 8-byte messages k, k+1: put_run(), or,
 * when a run does not fit, the first message as a plain record.
 * @c lib/spsc.c put_run(): int free = room(r, *head, want < r->cap ? (uint32_t)want : r->cap);
 * @c lib/spsc.c put_run(): if (space < worthwhile && usable > to_end) {
 * @c lib/spsc.c put_run(): if (space < worthwhile)
 * @c lib/spsc.c put_run(): uint32_t same = run_copy(at + SABQ_RUN_HDR, stride, (sabq_iov *)msgs, m, len, 1);
 * @c lib/spsc.c put_run(): run->count = same;
 * @c lib/spsc.c put_run(): *head = seal_record(r, *head, skip, SABQ_RUN_HDR + same * stride, SABQ_REC_RUN);
 */
inline spsc_send_batch() {
    room(RUN_SIZE);
    if
    :: rc == 0 ->
       d_step {
           off = h & CMASK;
           usable = CAP - DIST(h, t);
           padn = 0;
           space = (usable < CAP - off -> usable : CAP - off);
           if
           :: space < RUN_SIZE && usable > CAP - off -> padn = CAP - off; space = usable - padn
           :: else
           fi;
           if
           :: space < RUN_SIZE -> sent = 0 /* no run: one plain record instead */
           :: else -> sent = RUN_MIN; pos = h + padn; next = pos + RUN_SIZE
           fi
       };
       if
       :: sent == RUN_MIN ->
#ifdef MUTANT_SEAL_BEFORE_PAYLOAD
          w0[pos & CMASK] = RUN;
          w1[pos & CMASK] = SEAL(pos);
#endif
          put_payload(pos + 2, k);
          put_payload(pos + 3, k + 1);
          if
          :: padn > 0 -> w0[h & CMASK] = PAD
          :: else
          fi;
          w0[(pos + 1) & CMASK] = 1;       /* elem_len: 8 bytes */
          w1[(pos + 1) & CMASK] = RUN_MIN; /* count */
          seal_and_publish(RUN)
       :: else ->
          d_step { need = 2; padn = 0; pos = 0; next = 0 };
          spsc_send();
          if :: rc == 0 -> sent = 1 :: else fi
       fi
    :: else
    fi
}

proctype Producer() {
    byte key, rc, h, t, padn, need, pos, next, off, usable, space, sent;
    bool refresh, clear;
    byte k = 1;
    do
    :: k > M -> break
    :: else ->
#ifdef LONG_RUN
       if
       :: k == 1 -> need = 0 /* a batch first */
       :: else -> need = 2   /* then 8-byte messages */
       fi;
#else
       if
       :: need = 1 :: need = 2     /* a 0- or 8-byte message */
       :: k + RUN_MIN - 1 <= M -> need = 0 /* a batch of two 8-byte messages */
       fi;
#endif
       if
       :: need == 0 ->
          d_step { sent_len[k] = 1; sent_len[k + 1] = 1 }; /* both 8 bytes */
          WAIT_LOOP(WRITABLE, spsc_send_batch);
          assert(rc == 0 && sent >= 1);
          k = k + sent
       :: else ->
          d_step { sent_len[k] = need - 1 };
          WAIT_LOOP(WRITABLE, spsc_send);
          assert(rc == 0);
          k++
       fi;
       d_step { key = 0; h = 0; t = 0; padn = 0; need = 0; pos = 0; next = 0; off = 0; usable = 0; space = 0; sent = 0; clear = false }
    od;
    region_close()
}

/* ---- consumer ------------------------------------------------------------- */

/* take_sealed(): the record at `t` by its seal, without head. Found: the
 * payload at `d`, `rlen` payload units, the next position `next`, the run
 * it is in ending at `vend` (== next for a plain record), and `vrl`: 1 if
 * more of that run follows, else 0 (a view's run_len).
 * @c lib/spsc.c take_sealed(): if (__atomic_load_n(seal_at(r, tail), __ATOMIC_ACQUIRE) != SABQ_SEAL(tail))
 * @c lib/spsc.c take_sealed(): uint32_t len = sabq__read_once(len_at(r, tail));
 * @c lib/spsc.c take_sealed(): if (len == SABQ_REC_PAD) {
 * @c lib/spsc.c take_sealed(): tail += r->cap - off;
 * @c lib/spsc.c take_sealed(): if (__atomic_load_n(seal_at(r, tail), __ATOMIC_ACQUIRE) != SABQ_SEAL(tail))
 * @c lib/spsc.c take_sealed(): if (len == SABQ_REC_RUN) {
 * @c lib/spsc.c take_sealed(): (uint64_t)count * sabq__align8(elem) > r->cap - off - SABQ_RUN_HDR)
 * @c lib/spsc.c take_sealed(): v->run_end = first + count * sabq__align8(elem);
 * @c lib/spsc.c take_sealed(): v->run_len = count > 1 ? elem : 0;
 * @c lib/spsc.c take_sealed(): if (len > r->msg_max || sabq__rec_size(len) > r->cap - off)
 */
inline take_sealed() {
    if
    :: w1[t & CMASK] == SEAL(t) ->
       d_step {
           off = t & CMASK;
           rlen = w0[t & CMASK];
           if
           :: rlen == PAD ->
              assert(off != 0); /* else -EPROTO */
              t = t + CAP - off;
              off = 0;
              padded = true
           :: else
           fi
       };
       if
       :: padded ->
          /* the producer sealed the record before its padding */
          assert(w1[t & CMASK] == SEAL(t)); /* else -EPROTO */
          rlen = w0[t & CMASK]
       :: else
       fi;
       d_step {
           if
           :: rlen == RUN ->
              assert(CAP - off >= 2); /* else -EPROTO */
              assert(w0[(t + 1) & CMASK] == 1 && w1[(t + 1) & CMASK] >= 1 &&
                     w1[(t + 1) & CMASK] <= CAP - off - 2); /* else -EPROTO */
              d = t + 2;
              rlen = 1;
              next = t + 3;
              vend = t + 2 + w1[(t + 1) & CMASK];
              vrl = (w1[(t + 1) & CMASK] > 1 -> 1 : 0)
           :: else ->
              assert(rlen <= 1 && 1 + rlen <= CAP - off); /* else -EPROTO */
              d = t + 1;
              next = t + 1 + rlen;
              vend = next;
              vrl = 0
           fi;
           found = true
       }
    :: else
    fi
}

/* peek_at(): inside a run the consumer entered (run_len not 0), the message
 * is there by run_end and run_len; else by its seal; unsealed, head is read
 * only once the ring is closed.
 * @c lib/spsc.c peek_at(): if (run_len != 0) {
 * @c lib/spsc.c peek_at(): if (run_end - tail - 1u >= r->cap || run_len > r->msg_max || run_len > r->cap - off ||
 * @c lib/spsc.c peek_at(): v->run_len = v->next != run_end ? run_len : 0;
 * @c lib/spsc.c peek_at(): if (!sabq__region_is_closed(s))
 * @c lib/spsc.c peek_at(): uint32_t head = atomic_load_explicit(&s->prod.head, memory_order_acquire);
 * @c lib/spsc.c peek_at(): if (head == tail)
 * @c lib/spsc.c peek_at(): return tail - head <= r->cap ? -EAGAIN : -EPROTO;
 * @c lib/spsc.c peek_at(): return rc == -EAGAIN ? -EPROTO : rc;
 */
inline peek() {
    d_step { t = tail; from = tail; found = false; padded = false; rc = 0 };
    if
    :: IN_RUN ->
       d_step {
           off = t & CMASK;
           assert(DIST(run_end, t + 1) < CAP && run_len == 1 && run_len <= CAP - off &&
                  1 <= DIST(run_end, t)); /* else -EPROTO */
           d = t;
           rlen = 1;
           next = t + 1;
           vend = run_end;
           vrl = (DIST(vend, next) != 0 -> 1 : 0);
           found = true
       }
    :: else ->
       take_sealed();
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
             :: DIST(h, t) > CAP -> /* tail ahead: the producer has yet to store head */
                assert(DIST(t, h) <= CAP); /* else -EPROTO */
                rc = EAGAIN
             :: else ->
                take_sealed();
                assert(found) /* published but never sealed: -EPROTO */
             fi
          fi
       :: else
       fi
    fi
}

/* recv: copy the payload out; if our tail rested inside a run, clear the
 * seal word of the message there (a producer that filled the ring up to
 * exactly tail + CAP left it as it was) and, leaving the run, run_len; keep
 * the run we are in; give the room back.
 * @c lib/spsc.c recv_at(): sabq__copy(buf, v.data, v.len);
 * @c lib/spsc.c give_back(): if (sabq__unlikely(from.run_len != 0)) {
 * @c lib/spsc.c give_back(): __atomic_store_n(seal_at(r, from.tail), 0, __ATOMIC_RELAXED);
 * @c lib/spsc.c give_back(): if (v->run_len == 0)
 * @c lib/spsc.c give_back(): __atomic_store_n(&s->cons.run_len, 0, __ATOMIC_RELAXED);
 * @c lib/spsc.c give_back(): if (v->run_len != 0) {
 * @c lib/spsc.c give_back(): atomic_store_explicit(&s->cons.tail, v->next, memory_order_release);
 * @c lib/spsc.c give_back(): sabq__notify(&s->wait.writable);
 */
inline spsc_recv() {
    peek();
    if
    :: found ->
       assert(k <= M && rlen == sent_len[k]); /* the length it was sent with */
#ifdef MUTANT_TAIL_BEFORE_READ
       tail = next & IMASK;
#endif
       if
       :: rlen == 1 -> assert(w0[d & CMASK] == k) /* the payload sent with message k */
       :: else
       fi;
       d_step {
           if
           :: run_len != 0 -> /* from.run_len: our tail rested inside a run */
#ifndef MUTANT_RUN_SEAL_LEFT
              w1[from & CMASK] = 0;
#endif
#ifndef MUTANT_RUN_BY_DISTANCE
              if :: vrl == 0 -> run_len = 0 :: else fi
#else
              skip
#endif
           :: else
           fi;
           if
#ifndef MUTANT_RUN_NOT_KEPT
           :: vrl != 0 -> run_end = vend & IMASK; run_len = 1
#endif
           :: else
           fi
       };
       tail = next & IMASK;
       notify(WRITABLE);
       rc = 0
    :: else
    fi
}

proctype Consumer() {
    byte key, rc, h, t, from, off, rlen, d, next, vend, vrl;
    bool found, padded;
    byte k = 1; /* the message expected next */
next_message:
    WAIT_LOOP(READABLE, spsc_recv);
    if
    :: rc == EPIPE -> goto consumer_end
    :: else ->
       assert(rc == 0 && k <= M); /* no message after the last */
       d_step { k++; key = 0; h = 0; t = 0; from = 0; off = 0; rlen = 0; d = 0; next = 0; vend = 0; vrl = 0; found = false; padded = false }
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
