/* tests/kill/spsc_kill.c — producers killed with SIGKILL in the middle of
 * writing into an SPSC ring in a named region, over and over.
 *
 *   spsc_kill [--fixed] KILLS [SEED]
 *
 * --fixed: the ring in its fixed-size form (sabq_spsc_init_fixed), each ring
 * laid out with a random number of slots (2 to 64) and message length (8 to
 * 200 bytes), which every producer learns from its own attach.
 *
 * A supervisor lays out the ring in a region made with sabq_shm_create and
 * consumes it in a thread. It forks a producer (a fresh process that maps the
 * region by name and attaches), lets it run for a random time, kills it with
 * SIGKILL and reaps it; then either a fresh producer attaches and carries on,
 * or (one time in four, and at the end) the supervisor closes the ring, the
 * consumer drains it, and a new ring is laid out. Producers mix send,
 * reserve/commit and send_batch, and after each call that returned they
 * publish how many of their messages are committed in a second region (the
 * side channel: a store survives the kill, a message in flight does not).
 * The consumer takes messages by recv_wait, by peek_wait and peek_next read
 * in place then released together, and by recv_batch, in turn.
 *
 * Checked: every message is whole (its length and every byte are a function
 * of (producer, sequence)); each producer's messages arrive in order, without
 * gaps, and at least up to the last one whose commit returned; producers
 * appear in the order they ran; each ring ends with -EPIPE once closed; every
 * producer died of our SIGKILL (a crash or an exit is a failure); at least
 * half the kills landed in the middle of a send (producers report their
 * phase in the side channel too) and at least half the producers delivered
 * messages before they were killed, so a run that checked nothing fails.
 * Exit status 0 when all of that held. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sabq/sabq.h>
#include <sabq/shm.h>

#define RING_CAP 4096u
#define FIXED_DATA 16384u /* data bytes a fixed ring may take at most */
#define MAX_GEN 100000u /* producers in one run */
#define SECOND 1000000000ull

/* Where a producer was when it died: what it last stored in the side channel. */
enum phase {
    NOT_ATTACHED, /* killed before it had attached (the initial 0) */
    BETWEEN_SENDS,
    IN_SEND,      /* inside a send call, or between reserve and commit */
    N_PHASES
};

/* The side channel: per producer, how many of its messages were committed
 * (the count after the last call that returned 0), and its phase. */
struct reports {
    _Atomic uint32_t committed[MAX_GEN];
    _Atomic uint32_t phase[MAX_GEN];
};

/* A message: producer, sequence, then bytes derived from both. */
struct msg_head {
    uint32_t gen;
    uint32_t seq;
};

/* The current ring's message length if it is a fixed ring, else 0. Set by
 * the supervisor before the ring's consumer and producers start. */
static uint32_t fixed_len;

static uint32_t msg_len(uint32_t gen, uint32_t seq)
{
    return fixed_len ? fixed_len : 8 + (gen * 7919u + seq * 2654435761u) % 200u;
}

static uint8_t msg_byte(uint32_t gen, uint32_t seq, uint32_t i)
{
    return (uint8_t)(gen * 31u + seq * 131u + i * 7u);
}

static void fill(uint8_t *buf, uint32_t gen, uint32_t seq)
{
    struct msg_head h = {gen, seq};
    uint32_t len = msg_len(gen, seq);
    memcpy(buf, &h, sizeof h);
    for (uint32_t i = sizeof h; i < len; i++)
        buf[i] = msg_byte(gen, seq, i);
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "spsc_kill: %s: %s\n", what, rc < 0 ? sabq_strerror(rc) : strerror(errno));
    exit(2);
}

/* ---- producer (a child process) ------------------------------------------ */

