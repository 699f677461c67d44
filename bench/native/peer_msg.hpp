// bench/native/peer_msg.hpp — the message types of the C++ peers: `size`
// bytes by value, aligned as the C benchmarks' own structs (4 for 4 bytes,
// 8 above), and the dispatch from a run-time size to the compile-time type.
#ifndef SABQ_BENCH_PEER_MSG_HPP
#define SABQ_BENCH_PEER_MSG_HPP

#include <cstddef>
#include <cstdint>

template <std::size_t N> struct alignas(N < 8 ? N : 8) Msg {
    unsigned char b[N];
};

// Calls f.template operator()<N>() (a C++20 template lambda) for the N equal
// to `size`, one of the benchmarked sizes, and returns its result; a
// value-initialised result (0, nullptr) for any other size.
template <typename F> inline auto with_size(uint32_t size, F &&f)
{
    using R = decltype(f.template operator()<8>());
    switch (size) {
    case 4: return f.template operator()<4>();
    case 8: return f.template operator()<8>();
    case 16: return f.template operator()<16>();
    case 64: return f.template operator()<64>();
    case 1024: return f.template operator()<1024>();
    default: return R{};
    }
}

#endif
