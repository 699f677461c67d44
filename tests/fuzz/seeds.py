#!/usr/bin/env python3
"""tests/fuzz/seeds.py — writes the seed corpus tests/fuzz/corpus/TARGET/*.

Each seed is a readable example of a target's input (see the target's C file
for the format): how the region is made, then a script of opcodes. The
fuzzer starts from these and from what earlier runs found (build/fuzz/corpus,
never committed). Run it again after changing an input format:

    python3 tests/fuzz/seeds.py
"""
import os
import re
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def layout_define(name):
    """A number #defined in include/sabq/layout.h: seeds follow the layout."""
    with open(os.path.join(HERE, '..', '..', 'include', 'sabq', 'layout.h')) as f:
        return int(re.search(r'#define %s (0x[0-9a-fA-F]+|[0-9]+)u' % name, f.read()).group(1), 0)


MAGIC, VERSION = layout_define('SABQ_MAGIC'), layout_define('SABQ_VERSION')


def u8(v): return struct.pack('<B', v & 0xff)
def u16(v): return struct.pack('<H', v & 0xffff)
def u32(v): return struct.pack('<I', v & 0xffffffff)


def header(kind, cap, msg_max, stride, total):
    """A region's first line, as init writes it, and the three zeroed lines."""
    line0 = u32(MAGIC) + struct.pack('<HH', VERSION, kind) + u32(cap) + u32(msg_max) + u32(stride)
    line0 += u32(256) + u32(total) + u32(0)
    return line0 + bytes(256 - len(line0))


def scribble(off_words, val, byte=False):
    """The peer's store: a word at 4 * (off >> 1) or a byte at off >> 1."""
    return u16(off_words << 1 | (1 if byte else 0)) + u32(val)


# ---- SPSC: OP_SEND, OP_RESERVE, OP_SEND_BATCH, OP_SEND_WAIT, OP_RECV, OP_PEEK,
#      OP_RECV_BATCH, OP_RECV_WAIT, OP_PEEK_WAIT, OP_CLOSE, OP_USED, OP_SCRIBBLE
S_SEND, S_RESERVE, S_BATCH, S_SEND_WAIT, S_RECV, S_PEEK, S_RECV_BATCH, S_RECV_WAIT, \
    S_PEEK_WAIT, S_CLOSE, S_USED, S_SCRIBBLE = range(12)


def spsc_traffic(rounds):
    s = b''
    for i in range(rounds):
        s += u8(S_SEND) + u16(3 + 17 * i)
        s += u8(S_RESERVE) + u16(40 + i) + u8(1) + u8(5)
        s += u8(S_BATCH) + u16(8) + u8(2) + u16(1) + u16(30)
        s += u8(S_RECV) + u16(0) + u16(2047)
        s += u8(S_PEEK) + u16(0) + u8(2) + u8(1)
        s += u8(S_RECV_BATCH) + u16(0) + u8(3) + u16(2047) + u16(2047) + u16(2047)
        s += u8(S_USED) + u16(0)
    return s


def spsc_seeds():
    init = u8(0) + u8(4) + u16(0) + bytes([0xa5]) * 512          # 256-byte ring, msg_max = limit
    wrap = u8(2) + u8(2) + u16(40) + bytes([0x5a]) * 320 + u8(1)  # 64-byte ring, indices below 2^32
    yield 'init_traffic', init + spsc_traffic(6) + u8(S_CLOSE) + u16(0) + u8(0) + u8(S_RECV) + u16(0) + u16(99)
    yield 'wrap_traffic', wrap + spsc_traffic(12)
    yield 'small_buffers', init + u8(S_SEND) + u16(100) + u8(S_RECV) + u16(0) + u16(10) + u8(S_RECV_BATCH) + \
        u16(5) + u8(1)
    yield 'scribbled', init + spsc_traffic(2) + u8(S_SCRIBBLE) + u16(0) + scribble(16, 0x100) + spsc_traffic(2) + \
        u8(S_SCRIBBLE) + u16(0) + scribble(32, 0xffffffff) + spsc_traffic(2)
    region = header(1, 256, 120, 0, 512) + bytes(256)
    yield 'attach', u8(1) + u16(len(region)) + region + spsc_traffic(3)
    yield 'attach_short', u8(1) + u16(300) + region[:300]


# ---- SPSC fixed-size ring: the same opcodes as the SPSC ring; a length or a
#      buffer size of 0 in the input means the ring's message length.
F_SEND, F_RESERVE, F_BATCH, F_SEND_WAIT, F_RECV, F_PEEK, F_RECV_BATCH, F_RECV_WAIT, \
    F_PEEK_WAIT, F_CLOSE, F_USED, F_SCRIBBLE, F_GEOMETRY = range(13)


