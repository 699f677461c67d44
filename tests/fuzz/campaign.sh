#!/usr/bin/env bash
# tests/fuzz/campaign.sh — `make fuzz`: each libFuzzer target run for its
# share of the 10^8 executions, in chunks, several at a time, and resumable.
#
#   tests/fuzz/campaign.sh run JOBS CHUNK TARGET=RUNS...   run what is left
#   tests/fuzz/campaign.sh status TARGET=RUNS...           what is done, what is left
#   tests/fuzz/campaign.sh reset                           forget what was counted
#
# A chunk is one libFuzzer process of CHUNK executions (fewer for a target's
# last); JOBS chunks run at once (one per core: each is single-threaded),
# the targets' chunks queued in the order given (longest first), so every
# core stays busy to the end. Each chunk that finishes without a report adds
# its executions to build/fuzz/progress/TARGET, under a hash of the sources
# it was built from; stopping the run (Ctrl-C, a reboot) loses at most the
# chunks in flight, and the next `make fuzz` does only what is left. Counts
# made on other sources do not count: change the code and the target starts
# over. A report (crash, leak, check, timeout) stops the run and is kept as
# build/fuzz/crash-* (or leak-, timeout-), its log as build/fuzz/TARGET.fail.log.
# Inputs that found new coverage go to build/fuzz/corpus/TARGET, kept between
# runs, so a resumed run goes on from what earlier chunks learned.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
self=$root/tests/fuzz/$(basename "$0")
cd "$root"
B=build/fuzz
progress=$B/progress
# One line per `make fuzz` session: its date, wall seconds, jobs: the wall
# time of a campaign is the sum of its sessions since the last reset.
sessions=$progress/sessions
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-10}

