#!/usr/bin/env bash
# tests/model/check.sh — model-check sabq's protocols with SPIN, and show that
# each property can fail.
#
#   tests/model/check.sh           every configuration below (make model)
#   tests/model/check.sh --short   the rows marked "short" (make test)
#
# 1. Every "@c FILE FUNCTION(): FRAGMENT" a model quotes must still appear
#    verbatim in that function of FILE, in the order the model quotes it: a
#    model of code that has changed fails here, not silently.
# 2. Each model in each of its configurations is searched exhaustively
#    (safety: assertions and invalid end states, i.e. a process blocked for
#    ever) and must report 0 errors with the search complete.
# 3. Each mutant (a -DMUTANT_... build: one ordering, check or step removed)
#    must be refuted: SPIN reports the expected violation, writes a trail, and
#    the trail replays. A model that proves nothing cannot pass this.
#
# Each pan run is capped at SABQ_MODEL_MEMLIM MB (default 4000) and fails if
# it reaches the cap rather than finishing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
short=0
[ "${1:-}" = "--short" ] && short=1
memlim=${SABQ_MODEL_MEMLIM:-4000}
opt=-O2
[ $short -eq 1 ] && opt=-O0 # the short runs are small: compiling pan.c costs more than running it
command -v spin >/dev/null || { echo "model: spin is not installed (apt-get install spin)"; exit 1; }

fail=0

# ---- 1. the C lines each model names -----------------------------------------
# A quote is "@c FILE FUNCTION(): FRAGMENT": FRAGMENT must appear in the body
# of FUNCTION (its definition in FILE, signature to closing brace), and the
# quotes a model makes of one function must appear there in the order it
# makes them. A fragment like `return -EPIPE;` is in many places; in one
# function, after the quote before it, it names one line. A line with "@c "
# in any other shape, or a model that quotes nothing, fails.

