/* tests/model/pipe.pml — the SPSC byte pipe (lib/pipe.c) with end of stream,
 * under the wait protocol of event.pml. A writer streams N bytes with
 * sabq_pipe_write_all (partial writes of any length, or a span and its
 * commit), then closes; a reader reads with sabq_pipe_read_wait (any buffer
 * length, or a span and its consume) until end of stream. Properties:
 *   - no byte lost, duplicated or reordered: the byte at stream offset k
 *     reads as VAL(k) (asserted at every read);
 *   - end of stream comes only after every byte written (k == N at EOF);
 *   - no lost wake-up (data, room or close): neither side parks for ever;
 *   - bounded wrap: indices are W-bit (the C's 32-bit with the same
 *     capacity-to-range ratio, cap <= 2^(W-2)) and start just below the wrap,
 *     so they wrap mid-stream; head - tail <= CAP holds at every read
 *     (the C's -EPROTO checks never fire against an honest peer).
 *
 * Mutants (check.sh: each must be refuted with a trail):
 *   MUTANT_HEAD_BEFORE_BYTES   R1p weakened: head visible before the bytes
 *   MUTANT_TAIL_BEFORE_READ    R1c weakened: tail given back before the bytes are read
 *   MUTANT_EOF_NO_REREAD       no second look at head once closed is seen
 *   MUTANT_EOF_DECIDED_LATE    the code before the fix: the flag read after head decides
 *   MUTANT_NOTIFY_WRONG_EVENT  a write notifies `writable` instead of `readable`
 *   MUTANT_NO_WRAP             distances not taken modulo 2^W (no wrap-around arithmetic)
 *   MUTANT_NO_RECHECK          (event.pml) no try after announcing
 */

#define NPROC 4
#define W 3
#define IMASK 7         /* 2^W - 1 */
#define CAP 2           /* data bytes */
#define CMASK 1         /* CAP - 1 */
#ifndef N
#define N 6             /* bytes streamed */
#endif
#define START 5         /* initial head and tail: 2^W - 3, so they wrap */
#define VAL(k) ((k) + 1)

#include "event.pml"

#ifdef MUTANT_NO_WRAP
#define DIST(a, b) ((a) - (b))
#else
#define DIST(a, b) (((a) - (b)) & IMASK)
#endif

byte head = START;       /* sabq_prod_line.head */
byte tail_cache = START; /* producer-private */
byte tail = START;       /* sabq_cons_line.tail */
byte head_cache = START; /* consumer-private */
byte data[CAP];

/* Steps: one per access to a word the other side writes or reads; a
 * side's own index and private cache cannot change under it, so reading
 * them folds into the neighbouring step (d_step), as do local computations.
 *
 * writable(): room for the writer at its head.
 * @c lib/pipe.c writable(): if (sabq__unlikely(atomic_load_explicit(&s->hdr.closed, memory_order_relaxed)))
 * @c lib/pipe.c writable(): *head = atomic_load_explicit(&s->prod.head, memory_order_relaxed);
 * @c lib/pipe.c writable(): if (head[0] - tail > p->cap || p->cap - (head[0] - tail) < want) {
 * @c lib/pipe.c writable(): tail = atomic_load_explicit(&s->cons.tail, memory_order_acquire);
 * @c lib/pipe.c writable(): return (int)(p->cap - (head[0] - tail));
 */
inline writable(want) {
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
    :: refresh ->
       d_step {
           t = tail;
           assert(DIST(h, t) <= CAP); /* else -EPROTO */
           tail_cache = t;
           refresh = false
       }
    :: else
    fi
}

/* produce(): publish head, then wake a parked reader.
 * @c lib/pipe.c produce(): atomic_store_explicit(&p->shm->prod.head, head, memory_order_release);
 * @c lib/pipe.c produce(): sabq__notify(&p->shm->wait.readable);
 */
inline produce(newhead) {
    head = newhead & IMASK;
#ifdef MUTANT_NOTIFY_WRONG_EVENT
    notify(WRITABLE)
#else
    notify(READABLE)
#endif
}

/* sabq_pipe_write(len = ask), or with `span` the span and its commit (which
 * limits the write to the contiguous room up to the end of the area).
 * @c lib/pipe.c sabq_pipe_write(): uint32_t n = len < (uint32_t)room ? len : (uint32_t)room;
 * @c lib/pipe.c sabq_pipe_write(): memcpy(p->data + off, buf, first);
 * @c lib/pipe.c sabq_pipe_write(): produce(p, head + n);
 * @c lib/pipe.c sabq_pipe_write_span(): return (int)(p->cap - off < (uint32_t)room ? p->cap - off : (uint32_t)room);
 */