# The sources a target is built from (mk/fuzz.mk): what its counts are of.
code_hash() {
    cat "tests/fuzz/$1.c" tests/fuzz/fuzz.h lib/*.c lib/*.h include/sabq/*.h | sha1sum | cut -c1-12
}

# Executions of TARGET counted for its current sources; seconds they took.
counted() {
    local hash file=$progress/$1
    hash=$(code_hash "$1")
    [ -f "$file" ] || { echo "0 0"; return; }
    awk -v h="$hash" '$1 == h { n += $2; s += $3 } END { printf "%d %d\n", n, s }' "$file"
}

# Executions counted for TARGET's earlier sources (to say why they no longer count).
stale() {
    local hash file=$progress/$1
    hash=$(code_hash "$1")
    [ -f "$file" ] || { echo 0; return; }
    awk -v h="$hash" '$1 != h { n += $2 } END { printf "%d\n", n }' "$file"
}

group() { # 25000000 -> 25,000,000
    local n=$1 out=""
    while [ ${#n} -gt 3 ]; do
        out=",${n: -3}$out"
        n=${n:0:${#n}-3}
    done
    printf '%s' "$n$out"
}

status() {
    local spec target runs done secs left all_left=0
    for spec in "$@"; do
        target=${spec%%=*} runs=${spec#*=}
        read -r done secs < <(counted "$target")
        left=$((runs > done ? runs - done : 0))
        all_left=$((all_left + left))
        printf 'fuzz: %-15s %13s of %13s executions done (in %s s of chunks), %s left' "$target" \
            "$(group "$done")" "$(group "$runs")" "$secs" "$(group "$left")"
        [ "$(stale "$target")" -gt 0 ] && printf ' (%s counted on other sources do not count)' "$(group "$(stale "$target")")"
        echo
    done
    [ "$all_left" -eq 0 ]
}

# One chunk: TARGET, RUNS executions. Exit 255 on a report, which makes
# xargs start no further chunk.
chunk() {
    local target=$1 runs=$2 hash log t0 rc n
    hash=$(code_hash "$target")
    mkdir -p "$B/corpus/$target" "$B/log"
    log=$B/log/$target.$$.log
    t0=$(date +%s)
    rc=0
    nice "$B/$target" -timeout="$FUZZ_TIMEOUT" -max_len=4096 -print_final_stats=1 -artifact_prefix="$B/" \
        -runs="$runs" "$B/corpus/$target" "tests/fuzz/corpus/$target" >"$log" 2>&1 || rc=$?
    if [ $rc -ne 0 ]; then
        if grep -q 'run interrupted' "$log"; then # stopped, not a finding
            rm -f "$log"
            exit 1
        fi
        mv "$log" "$B/$target.fail.log"
        echo "fuzz: $target: a report (exit $rc); the input is in $B/, the log in $B/$target.fail.log:" >&2
        tail -40 "$B/$target.fail.log" >&2
        exit 255
    fi
    n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "$hash ${n:-0} $(($(date +%s) - t0)) $(date +%F)" >>"$progress/$target"
    mv "$log" "$B/$target.log"
    echo "fuzz: $target: $(group "${n:-0}") executions in $(($(date +%s) - t0)) s"
}

run() {
    local jobs=$1 chunk_size=$2 spec target runs done secs left
    shift 2
    mkdir -p "$progress"
    # One session at a time: two would run the same chunks. The logs left
    # are of chunks a stopped session lost.
    exec 9>"$progress/lock"
    flock -n 9 || { echo "fuzz: another make fuzz is running here" >&2; exit 1; }
    rm -rf "$B/log"
    status "$@" || true
    local queue=()
    for spec in "$@"; do
        target=${spec%%=*} runs=${spec#*=}
        read -r done secs < <(counted "$target")
        left=$((runs > done ? runs - done : 0))
        while [ $left -gt 0 ]; do
            n=$((left < chunk_size ? left : chunk_size))
            queue+=("$target $n")
            left=$((left - n))
        done
    done
    local start rc=0
    start=$(date +%s)
    if [ ${#queue[@]} -gt 0 ]; then
        echo "fuzz: ${#queue[@]} chunks of up to $(group "$chunk_size") executions, $jobs at a time"
        # A stopped session's wall time counts too: it is part of the campaign's.
        trap 'echo "$(date +%F) $(($(date +%s) - start)) $jobs" >>"$sessions"
              echo "fuzz: stopped; what is counted stays counted: make fuzz goes on from there" >&2
              exit 130' INT TERM
        printf '%s\n' "${queue[@]}" | xargs -P "$jobs" -L 1 "$self" chunk || rc=$?
        trap - INT TERM
        echo "$(date +%F) $(($(date +%s) - start)) $jobs" >>"$sessions"
    fi
    echo "fuzz: this session took $(($(date +%s) - start)) s on $(cpu), $jobs at a time"
    if [ $rc -eq 124 ]; then # a chunk exited 255: a report, shown above
        echo "fuzz: stopped on a report; what is counted stays counted for these sources" >&2
        exit 1
    elif [ $rc -ne 0 ]; then
        echo "fuzz: stopped; what is counted stays counted: make fuzz goes on from there" >&2
        exit 1
    fi
    if status "$@" >/dev/null; then
        local total=0
        for spec in "$@"; do
            read -r done secs < <(counted "${spec%%=*}")
            total=$((total + done))
        done
        local sources dates wall n_sessions how
        sources="commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
        git diff --quiet HEAD -- lib include tests/fuzz 2>/dev/null || sources="$sources + local changes"
        dates=$(cat "$progress"/fuzz_* 2>/dev/null | awk '{ print $4 }' | sort | sed -n '1p;$p' | uniq | paste -sd/ | sed 's|/| to |')
        read -r wall n_sessions < <(awk '{ s += $2; n++ } END { printf "%d %d\n", s, n }' "$sessions" 2>/dev/null || echo "0 0")
        how="chunks of $(group "$chunk_size"), $jobs at a time"
        echo "make fuzz: complete: $(group "$total") executions, no report, on $sources."
        echo "For docs/layout.md (Untrusted peers), the rows of this campaign:"
        local meta="$how | $dates | $(cpu), $(nproc) vCPUs | $sources"
        for spec in "$@"; do
            read -r done secs < <(counted "${spec%%=*}")
            echo "| $meta | ${spec%%=*} | $(group "$done") | $secs s | 0 |"
            meta=" | | |"
        done
        echo "| | | | | all | $(group "$total") | $wall s wall ($((wall / 60)) min; sessions: $n_sessions) | 0 |"
    fi
}

cpu() { lscpu | sed -n 's/^Model name: *//p'; }

case ${1:-} in
run) shift; run "$@" ;;
status) shift; status "$@" || true ;;
chunk) shift; chunk "$@" ;;
reset) rm -rf "$progress"; echo "fuzz: counts forgotten; the corpus in $B/corpus stays" ;;
*) echo "usage: $0 run JOBS CHUNK TARGET=RUNS... | status TARGET=RUNS... | reset" >&2; exit 2 ;;
esac
