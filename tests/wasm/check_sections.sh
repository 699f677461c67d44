#!/usr/bin/env bash
# tests/wasm/check_sections.sh — fails if sabq.wasm could write memory it does
# not own: a data segment, a global (the shadow stack pointer is one), a start
# function, or a memory it defines instead of importing as shared.
set -euo pipefail
wasm=${1:?usage: check_sections.sh sabq.wasm}
headers=$(wasm-objdump -h "$wasm")
fail=0
for section in Data DataCount Global Start Memory; do
    if grep -qE "^ *$section " <<<"$headers"; then
        echo "FAIL: $wasm has a $section section"; fail=1
    fi
done
imports=$(wasm-objdump -x -j Import "$wasm")
grep -q 'memory\[0\].* shared <- env.memory' <<<"$imports" || { echo "FAIL: memory is not an imported shared env.memory"; fail=1; }
# Into a variable first: `objdump | grep -q` under pipefail fails the pipeline
# when grep exits at the first match and objdump gets SIGPIPE.
disassembly=$(wasm-objdump -d "$wasm")
if grep -qE 'global\.(get|set)' <<<"$disassembly"; then
    echo "FAIL: code touches a global (shadow stack?)"; fail=1
fi
[ $fail -eq 0 ] && echo "sections: 1 passed, 0 failed (no data, no globals, imported shared memory)"
exit $fail
