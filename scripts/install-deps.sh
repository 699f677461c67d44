#!/usr/bin/env bash
# scripts/install-deps.sh — install what the build and the tests need on Debian 12,
# and nothing when it is all there already. Called by the Makefile; safe to re-run.
#   scripts/install-deps.sh native   C and C++ compilers, Criterion tests, sanitizers,
#                                    man page tools (mandoc, groff, man)
#                           wasm     freestanding sabq.wasm (lld, binaryen, wabt)
#                           js       Node.js >= 20.14 and npm (the npm packages come
#                                    from package-lock.json through `npm ci`); stops
#                                    with what to install when Node is older
#                           emscripten  emcc, for build/em/libsabq.a
#                           browser  Debian's Chromium and Firefox ESR, driven by puppeteer-core
#                           rust     Debian's rustc with the wasm32-unknown-unknown std,
#                                    for the Rust host example (examples/rust/)
#                           plugins  wasi-libc, for the WASI test plugins
#                           bench    peers: concurrencykit, liburcu, boost (lockfree),
#                                    moodycamel's ReaderWriterQueue and ConcurrentQueue
#                           model    SPIN, the model checker (tests/model)
set -euo pipefail

need_pkgs=()
check_node=0
want() { # want PACKAGE PROBE...: queue PACKAGE unless every probe succeeds
    local pkg=$1; shift
    for probe in "$@"; do
        if ! eval "$probe" >/dev/null 2>&1; then need_pkgs+=("$pkg"); return; fi
    done
}

# The tests need Node.js 20.14 or later: `node --test` with --test-force-exit
# and --test-timeout, Atomics.waitAsync, and the npm packages' engines.
NODE_MIN=20.14
version_ok() { # version_ok X.Y[...]: X.Y >= NODE_MIN
    local v=${1#v} major minor
    major=${v%%.*}; minor=${v#*.}; minor=${minor%%[!0-9]*}
    [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || return 1
    [ "$major" -gt "${NODE_MIN%.*}" ] || { [ "$major" -eq "${NODE_MIN%.*}" ] && [ "$minor" -ge "${NODE_MIN#*.}" ]; }
}
apt_candidate() { apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: *\([0-9.]*\).*/\1/p'; }
node_too_old() {
    cat >&2 <<EOF
install-deps: the tests need Node.js $NODE_MIN or later (node --test with
  --test-force-exit and --test-timeout); this machine has: $1.
  Debian 12's own nodejs package is 18, too old. Install Node.js 20 or 22
  from NodeSource (https://github.com/nodesource/distributions: its apt
  repository, package nodejs, which brings npm) or with nvm, so that \`node\`
  on PATH is that one, then run make again.
EOF
    exit 1
}

for part in "${@:-native}"; do
    case $part in
    native)
        want make "command -v make"
        want gcc "command -v gcc"
        want g++ "command -v g++"
        want mandoc "command -v mandoc"
        want groff-base "command -v groff"
        want man-db "command -v man"
        want clang "command -v clang"
        want pkg-config "command -v pkg-config"
        want libcriterion-dev "test -f /usr/include/criterion/criterion.h"
        want libclang-rt-14-dev "ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.tsan-x86_64.a"
        ;;
    wasm)
        want clang "command -v clang"
        want lld "command -v wasm-ld"
        want binaryen "command -v wasm-opt"
        want wabt "command -v wasm-objdump"
        ;;
    js)
        # Debian 12's own nodejs is 18, too old: installing it would only
        # end in the version check below.
        if ! command -v node >/dev/null; then
            candidate=$(apt_candidate nodejs)
            version_ok "$candidate" || node_too_old "no node, and apt's nodejs is ${candidate:-not available}"
        fi
        want nodejs "command -v node"
        want npm "command -v npm"
        check_node=1
        ;;
    emscripten)
        want emscripten "command -v emcc"
        ;;
    browser)
        want chromium "test -x /usr/bin/chromium"
        want firefox-esr "test -x /usr/bin/firefox-esr"
        ;;
    rust)
        # /usr/bin/rustc by path: a rustup toolchain earlier on PATH may lack the wasm target.
        want rustc "test -x /usr/bin/rustc"
        want libstd-rust-dev-wasm32 "ls /usr/lib/rustlib/wasm32-unknown-unknown/lib/libstd-*.rlib"
        ;;
    plugins)
        want wasi-libc "test -f /usr/include/wasm32-wasi/stdio.h"
        want libclang-rt-14-dev-wasm32 "ls /usr/lib/llvm-14/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a"
        want lld "command -v wasm-ld"
        ;;
    model)
        want spin "command -v spin"
        want bc "command -v bc"
        ;;
    bench)
        want libck-dev "test -f /usr/include/ck_ring.h"
        want liburcu-dev "ls /usr/include/*/urcu/wfcqueue.h"
        want libboost-dev "test -f /usr/include/boost/lockfree/spsc_queue.hpp"
        want libreaderwriterqueue-dev "test -f /usr/include/readerwriterqueue/readerwriterqueue.h"
        want libconcurrentqueue-dev "test -f /usr/include/concurrentqueue/concurrentqueue.h"
        want g++ "command -v g++"
        ;;
    *) echo "install-deps: unknown part '$part'" >&2; exit 2 ;;
    esac
done

if [ ${#need_pkgs[@]} -gt 0 ]; then
    echo "install-deps: installing ${need_pkgs[*]}"
    SUDO=
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}"
fi
if [ $check_node -eq 1 ]; then
    found=$(node --version 2>/dev/null) || found=none
    version_ok "$found" || node_too_old "node $found"
fi
