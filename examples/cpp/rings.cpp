/* examples/cpp/rings.cpp — sabq from C++: each ring kind between std::threads,
 * every message checked. SPSC (send_wait and reserve/commit in, recv_wait and
 * peek/release out, sequence and bytes checked), the byte pipe (a generated
 * stream compared byte for byte), MPMC with two producers and two consumers
 * (each message exactly once, per-producer order), and sabq_wait/sabq_wake on
 * a std::atomic<uint32_t> as the start gate.
 *
 * Plain C++11, so it builds with every standard from C++11 to C++23, natively
 * and with em++ (run under Node); `make test-cpp` builds and runs all of them.
 * Exit status 0 only if every check passed.
 */
#include <sabq/sabq.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

const uint64_t kSecond = 1000000000ull;
const uint64_t kTimeout = 20 * kSecond;
const uint32_t kSpscMessages = 100000;
const uint32_t kPipeBytes = 4u << 20;
const uint32_t kMpmcPerProducer = 50000;

std::atomic<int> failures(0);

void fail(const std::string &what, int rc = 0)
{
    std::fprintf(stderr, "cpp rings: %s%s%s\n", what.c_str(), rc ? ": " : "",
                 rc ? sabq_strerror(rc) : "");
    failures.fetch_add(1, std::memory_order_relaxed);
}

/* Shared memory for one ring: SABQ_ALIGN-aligned, freed with the object.
 * (std::align rather than aligned new: C++11 does not promise over-aligned new.) */
class Region {
public:
    explicit Region(size_t size) : bytes_(size + SABQ_ALIGN)
    {
        void *p = bytes_.data();
        size_t space = bytes_.size();
        if (size == 0 || !std::align(SABQ_ALIGN, size, p, space))
            throw std::runtime_error("region: bad size");
        mem_ = p;
        size_ = size;
    }
    void *mem() const { return mem_; }
    size_t size() const { return size_; }

private:
    std::vector<unsigned char> bytes_;
    void *mem_;
    size_t size_;
};

/* The start gate: workers sleep in sabq_wait on a std::atomic<uint32_t> (which
 * is what sabq_atomic_u32 is in C++) until main opens it. */
class Gate {
public:
    Gate() : open_(0) {}
    void wait()
    {
        while (open_.load(std::memory_order_acquire) == 0) {
            int rc = sabq_wait(&open_, 0, kTimeout);
            if (rc == -ETIMEDOUT) {
                fail("gate never opened", rc);
                return;
            }
        }
    }
    void open()
    {
        open_.store(1, std::memory_order_release);
        sabq_wake(&open_, SABQ_WAKE_ALL);
    }

private:
    sabq_atomic_u32 open_;
};

/* Message i of the SPSC test: 4 to 40 bytes, the sequence number first, then
 * bytes derived from it. */
uint32_t spsc_len(uint32_t i) { return 4 + (i * 7) % 37; }
unsigned char spsc_byte(uint32_t i, uint32_t k) { return static_cast<unsigned char>(i * 31 + k * 7); }

void fill_spsc(unsigned char *msg, uint32_t i)
{
    std::memcpy(msg, &i, 4);
    for (uint32_t k = 4; k < spsc_len(i); k++)
        msg[k] = spsc_byte(i, k);
}

bool check_spsc(const unsigned char *msg, int len, uint32_t want)
{
    uint32_t seq;
    if (len != static_cast<int>(spsc_len(want)))
        return false;
    std::memcpy(&seq, msg, 4);
    if (seq != want)
        return false;
    for (uint32_t k = 4; k < spsc_len(want); k++)
        if (msg[k] != spsc_byte(want, k))
            return false;
    return true;
}

