#!/bin/sh
# scripts/man-names.sh — for each page man/*.3 and man/*.7, print "PAGE NAME"
# for every name on its NAME line (".SH NAME", then "a, b, c \- what"):
# `make install` links each name to its page, and scripts/check-man.sh checks
# them against the headers.
set -eu
cd "$(dirname "$0")/.."
for page in man/*.[37]; do
    awk -v page="${page#man/}" '
        found { sub(/ \\- .*/, ""); n = split($0, names, /, */)
                for (i = 1; i <= n; i++) print page, names[i]; exit }
        /^\.SH NAME$/ { found = 1 }' "$page"
done