# function_body FILE NAME: the text of NAME's definition in FILE (empty if
# none): from the line at column 0 that names NAME( and is not a prototype,
# to the brace that closes it (braces counted outside comments).
function_body() {
    awk -v name="$2" '
    function code(line) { # the line without comments, as far as brace counting goes
        if (in_comment) { if (!sub(/^.*\*\//, "", line)) return ""; in_comment = 0 }
        gsub(/\/\*([^*]|\*+[^*\/])*\*+\//, "", line)
        if (sub(/\/\*.*$/, "", line)) in_comment = 1
        sub(/\/\/.*$/, "", line)
        return line
    }
    !found && !started && $0 ~ ("(^|[^A-Za-z0-9_])" name "\\(") && $0 ~ /^[A-Za-z_]/ { cand = 1; text = "" }
    cand {
        text = text $0 "\n"
        c = code($0)
        if (!started && c ~ /;[[:space:]]*$/ && c !~ /\{/) { cand = 0; next } # a prototype
        if (c ~ /\{/) started = 1
        if (started) {
            depth += gsub(/\{/, "{", c) - gsub(/\}/, "}", c)
            if (depth == 0) { printf "%s", text; found = 1; cand = 0; started = 0 }
        }
        next
    }
    { code($0) }
    ' "$1"
}

quoted=0
bad=0
declare -A bodies at
for model in "$here"/*.pml; do
    n=0
    at=()
    while IFS= read -r line; do
        if [[ ! "$line" =~ @c\ ([a-z_/]+\.[ch])\ ([A-Za-z_][A-Za-z0-9_]*)\(\):\ (.+)$ ]]; then
            echo "FAIL: $(basename "$model"): a malformed quote (want '@c FILE FUNCTION(): FRAGMENT'): ${line#*@c }"
            fail=1 bad=$((bad + 1))
            continue
        fi
        file=${BASH_REMATCH[1]} func=${BASH_REMATCH[2]} frag=${BASH_REMATCH[3]}
        n=$((n + 1))
        key="$file $func"
        if [ -z "${bodies[$key]+set}" ]; then
            bodies[$key]=$([ -f "$root/$file" ] && function_body "$root/$file" "$func")
        fi
        body=${bodies[$key]}
        if [ -z "$body" ]; then
            echo "FAIL: $(basename "$model"): $file has no function $func() (quoted: $frag)"
            fail=1 bad=$((bad + 1))
            continue
        fi
        from=${at[$key]:-0}
        rest=${body:$from}
        before=${rest%%"$frag"*}
        if [ "$before" = "$rest" ]; then
            if [[ "$body" == *"$frag"* ]]; then
                echo "FAIL: $(basename "$model"): in $file $func(), not after the quote before it (out of order, or quoted more often than it appears): $frag"
            else
                echo "FAIL: $(basename "$model"): $file $func() no longer contains what the model quotes: $frag"
            fi
            fail=1 bad=$((bad + 1))
            continue
        fi
        at[$key]=$((from + ${#before} + ${#frag}))
    done < <(grep -h '@c ' "$model")
    if [ "$n" -eq 0 ]; then
        echo "FAIL: $(basename "$model") quotes no C: a model must name the lines it models"
        fail=1 bad=$((bad + 1))
    fi
    quoted=$((quoted + n))
done
if [ "$bad" -eq 0 ]; then
    echo "model: $quoted quoted C lines found, each in its function and in order"
else
    echo "model: $bad quote problems (above) among $quoted quoted C lines"
fi

# ---- 2 and 3. the runs --------------------------------------------------------
# when   model     flags                                              expect
# when: short (also in --short) or full. expect: pass, deadlock (an invalid
# end state: somebody blocked for ever) or "assert:TEXT" (that assertion).
# Every ring model's re-check and close-wake mutants run in the short form
# too (checked below): a ring that lost its re-check or its close wake-up
# must fail make test, not only make model.
runs=$(cat <<'EOF'
short wait.pml  -                                                     pass
short wait.pml  -DCLOSE                                               pass
short wait.pml  -DMUTANT_NO_RECHECK                                   deadlock
short wait.pml  -DMUTANT_KEY_AFTER_RECHECK                            deadlock
short wait.pml  -DMUTANT_NO_HEAVY_BARRIER                             deadlock
short wait.pml  -DMUTANT_WAKE_NO_RELEASE                              deadlock
short wait.pml  -DCLOSE,-DMUTANT_CLOSE_NO_WAKE                        deadlock
short wait.pml  -DMUTANT_NO_CANCEL                                    assert:(waiters[0]==0)&&(waiters[1]==0)
full  pipe.pml  -                                                     pass
short pipe.pml  -DN=4                                                 pass
short pipe.pml  -DN=4,-DMUTANT_HEAD_BEFORE_BYTES                      assert:data[((t+i)&1)]==((k+i)+1)
short pipe.pml  -DN=4,-DMUTANT_TAIL_BEFORE_READ                       assert:data[((t+i)&1)]==((k+i)+1)
short pipe.pml  -DN=4,-DMUTANT_EOF_NO_REREAD                          assert:(k==4)
short pipe.pml  -DN=4,-DMUTANT_EOF_DECIDED_LATE                       assert:(k==4)
short pipe.pml  -DN=4,-DMUTANT_NOTIFY_WRONG_EVENT                     deadlock
short pipe.pml  -DN=4,-DMUTANT_NO_WRAP                                assert:data[((t+i)&1)]==((k+i)+1)
short pipe.pml  -DN=4,-DMUTANT_NO_RECHECK                             deadlock
short pipe.pml  -DN=4,-DMUTANT_CLOSE_NO_WAKE                          deadlock
full  mpmc.pml  -DNPROD=2,-DNCONS=2,-DM=2,-DPOLL                      pass
full  mpmc.pml  -DNPROD=2,-DNCONS=2,-DM=1                             pass
full  mpmc.pml  -DNPROD=2,-DNCONS=1,-DM=2                             pass
short mpmc.pml  -DNPROD=1,-DNCONS=2,-DM=2                             pass
short mpmc.pml  -DNPROD=1,-DNCONS=2,-DM=3,-DPOLL                      pass
short mpmc.pml  -DNPROD=2,-DNCONS=1,-DM=1,-DRACE_CLOSE                pass
short mpmc.pml  -DNPROD=1,-DNCONS=2,-DM=1,-DRACE_CLOSE                pass
short mpmc.pml  -DNPROD=1,-DNCONS=2,-DM=2,-DMUTANT_TURN_BEFORE_PAYLOAD assert:((rc==0)&&(got>=1))&&(got<=(1*2))
short mpmc.pml  -DNPROD=1,-DNCONS=1,-DM=3,-DMUTANT_RETURN_BEFORE_COPY assert:((got-1)%3)>=next[p]
short mpmc.pml  -DNPROD=1,-DNCONS=2,-DM=2,-DMUTANT_PLAIN_CLAIM        assert:(received[got]==1)
short mpmc.pml  -DNPROD=1,-DNCONS=2,-DM=2,-DMUTANT_EPIPE_WHEN_CLOSED  assert:(pushed[i]==2)||(received[i]==pushed[i])
short mpmc.pml  -DNPROD=1,-DNCONS=2,-DM=3,-DPOLL,-DMUTANT_STALE_TAIL_EPROTO assert:(rc!=71)
short mpmc.pml  -DNPROD=1,-DNCONS=2,-DM=2,-DMUTANT_NO_WRAP            assert:(tail!=pos)
short mpmc.pml  -DNPROD=1,-DNCONS=2,-DM=2,-DMUTANT_NO_RECHECK         deadlock
short mpmc.pml  -DNPROD=2,-DNCONS=1,-DM=1,-DRACE_CLOSE,-DMUTANT_CLOSE_NO_WAKE deadlock
EOF
)
# Models that carry their rows in their header comment (" * check.sh: ROW").
for model in spsc.pml spsc_fixed.pml; do
    if [ -f "$here/$model" ]; then runs+=$'\n'"$(sed -n 's/^ \* check.sh: //p' "$here/$model")"; fi
done

for model in pipe.pml mpmc.pml spsc.pml spsc_fixed.pml; do
    for mutant in MUTANT_NO_RECHECK MUTANT_CLOSE_NO_WAKE; do
        if ! grep -qE "^short +$model +[^ ]*-D$mutant(,| )" <<<"$runs"; then
            echo "FAIL: $model: no short run of its $mutant mutant (make test must refute it)"
            fail=1
        fi
    done
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here"/*.pml "$work"/
cd "$work"

passed=0 refuted=0 total_states=0
start=$(date +%s.%N)
while read -r when model flags expect; do
    [ -z "$when" ] && continue
    [ $short -eq 1 ] && [ "$when" != short ] && continue
    defs=()
    [ "$flags" != - ] && IFS=, read -r -a defs <<<"$flags"
    label="$model ${flags//,/ }"
    rm -f pan pan.* ./*.trail
    if ! spin -a "${defs[@]}" "$model" >spin.out 2>&1; then
        echo "FAIL: $label: spin -a"; cat spin.out; fail=1; continue
    fi
    gcc -w "$opt" -DSAFETY -DMEMLIM="$memlim" -o pan pan.c
    t0=$(date +%s.%N)
    ./pan -m2000000 -n >pan.out 2>&1 || true
    secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {print b - a}')
    states=$(awk '/states, stored/ {print $1; exit}' pan.out)
    total_states=$(awk -v a="$total_states" -v b="${states:-0}" 'BEGIN {printf "%.0f", a + b}')
    errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' pan.out | head -1)
    incomplete=$(grep -E 'MEMLIM|depth too small|out of memory' pan.out || true)
    what=$(sed -n 's/^pan:1: \(.*\) (at depth.*/\1/p' pan.out | head -1)
    stats=$(printf '%s states, %.1f s' "$states" "$secs")
    if [ -n "$incomplete" ]; then
        echo "FAIL: $label: search incomplete ($incomplete)"; fail=1; continue
    fi
    if [ "$expect" = pass ]; then
        if [ "$errors" = 0 ]; then
            printf 'proven   %-58s %s\n' "$label" "$stats"; passed=$((passed + 1))
        else
            echo "FAIL: $label: $what"; fail=1
        fi
        continue
    fi
    case $expect in
    deadlock) want='invalid end state' ;;
    assert:*) want="assertion violated (${expect#assert:}" ;;
    esac
    if [ "${errors:-0}" -lt 1 ]; then
        echo "FAIL: $label: the mutant was not refuted ($stats)"; fail=1; continue
    fi
    if [[ "$what" != "$want"* && "$what" != "assertion violated ${want#assertion violated (}"* ]]; then
        echo "FAIL: $label: refuted by '$what', expected '$want'"; fail=1; continue
    fi
    trail=$(ls ./*.trail 2>/dev/null | head -1)
    if [ -z "$trail" ] || ! spin -t "${defs[@]}" "$model" >replay.out 2>&1 ||
        ! grep -q 'trail ends after' replay.out; then
        echo "FAIL: $label: no trail that replays"; fail=1; continue
    fi
    steps=$(sed -n 's/.*trail ends after \([0-9]*\) steps.*/\1/p' replay.out)
    printf 'refuted  %-58s %s: %s, trail of %s steps\n' "$label" "$stats" "$what" "$steps"
    refuted=$((refuted + 1))
done <<<"$runs"

total=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.0f", b - a}')
echo "model: $passed configurations proven, $refuted mutants refuted, $total_states states, ${total} s"
exit $fail