void spsc_producer(const sabq_spsc *r, Gate *gate)
{
    gate->wait();
    unsigned char msg[64];
    for (uint32_t i = 0; i < kSpscMessages; i++) {
        if (i % 2 == 0) { /* copy in */
            fill_spsc(msg, i);
            int rc = sabq_spsc_send_wait(r, msg, spsc_len(i), kTimeout);
            if (rc < 0)
                return fail("spsc send_wait", rc);
        } else { /* in place: reserve, write, commit */
            sabq_spsc_resv resv;
            int rc;
            while ((rc = sabq_spsc_reserve(r, spsc_len(i), &resv)) == -EAGAIN)
                std::this_thread::yield();
            if (rc < 0)
                return fail("spsc reserve", rc);
            fill_spsc(static_cast<unsigned char *>(resv.data), i);
            if ((rc = sabq_spsc_commit(r, &resv, spsc_len(i))) < 0)
                return fail("spsc commit", rc);
        }
    }
    sabq_spsc_close(r);
}

void spsc()
{
    const uint32_t cap = 1u << 12;
    Region region(sabq_spsc_size(cap));
    sabq_spsc r;
    int rc = sabq_spsc_init(&r, region.mem(), region.size(), cap, 0);
    if (rc < 0)
        return fail("spsc init", rc);
    Gate gate;
    std::thread producer(spsc_producer, &r, &gate);
    gate.open();
    uint32_t got = 0;
    unsigned char buf[64];
    for (;; got++) {
        if (got % 2 == 0) { /* copy out */
            rc = sabq_spsc_recv_wait(&r, buf, sizeof buf, kTimeout);
            if (rc >= 0 && !check_spsc(buf, rc, got))
                break;
        } else { /* in place: peek, check, release */
            sabq_spsc_view view;
            rc = sabq_spsc_peek_wait(&r, &view, kTimeout);
            if (rc >= 0) {
                if (!check_spsc(static_cast<const unsigned char *>(view.data), rc, got))
                    break;
                sabq_spsc_release(&r, &view);
            }
        }
        if (rc < 0)
            break;
    }
    sabq_spsc_close(&r); /* if we stopped early, the producer's sends fail now */
    producer.join();
    if (rc != -EPIPE)
        fail("spsc: message " + std::to_string(got) + " wrong or missing", rc < 0 ? rc : 0);
    else if (got != kSpscMessages)
        fail("spsc: end of ring after " + std::to_string(got) + " messages");
    else
        std::printf("spsc: %u messages checked (send_wait/reserve in, recv_wait/peek out)\n", got);
}

/* The pipe's stream: a 32-bit xorshift generator, one byte per step. */
class Stream {
public:
    Stream() : x_(2463534242u) {}
    unsigned char next()
    {
        x_ ^= x_ << 13;
        x_ ^= x_ >> 17;
        x_ ^= x_ << 5;
        return static_cast<unsigned char>(x_);
    }

private:
    uint32_t x_;
};

void pipe_writer(const sabq_pipe *p, Gate *gate)
{
    gate->wait();
    Stream stream;
    std::vector<unsigned char> chunk(8000);
    /* chunks of 1 to 8000 bytes, sizes scattered so writes wrap anywhere */
    for (uint32_t sent = 0, n = 1; sent < kPipeBytes; sent += n, n = (n * 1103 + 613) % 8000 + 1) {
        n = n < kPipeBytes - sent ? n : kPipeBytes - sent;
        for (uint32_t k = 0; k < n; k++)
            chunk[k] = stream.next();
        int rc = sabq_pipe_write_all(p, chunk.data(), n, kTimeout);
        if (rc != static_cast<int>(n))
            return fail("pipe write_all", rc < 0 ? rc : 0);
    }
    sabq_pipe_close(p); /* end of stream, after the reader drains */
}

void pipe()
{
    const uint32_t cap = 1u << 14;
    Region region(sabq_pipe_size(cap));
    sabq_pipe p;
    int rc = sabq_pipe_init(&p, region.mem(), region.size(), cap);
    if (rc < 0)
        return fail("pipe init", rc);
    Gate gate;
    std::thread writer(pipe_writer, &p, &gate);
    gate.open();
    Stream stream;
    unsigned char buf[4096];
    uint64_t got = 0;
    bool same = true;
    while (same && (rc = sabq_pipe_read_wait(&p, buf, sizeof buf, kTimeout)) > 0) {
        for (int k = 0; k < rc; k++)
            same = same && buf[k] == stream.next();
        got += static_cast<uint64_t>(rc);
    }
    sabq_pipe_close(&p); /* if we stopped early, the writer's writes fail now */
    writer.join();
    if (!same)
        fail("pipe: a byte differs near offset " + std::to_string(got));
    else if (rc != 0)
        fail("pipe read_wait", rc);
    else if (got != kPipeBytes)
        fail("pipe: end of stream after " + std::to_string(got) + " bytes");
    else
        std::printf("pipe: %u bytes checked, then end of stream\n", kPipeBytes);
}