def fixed_traffic(rounds, msg_len):
    """Every call, the ring's length, then messages one byte too long and too short."""
    s = b''
    for i in range(rounds):
        s += u8(F_SEND) + u16(0)
        s += u8(F_RESERVE) + u16(0) + u8(1)                           # wrong commits first
        s += u8(F_BATCH) + u16(0) + u8(4) + u16(0) * 3
        s += u8(F_RECV) + u16(0) + u16(0)                             # a buffer of exactly the message
        s += u8(F_PEEK) + u16(0) + u8(2) + u8(3)                      # peek 3, release the second
        s += u8(F_RECV_BATCH) + u16(0) + u8(3) + u16(0) + u16(2047)
        s += u8(F_USED) + u16(0)
        s += u8(F_SEND) + u16(msg_len + 2) + u8(F_SEND) + u16(msg_len)  # msg_len + 1, msg_len - 1 bytes
        s += u8(F_BATCH) + u16(0) + u8(3) + u16(0) + u16(msg_len + 2)   # stops at the second
        s += u8(F_RECV) + u16(0) + u16(msg_len)                         # one byte short
        s += u8(F_SEND_WAIT) + u16(0) + u8(0)
        s += u8(F_RECV_WAIT) + u16(0) + u16(0) + u8(0)
        s += u8(F_PEEK_WAIT) + u16(0) + u8(0) + u8(1) + u8(1)
        s += u8(F_RECV_BATCH) + u16(0) + u8(8) + u16(0) * 7
    return s


def fixed_seeds():
    def init(slots_shift, msg_len, fill):
        slots = 2 << slots_shift
        stride = 4 if msg_len <= 4 else (msg_len + 7) & ~7
        return u8(0) + u8(slots_shift) + u16(msg_len - 1) + bytes([fill]) * min(256 + slots * stride, 512)
    yield 'init_traffic', init(2, 24, 0xa5) + fixed_traffic(6, 24) + u8(F_CLOSE) + u16(0) + u8(0) + \
        u8(F_RECV) + u16(0) + u16(0) + u8(F_RECV_BATCH) + u16(0) + u8(2) + u16(0)
    yield 'two_slots', init(0, 3, 0x5a) + fixed_traffic(8, 3)        # 4-byte slots, always full
    yield 'long', init(1, 1000, 0x11) + fixed_traffic(3, 1000)
    wrap = u8(2) + u8(3) + u16(7) + bytes([0x3c]) * 512 + u16(5)       # 16 x 8 bytes, 6 below 2^32
    yield 'wrap_traffic', wrap + fixed_traffic(12, 8)
    yield 'scribbled', init(2, 24, 0xa5) + fixed_traffic(2, 24) + u8(F_SCRIBBLE) + u16(0) + scribble(16, 0x100) + \
        fixed_traffic(2, 24) + u8(F_SCRIBBLE) + u16(0) + scribble(32, 0x7fffffff) + fixed_traffic(2, 24) + \
        u8(F_SCRIBBLE) + u16(0) + scribble(33, 0x9) + fixed_traffic(2, 24)
    region = header(4, 8, 20, 24, 256 + 8 * 24) + bytes(8 * 24)
    yield 'attach', u8(1) + u16(len(region)) + region + fixed_traffic(3, 20)
    yield 'attach_short', u8(1) + u16(300) + region[:300]              # 448 bytes in 300: -EPROTO
    region = header(4, 4, 2, 4, 256 + 4 * 4) + bytes(16)
    yield 'attach_small', u8(1) + u16(len(region)) + region + fixed_traffic(3, 2)
    geometry = b''.join(u8(F_GEOMETRY) + u16(0) + u32(slots) + u32(msg_len) for slots, msg_len in (
        (8, 32), (2, 128), (4, 1), (16, 16), (1 << 30, 8), (1 << 31, 8), (1 << 12, 1 << 20), (6, 8), (0, 0)))
    yield 'geometry', init(0, 8, 0) + geometry


# ---- pipe: OP_WRITE, OP_WRITE_SPAN, OP_WRITE_ALL, OP_READ, OP_READ_SPAN,
#      OP_READ_WAIT, OP_CLOSE, OP_INFO, OP_SCRIBBLE
P_WRITE, P_WSPAN, P_WALL, P_READ, P_RSPAN, P_RWAIT, P_CLOSE, P_INFO, P_SCRIBBLE = range(9)


def pipe_traffic(rounds):
    s = b''
    for i in range(rounds):
        s += u8(P_WRITE) + u16(5 + 11 * i) + u8(P_WSPAN) + u16(7) + u8(P_WALL) + u16(30) + u8(0)
        s += u8(P_READ) + u16(9) + u8(P_RSPAN) + u16(4) + u8(P_RWAIT) + u16(100) + u8(0) + u8(P_INFO) + u16(0)
    return s


