#!/usr/bin/env bash
# scripts/run-suites.sh — how `make test` runs its suites: one after another,
# each a make target, timed, so that a slow one is visible. Stops at the first
# that fails, naming it; at the end prints every suite's time and the total.
#
#   scripts/run-suites.sh MAKE SUITE...
set -uo pipefail

make=$1
shift
start=$(date +%s)
times=()
for suite in "$@"; do
    t0=$(date +%s)
    echo "make test: $suite ..."
    if ! $make --no-print-directory "$suite"; then
        echo "make test: $suite FAILED after $(($(date +%s) - t0)) s" >&2
        exit 1
    fi
    took=$(($(date +%s) - t0))
    echo "make test: $suite passed in $took s"
    times+=("$(printf '%6d s  %s' "$took" "$suite")")
done
total=$(($(date +%s) - start))
echo "make test: the suites' times, slowest first:"
printf '%s\n' "${times[@]}" | sort -rn
printf 'make test: %d suites in %d min %02d s on %s, %s CPUs\n' "$#" $((total / 60)) $((total % 60)) \
    "$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p')" "$(nproc)"