struct MpmcMsg {
    uint32_t producer;
    uint32_t seq;
};

void mpmc_producer(const sabq_mpmc *q, Gate *gate, uint32_t id)
{
    gate->wait();
    for (uint32_t i = 0; i < kMpmcPerProducer; i++) {
        MpmcMsg m = {id, i};
        int rc = sabq_mpmc_push_wait(q, &m, sizeof m, kTimeout);
        if (rc < 0)
            return fail("mpmc push_wait", rc);
    }
}

/* Records what it took; per producer, one consumer sees increasing sequence
 * numbers (tickets are claimed in order). */
void mpmc_consumer(const sabq_mpmc *q, Gate *gate, std::vector<uint32_t> *taken)
{
    gate->wait();
    uint32_t next[2] = {0, 0};
    MpmcMsg m;
    int rc;
    while ((rc = sabq_mpmc_pop_wait(q, &m, sizeof m, kTimeout)) == static_cast<int>(sizeof m)) {
        if (m.producer > 1 || m.seq >= kMpmcPerProducer || m.seq < next[m.producer])
            return fail("mpmc: out of order or corrupt message");
        next[m.producer] = m.seq + 1;
        taken->push_back(m.producer * kMpmcPerProducer + m.seq);
    }
    if (rc != -EPIPE)
        fail("mpmc pop_wait", rc < 0 ? rc : 0);
}

void mpmc()
{
    const uint32_t slots = 64;
    Region region(sabq_mpmc_size(slots, sizeof(MpmcMsg)));
    sabq_mpmc q;
    int rc = sabq_mpmc_init(&q, region.mem(), region.size(), slots, sizeof(MpmcMsg));
    if (rc < 0)
        return fail("mpmc init", rc);
    Gate gate;
    std::vector<uint32_t> taken[2];
    std::vector<std::thread> threads;
    for (uint32_t id = 0; id < 2; id++)
        threads.push_back(std::thread(mpmc_producer, &q, &gate, id));
    std::vector<std::thread> consumers;
    for (int c = 0; c < 2; c++)
        consumers.push_back(std::thread(mpmc_consumer, &q, &gate, &taken[c]));
    gate.open();
    for (size_t i = 0; i < threads.size(); i++)
        threads[i].join();
    sabq_mpmc_close(&q); /* consumers drain, then see -EPIPE */
    for (size_t i = 0; i < consumers.size(); i++)
        consumers[i].join();
    std::vector<unsigned char> seen(2 * kMpmcPerProducer, 0);
    size_t total = 0;
    for (int c = 0; c < 2; c++) {
        for (size_t i = 0; i < taken[c].size(); i++)
            if (seen[taken[c][i]]++)
                return fail("mpmc: a message was delivered twice");
        total += taken[c].size();
    }
    if (total != seen.size())
        return fail("mpmc: " + std::to_string(seen.size() - total) + " messages lost");
    std::printf("mpmc: %zu messages from 2 producers to 2 consumers, each exactly once\n", total);
}

} // namespace

int main()
{
    try {
        spsc();
        pipe();
        mpmc();
    } catch (const std::exception &e) {
        fail(e.what());
    }
    if (failures.load() != 0) {
        std::fprintf(stderr, "cpp rings: %d check(s) failed (C++ %ld)\n", failures.load(),
                     static_cast<long>(__cplusplus));
        return 1;
    }
    std::printf("cpp rings: all checks passed (C++ %ld)\n", static_cast<long>(__cplusplus));
    return 0;
}