static _Noreturn void produce(const char *ring_name, const char *rep_name, uint32_t gen)
{
    sabq_shm ring_shm, rep_shm;
    sabq_spsc r;
    int rc;
    if ((rc = sabq_shm_open(&ring_shm, ring_name)) < 0 || (rc = sabq_shm_open(&rep_shm, rep_name)) < 0)
        die("producer: open", rc);
    if ((rc = sabq_spsc_attach(&r, ring_shm.addr, ring_shm.size)) < 0)
        die("producer: attach", rc);
    if (fixed_len && (r.stride == 0 || r.msg_max != fixed_len)) {
        fprintf(stderr, "spsc_kill: producer %u attached a ring of %u-byte messages (stride %u), laid out for %u\n",
                gen, r.msg_max, r.stride, fixed_len);
        exit(2);
    }
    struct reports *rep = rep_shm.addr;
    atomic_store_explicit(&rep->phase[gen], BETWEEN_SENDS, memory_order_relaxed);
    static uint8_t buf[8][256];
    /* Every other producer paces itself, so the ring runs nearly empty and
     * the consumer, waiting on it, reads each message the moment its head is
     * published: a head published before the payload is written then shows
     * as a torn message, and a kill between the two leaves a stale one. The
     * rest keep the ring full, so kills land in full-ring waits too. */
    uint32_t pace = gen % 2 ? 100u << (gen / 2 % 4) : 0;
    for (uint32_t seq = 0;;) {
        atomic_store_explicit(&rep->phase[gen], IN_SEND, memory_order_relaxed);
        for (volatile uint32_t k = 0; k < pace; k++) {
        }
        switch (seq % 3) {
        case 0:
            fill(buf[0], gen, seq);
            rc = sabq_spsc_send_wait(&r, buf[0], msg_len(gen, seq), 10 * SECOND);
            if (rc < 0)
                die("producer: send_wait", rc);
            seq++;
            break;
        case 1: {
            sabq_spsc_resv w;
            while ((rc = sabq_spsc_reserve(&r, msg_len(gen, seq), &w)) == -EAGAIN)
                sched_yield();
            if (rc < 0)
                die("producer: reserve", rc);
            fill(w.data, gen, seq);
            if ((rc = sabq_spsc_commit(&r, &w, msg_len(gen, seq))) < 0)
                die("producer: commit", rc);
            seq++;
            break;
        }
        default: {
            sabq_iov iov[4];
            for (uint32_t i = 0; i < 4; i++) {
                fill(buf[i], gen, seq + i);
                iov[i] = (sabq_iov){buf[i], msg_len(gen, seq + i)};
            }
            rc = sabq_spsc_send_batch(&r, iov, 4);
            if (rc == -EAGAIN) {
                sched_yield();
                continue;
            }
            if (rc < 0)
                die("producer: send_batch", rc);
            seq += (uint32_t)rc;
            break;
        }
        }
        /* release: whoever reads the count sees a ring that holds them */
        atomic_store_explicit(&rep->committed[gen], seq, memory_order_release);
        atomic_store_explicit(&rep->phase[gen], BETWEEN_SENDS, memory_order_relaxed);
    }
}

/* ---- consumer (a thread of the supervisor) -------------------------------- */

struct consumer {
    const sabq_spsc *r;
    uint32_t first_gen;     /* producers of this ring: first_gen .. */
    uint32_t *received;     /* per producer: messages received */
    uint32_t last_gen;      /* the producer of the last message */
    int end;                /* what ended it: -EPIPE expected */
    char error[200];
};

/* One message received: whole, the next of its producer, producers in order.
 * 0, or -1 with c->error set. */
static int take(struct consumer *c, const uint8_t *buf, int n)
{
    struct msg_head h;
    if ((uint32_t)n < sizeof h) {
        snprintf(c->error, sizeof c->error, "a message of %d bytes", n);
        return -1;
    }
    memcpy(&h, buf, sizeof h);
    if (h.gen < c->last_gen || h.gen < c->first_gen || h.gen >= MAX_GEN) {
        snprintf(c->error, sizeof c->error, "producer %u after producer %u", h.gen, c->last_gen);
        return -1;
    }
    if (h.seq != c->received[h.gen]) {
        snprintf(c->error, sizeof c->error, "producer %u: message %u, expected %u", h.gen, h.seq,
                 c->received[h.gen]);
        return -1;
    }
    if ((uint32_t)n != msg_len(h.gen, h.seq)) {
        snprintf(c->error, sizeof c->error, "producer %u message %u: %d bytes, sent %u", h.gen, h.seq, n,
                 msg_len(h.gen, h.seq));
        return -1;
    }
    for (uint32_t i = sizeof h; i < (uint32_t)n; i++)
        if (buf[i] != msg_byte(h.gen, h.seq, i)) {
            snprintf(c->error, sizeof c->error, "producer %u message %u: torn at byte %u", h.gen, h.seq, i);
            return -1;
        }
    c->received[h.gen]++;
    c->last_gen = h.gen;
    return 0;
}

