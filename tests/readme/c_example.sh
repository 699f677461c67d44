#!/usr/bin/env bash
# tests/readme/c_example.sh — compiles and runs the README's C example as it
# is written: its #include lines at the top, the rest as the body of main().
# Run in one thread, the producer's lines then the consumer's, it must print
# the message once and end. Usage: c_example.sh CC LIBSABQ_A BUILD_DIR
set -euo pipefail
cc=${1:?cc} lib=${2:?libsabq.a} out=${3:?build dir}
root=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out"
body=$(awk '/^```c$/ { inside = 1; next } /^```$/ { if (inside) exit } inside' "$root/README.md")
[ -n "$body" ] || { echo "FAIL: no C example in README.md"; exit 1; }
{
    echo '#include <stdio.h>'
    echo '#include <stdlib.h>'
    grep '^#include' <<<"$body"
    echo 'int main(void)'
    echo '{'
    grep -v '^#include' <<<"$body"
    echo 'free(mem);'
    echo 'return n == -EPIPE ? 0 : 1;'
    echo '}'
} >"$out/readme_example.c"
"$cc" -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -I"$root/include" "$out/readme_example.c" "$lib" \
    -lpthread -o "$out/readme_example"
got=$("$out/readme_example")
[ "$got" = hello ] || { echo "FAIL: the README example printed '$got'"; exit 1; }
echo "readme: 1 passed, 0 failed (the C example compiles, runs and prints hello)"
