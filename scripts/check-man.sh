#!/bin/sh
# scripts/check-man.sh — the man pages in man/ are clean and complete:
#  - mandoc -T lint and groff -ww report nothing;
#  - every public function of include/sabq/*.h (found by the compiler, so no
#    declaration can slip past a pattern) is named on the NAME line of exactly
#    one page and appears in that page's SYNOPSIS;
#  - every name a page lists is a public function, and each page is named
#    after one of its functions (so `man NAME` finds it).
# A function added to a header without a page fails here. `make test-man`.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
problem() { echo "check-man: $*" >&2; fail=1; }

for page in man/*.[37]; do
    if ! out=$(mandoc -T lint -W warning "$page" 2>&1) || [ -n "$out" ]; then
        problem "mandoc -T lint: $page: ${out:-failed}"
    fi
    if ! out=$(groff -ww -z -t -man "$page" 2>&1) || [ -n "$out" ]; then
        problem "groff -ww: $page: ${out:-failed}"
    fi
done

# Public functions: every function the headers declare or define, as gcc
# reports them (-aux-info), but for sabq_*__* helpers (internal by name).
for h in include/sabq/*.h; do echo "#include <sabq/${h##*/}>"; done > "$tmp/all.c"
gcc -std=c11 -D_DEFAULT_SOURCE -Iinclude -fsyntax-only -aux-info "$tmp/aux" "$tmp/all.c"
grep -F 'include/sabq/' "$tmp/aux" | grep -o 'sabq_[a-z0-9_]* (' | tr -d ' (' |
    grep -v '__' | sort -u > "$tmp/functions"
[ -s "$tmp/functions" ] || problem "found no public function in include/sabq/*.h"

scripts/man-names.sh | grep '\.3 ' > "$tmp/names"
while read -r fn; do
    pages=$(awk -v fn="$fn" '$2 == fn { print $1 }' "$tmp/names")
    case $(echo "$pages" | grep -c .) in
    0) problem "$fn (in include/sabq/) has no man page: add it to a family's page in man/" \
               "(NAME line, SYNOPSIS, RETURN VALUE, ERRORS, CONCURRENCY)"; continue ;;
    1) ;;
    *) problem "$fn is named by more than one page:" $pages; continue ;;
    esac
    awk '/^\.SH SYNOPSIS/ { on = 1; next } /^\.SH/ { on = 0 } on' "man/$pages" |
        grep -q "$fn(" || problem "$fn: named in man/$pages but not in its SYNOPSIS"
done < "$tmp/functions"

while read -r page name; do
    grep -qx "$name" "$tmp/functions" || problem "man/$page names $name, which no header declares"
done < "$tmp/names"
for page in man/*.3; do
    base=${page#man/}
    grep -qx "$base ${base%.3}" "$tmp/names" || problem "$page is not named after one of its functions"
done

[ $fail -eq 0 ] || exit 1
echo "man pages: $(ls man/*.[37] | wc -l) lint-clean, covering all $(wc -l < "$tmp/functions") public functions"