/* A result that ends the ring (-EPIPE expected) or is an error. */
static void *finish(struct consumer *c, const char *call, int rc)
{
    c->end = rc;
    if (rc != -EPIPE)
        snprintf(c->error, sizeof c->error, "%s: %s", call, sabq_strerror(rc));
    return NULL;
}

static void *consume(void *arg)
{
    struct consumer *c = arg;
    uint8_t buf[4][256];
    c->last_gen = c->first_gen;
    for (uint32_t turn = 0;; turn++) {
        sabq_spsc_view v;
        int n;
        switch (turn % 3) {
        case 0:
            if ((n = sabq_spsc_recv_wait(c->r, buf[0], sizeof buf[0], 60 * SECOND)) < 0)
                return finish(c, "recv_wait", n);
            if (take(c, buf[0], n) < 0)
                return NULL;
            break;
        case 1: /* up to four read in place, released with one call */
            if ((n = sabq_spsc_peek_wait(c->r, &v, 60 * SECOND)) < 0)
                return finish(c, "peek_wait", n);
            if (take(c, v.data, n) < 0)
                return NULL;
            for (int k = 0; k < 3 && (n = sabq_spsc_peek_next(c->r, &v)) >= 0; k++)
                if (take(c, v.data, n) < 0)
                    return NULL;
            if (n < 0 && n != -EAGAIN && n != -EPIPE)
                return finish(c, "peek_next", n);
            sabq_spsc_release(c->r, &v);
            break;
        default: { /* a batch, once a message is there */
            sabq_iov iov[4];
            if ((n = sabq_spsc_peek_wait(c->r, &v, 60 * SECOND)) < 0)
                return finish(c, "peek_wait", n);
            for (int i = 0; i < 4; i++)
                iov[i] = (sabq_iov){buf[i], sizeof buf[i]};
            if ((n = sabq_spsc_recv_batch(c->r, iov, 4)) <= 0)
                return finish(c, "recv_batch after a peek", n < 0 ? n : -EPROTO);
            for (int i = 0; i < n; i++)
                if (take(c, buf[i], (int)iov[i].len) < 0)
                    return NULL;
            break;
        }
        }
    }
}

/* ---- supervisor ------------------------------------------------------------ */