inline pipe_write() {
    writable(ask);
    d_step {
        if
        :: rc == 0 ->
           n = CAP - DIST(h, t); /* room */
           if
           :: n == 0 -> rc = EAGAIN
           :: else ->
              n = (ask < n -> ask : n);
              if
              :: span && n > CAP - (h & CMASK) -> n = CAP - (h & CMASK)
              :: else
              fi
           fi
        :: else
        fi
    };
    if
    :: rc == 0 ->
#ifdef MUTANT_HEAD_BEFORE_BYTES
       head = (h + n) & IMASK;
#endif
       d_step { /* the copy: only its order against the index stores matters */
           i = 0;
           do
           :: i < n -> data[(h + i) & CMASK] = VAL(k + i); i++
           :: else -> break
           od;
           i = 0
       };
       produce(h + n)
    :: else
    fi
}

proctype Writer() {
    byte key, rc, h, t, n, i, ask;
    bool span, refresh;
    byte k = 0; /* stream offset written */
    do
    :: k < N ->
       select(ask : 1 .. (N - k < CAP + 1 -> N - k : CAP + 1));
       if :: span = false :: span = true fi;
       WAIT_LOOP(WRITABLE, pipe_write);
       assert(rc == 0 && n >= 1 && n <= ask);
       d_step { k = k + n; key = 0; h = 0; t = 0; n = 0; ask = 0; span = false }
    :: else -> break
    od;
    region_close() /* end of stream */
}

/* readable(): bytes for the reader at its tail, or the end of stream. Empty
 * and closed is the end only if head, read again after the flag was seen, is
 * still where it was: the writer closes after its last write.
 * @c lib/pipe.c readable(): *tail = atomic_load_explicit(&s->cons.tail, memory_order_relaxed);
 * @c lib/pipe.c readable(): if (head - tail[0] > p->cap || head - tail[0] < (want ? want : 1)) {
 * @c lib/pipe.c readable(): head = atomic_load_explicit(&s->prod.head, memory_order_acquire);
 * @c lib/pipe.c readable(): if (!sabq__region_is_closed(s))
 * @c lib/pipe.c readable(): head = atomic_load_explicit(&s->prod.head, memory_order_acquire);
 * @c lib/pipe.c readable(): return -EPIPE;
 * MUTANT_EOF_DECIDED_LATE is the code before the fix: the flag was read
 * again by the caller, after the look at head, so a write and the close
 * landing between the two ended the stream with that write unread.
 */
inline readable(want) {
    d_step {
        t = tail;
        h = head_cache;
        eof = false;
        refresh = (DIST(h, t) > CAP || DIST(h, t) < want)
    };
    if
    :: refresh ->
       h = head;
#ifdef MUTANT_EOF_DECIDED_LATE
       if
       :: h == t && closed -> h = head
       :: else
       fi;
#else
       if
       :: h == t && closed ->
#ifndef MUTANT_EOF_NO_REREAD
          h = head;
#endif
          eof = (h == t)
       :: else
       fi;
#endif
       d_step {
           assert(DIST(h, t) <= CAP); /* else -EPROTO */
           head_cache = h;
           refresh = false
       }
    :: else
    fi;
#ifdef MUTANT_EOF_DECIDED_LATE
    eof = (DIST(h, t) == 0 && closed)
#else
    skip
#endif
}

/* sabq_pipe_read(len = ask), or with `span` the span and its consume.
 * @c lib/pipe.c sabq_pipe_read(): return avail == -EPIPE ? 0 : avail;
 * @c lib/pipe.c sabq_pipe_read(): memcpy(buf, p->data + off, first);
 * @c lib/pipe.c consume(): atomic_store_explicit(&p->shm->cons.tail, tail, memory_order_release);
 * @c lib/pipe.c consume(): sabq__notify(&p->shm->wait.writable);
 */
inline pipe_read() {
    readable(ask);
    d_step {
        n = DIST(h, t); /* available */
        if
        :: eof -> rc = 0 /* end of stream, n == 0 */
        :: !eof && n == 0 -> rc = EAGAIN
        :: else ->
           rc = 0;
           n = (ask < n -> ask : n);
           if
           :: span && n > CAP - (t & CMASK) -> n = CAP - (t & CMASK)
           :: else
           fi
        fi
    };
    if
    :: rc == 0 && n > 0 ->
#ifdef MUTANT_TAIL_BEFORE_READ
       tail = (t + n) & IMASK;
#endif
       d_step {
           i = 0;
           do
           :: i < n -> assert(data[(t + i) & CMASK] == VAL(k + i)); i++
           :: else -> break
           od;
           i = 0
       };
       tail = (t + n) & IMASK;
       notify(WRITABLE)
    :: else
    fi
}

proctype Reader() {
    byte key, rc, h, t, n, i, ask;
    bool span, eof, refresh;
    byte k = 0; /* stream offset read */
    do
    :: select(ask : 1 .. CAP);
       if :: span = false :: span = true fi;
       WAIT_LOOP(READABLE, pipe_read);
       assert(rc == 0);
       if
       :: n == 0 -> break /* end of stream */
       :: else -> d_step { k = k + n; key = 0; h = 0; t = 0; n = 0; ask = 0; span = false }
       fi
    od;
    assert(k == N) /* the end came after every byte */
}

init {
    atomic {
        run Writer();
        run Reader()
    }
}