def pipe_seeds():
    init = u8(0) + u8(2) + bytes([0xa5]) * 320                    # 64-byte pipe
    yield 'init_traffic', init + pipe_traffic(8) + u8(P_CLOSE) + u16(0) + u8(P_READ) + u16(200) + \
        u8(P_READ) + u16(1)
    yield 'wrap_traffic', u8(2) + u8(0) + bytes(272) + u16(3) + pipe_traffic(16)
    yield 'scribbled', init + pipe_traffic(2) + u8(P_SCRIBBLE) + u16(0) + scribble(32, 0x40000000) + \
        pipe_traffic(2)
    region = header(2, 512, 0, 0, 768) + bytes(512)
    yield 'attach', u8(1) + u16(len(region)) + region + pipe_traffic(3)


# ---- MPMC: OP_PUSH, OP_PUSH_BULK, OP_PUSH_WAIT, OP_POP, OP_POP_BULK,
#      OP_POP_WAIT, OP_CLAIM_SLOT, OP_TAKE_SLOT, OP_CLOSE, OP_INFO, OP_SCRIBBLE
M_PUSH, M_PUSH_BULK, M_PUSH_WAIT, M_POP, M_POP_BULK, M_POP_WAIT, M_CLAIM, M_TAKE, M_CLOSE, M_INFO, \
    M_SCRIBBLE = range(11)


def mpmc_traffic(rounds):
    s = b''
    for i in range(rounds):
        s += u8(M_PUSH) + u16(4 + i) + u8(M_PUSH_BULK) + u16(8) + u8(2) + u16(1) + u16(12)
        s += u8(M_CLAIM) + u16(6) + u8(1) + u8(3)
        s += u8(M_POP) + u16(0) + u16(64) + u8(M_POP_BULK) + u16(64) + u8(2) + u8(M_TAKE) + u16(0)
        s += u8(M_INFO) + u16(0)
    return s


def mpmc_seeds():
    init = u8(0) + u8(2) + u16(23) + bytes([0xa5]) * 512         # 8 slots of 24 bytes
    yield 'init_traffic', init + mpmc_traffic(6) + u8(M_CLOSE) + u16(0) + u8(M_POP) + u16(0) + u16(64)
    yield 'wrap_traffic', u8(2) + u8(1) + u16(7) + bytes([0x11]) * 512 + u8(5) + mpmc_traffic(10)
    yield 'scribbled', init + mpmc_traffic(2) + u8(M_SCRIBBLE) + u16(0) + scribble(64, 0x7) + mpmc_traffic(2)
    region = header(3, 4, 56, 64, 256 + 4 * 64) + b''.join(u32(i) + u32(0) + bytes(56) for i in range(4))
    yield 'attach', u8(1) + u16(len(region)) + region + mpmc_traffic(3)


# ---- wait: OP_PREPARE, OP_CANCEL, OP_WAIT, OP_NOTIFY, OP_WAKE_ALL,
#      OP_WORD_WAIT, OP_WORD_WAKE, OP_SCRIBBLE
W_PREPARE, W_CANCEL, W_WAIT, W_NOTIFY, W_WAKE_ALL, W_WORD_WAIT, W_WORD_WAKE, W_SCRIBBLE = range(8)


def wait_seeds():
    yield 'announce_notify', u32(7) + u8(W_NOTIFY) + u8(W_PREPARE) + u8(W_NOTIFY) + u8(W_WAIT) + u8(1) + u8(0) + \
        u8(W_PREPARE) + u8(W_WAIT) + u8(1) + u8(1) + u8(W_WAKE_ALL)
    yield 'words', u32(42) + u8(W_WORD_WAIT) + u8(1) + u8(1) + u8(W_WORD_WAIT) + u8(0) + u32(41) + u8(0) + \
        u8(W_WORD_WAKE) + u32(1)
    yield 'scribbled', u32(0) + u8(W_PREPARE) + u8(W_SCRIBBLE) + scribble(1, 0xffffffff) + u8(W_NOTIFY) + \
        u8(W_CANCEL) + u8(W_SCRIBBLE) + scribble(0, 5) + u8(W_WAIT) + u8(0) + u32(5) + u8(0)


# ---- host: cap, starting length, then the string.
def host_seeds():
    yield 'plain', u16(100) + u16(11) + b'fetch-json.v1'
    yield 'escapes', u16(200) + u16(10) + b'https://example.com/a b?c=%41&d=\xff\x01'
    yield 'tight', u16(8) + u16(3) + b'ab/'
    yield 'full', u16(16) + u16(16) + b''


def main():
    for target, seeds in (('fuzz_spsc', spsc_seeds), ('fuzz_spsc_fixed', fixed_seeds), ('fuzz_pipe', pipe_seeds),
                          ('fuzz_mpmc', mpmc_seeds), ('fuzz_wait', wait_seeds), ('fuzz_host', host_seeds)):
        d = os.path.join(HERE, 'corpus', target)
        os.makedirs(d, exist_ok=True)
        for name in os.listdir(d):
            os.remove(os.path.join(d, name))
        for name, data in seeds():
            with open(os.path.join(d, name), 'wb') as f:
                f.write(data)


if __name__ == '__main__':
    main()