int main(int argc, char **argv)
{
    int fixed = argc > 1 && strcmp(argv[1], "--fixed") == 0;
    argv += fixed;
    argc -= fixed;
    if (argc < 2) {
        fprintf(stderr, "usage: spsc_kill [--fixed] KILLS [SEED]\n");
        return 2;
    }
    uint32_t kills = (uint32_t)strtoul(argv[1], NULL, 10);
    unsigned seed = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : (unsigned)time(NULL);
    if (kills == 0 || kills >= MAX_GEN)
        return 2;
    srand(seed);
    char ring_name[64], rep_name[64];
    snprintf(ring_name, sizeof ring_name, "/sabq-kill-ring-%d", (int)getpid());
    snprintf(rep_name, sizeof rep_name, "/sabq-kill-rep-%d", (int)getpid());
    sabq_shm ring_shm, rep_shm;
    int rc;
    size_t ring_size = fixed ? SABQ_DATA_OFFSET + FIXED_DATA : sabq_spsc_size(RING_CAP);
    if ((rc = sabq_shm_create(&ring_shm, ring_name, ring_size)) < 0 ||
        (rc = sabq_shm_create(&rep_shm, rep_name, sizeof(struct reports))) < 0)
        die("create", rc);
    struct reports *rep = rep_shm.addr;
    uint32_t *received = calloc(MAX_GEN, sizeof *received);
    uint64_t t0 = sabq_now_ns(), messages = 0, torn_windows = 0;
    uint32_t gen = 0, rings = 0, failed = 0, kills_in[N_PHASES] = {0}, delivered = 0;
    while (gen < kills && !failed) {
        sabq_spsc r;
        if (fixed) { /* 2 to 64 slots of 8 to 200 bytes (strides 8 to 200) */
            static const uint32_t lens[] = {8, 12, 20, 61, 200}, slot_counts[] = {2, 4, 16, 64};
            uint32_t slots = slot_counts[rand() % 4];
            fixed_len = lens[rand() % 5];
            rc = sabq_spsc_init_fixed(&r, ring_shm.addr, ring_shm.size, slots, fixed_len);
        } else {
            rc = sabq_spsc_init(&r, ring_shm.addr, ring_shm.size, RING_CAP, 0);
        }
        if (rc < 0)
            die("init", rc);
        rings++;
        struct consumer c = {.r = &r, .first_gen = gen, .received = received};
        pthread_t t;
        pthread_create(&t, NULL, consume, &c);
        uint32_t first = gen;
        for (;;) {
            fflush(NULL);
            pid_t pid = fork();
            if (pid < 0)
                die("fork", -errno);
            if (pid == 0)
                produce(ring_name, rep_name, gen);
            /* A random moment: from before the child has attached to well
             * into its writing. Three times in four it counts from the
             * attach, so that on a loaded machine, where a child can take
             * milliseconds to run at all, most kills still land in sends. */
            if (rand() % 4 != 0) {
                uint64_t give_up = sabq_now_ns() + SECOND;
                while (atomic_load_explicit(&rep->phase[gen], memory_order_relaxed) == NOT_ATTACHED &&
                       sabq_now_ns() < give_up)
                    sched_yield();
            }
            struct timespec ts = {0, (long)(rand() % 3000) * 1000};
            nanosleep(&ts, NULL);
            kill(pid, SIGKILL);
            int status;
            waitpid(pid, &status, 0);
            /* Only our SIGKILL counts: a producer that crashed (SIGSEGV,
             * SIGABRT) or exited before it was killed is a failure. */
            if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
                if (WIFSIGNALED(status))
                    fprintf(stderr, "spsc_kill: producer %u died of %s, not of our SIGKILL\n", gen,
                            strsignal(WTERMSIG(status)));
                else
                    fprintf(stderr, "spsc_kill: producer %u exited with status %d before it was killed\n",
                            gen, WEXITSTATUS(status));
                failed = 1;
            }
            uint32_t phase = atomic_load_explicit(&rep->phase[gen], memory_order_relaxed);
            kills_in[phase < N_PHASES ? phase : NOT_ATTACHED]++;
            gen++;
            if (failed || gen == kills || rand() % 4 == 0)
                break; /* close this ring */
        }
        sabq_spsc_close(&r);
        pthread_join(t, NULL);
        if (c.error[0]) {
            fprintf(stderr, "spsc_kill: ring %u: %s\n", rings, c.error);
            failed = 1;
        } else if (c.end != -EPIPE) {
            fprintf(stderr, "spsc_kill: ring %u ended with %s, not -EPIPE\n", rings, sabq_strerror(c.end));
            failed = 1;
        }
        for (uint32_t g = first; g < gen && !failed; g++) {
            uint32_t committed = atomic_load_explicit(&rep->committed[g], memory_order_acquire);
            if (received[g] < committed) {
                fprintf(stderr, "spsc_kill: producer %u committed %u messages, %u arrived\n", g,
                        committed, received[g]);
                failed = 1;
            }
            torn_windows += received[g] > committed; /* killed after its commit, before its report */
            messages += received[g];
            delivered += received[g] > 0;
        }
    }
    sabq_shm_close(&ring_shm);
    sabq_shm_close(&rep_shm);
    sabq_shm_unlink(ring_name);
    sabq_shm_unlink(rep_name);
    /* A run where the kills all landed before the producers attached, or
     * where nothing flowed between them, would check nothing: require kills
     * in the middle of sends and producers that delivered. */
    if (!failed && kills_in[IN_SEND] < gen / 2) {
        fprintf(stderr, "spsc_kill: only %u of %u kills landed in the middle of a send\n", kills_in[IN_SEND], gen);
        failed = 1;
    }
    if (!failed && delivered < gen / 2) {
        fprintf(stderr, "spsc_kill: only %u of %u producers delivered messages before they were killed\n",
                delivered, gen);
        failed = 1;
    }
    printf("spsc_kill%s: %u producers killed over %u rings (%u in the middle of a send, %u between sends, "
           "%u before attaching), %u of them delivered messages, %llu messages checked, "
           "%llu kills between a commit and its report, %.1f s, seed %u: %s\n",
           fixed ? " --fixed" : "", gen, rings, kills_in[IN_SEND], kills_in[BETWEEN_SENDS], kills_in[NOT_ATTACHED],
           delivered,
           (unsigned long long)messages, (unsigned long long)torn_windows,
           (double)(sabq_now_ns() - t0) / 1e9, seed, failed ? "FAILED" : "ok");
    free(received);
    return failed;
}
