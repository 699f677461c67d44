#!/usr/bin/env bash
# bench/instr.sh BIN_DIR — instructions per send + receive pair (one thread,
# bursts of 16; bench/native/spsc_instr.c), counted by callgrind: the count
# of ROUNDS rounds minus that of 0 rounds, divided by the pairs. For
# docs/layout.md's instruction figures; `make bench-instr` runs it.
set -euo pipefail
bin=${1:?usage: bench/instr.sh BIN_DIR}
command -v valgrind >/dev/null || { echo "bench-instr: valgrind is not installed"; exit 1; }
rounds=100000
count() { # PROGRAM IMPL SIZE ROUNDS -> instructions callgrind collected
    local prog=$1
    shift
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin/$prog" "$@" 2>&1 >/dev/null |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
per_pair() { # PROGRAM IMPL SIZE
    local base total
    base=$(count "$1" "$2" "$3" 0)
    total=$(count "$1" "$2" "$3" "$rounds")
    awk -v t="$total" -v b="$base" -v n="$((rounds * 16))" 'BEGIN { printf "%.1f", (t - b) / n }'
}
for size in 8 4; do
    for impl in slot sabq-fixed sabq; do
        line="$(printf '%-10s %s B: %s instructions per send + receive' "$impl" "$size" "$(per_pair spsc_instr "$impl" "$size")")"
        [ "$impl" != slot ] && line="$line; $(per_pair spsc_instr_lib "$impl" "$size") with every call in libsabq (SABQ_NO_INLINE)"
        echo "$line"
    done
done
