# sabq — build, install and test. `make help` lists the targets.
#
# Build variants share the sources and differ by flags; each has its own
# directory under build/ so a TSan object never links into a release binary.

PREFIX ?= /usr/local
CC ?= cc
ifeq ($(origin CC),default)
CC := cc
endif
VERSION := 0.1.0

WARN := -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes
CSTD := -std=c11 -D_DEFAULT_SOURCE
CFLAGS ?= -O2 -g
ALL_CFLAGS := $(CSTD) $(WARN) $(CFLAGS) -Iinclude -fPIC
LDLIBS := -lpthread

# Wait backend: futex on Linux, the portable poller elsewhere.
ifeq ($(shell uname -s),Linux)
WAIT_SRC := lib/wait_linux.c
else
WAIT_SRC := lib/wait_fallback.c
endif
LIB_SRC := lib/region.c lib/wait.c $(WAIT_SRC) lib/spsc.c lib/spsc_fixed.c lib/pipe.c lib/mpmc.c \
           lib/shm.c lib/strerror.c
HEADERS := $(wildcard include/sabq/*.h) lib/internal.h lib/js_abi.h

B := build
LIB_OBJ := $(LIB_SRC:lib/%.c=$(B)/obj/%.o)

PHONY_EXTRA := plugins rust serve test-browser test-bundlers stress-opfs test-emscripten test-cpp test-cpp-headers bench \
               bench-smoke bench-deps bench-instr model test-model fuzz fuzz-build fuzz-status fuzz-reset test-fuzz soak \
               test-readme-c kill test-kill
.PHONY: $(PHONY_EXTRA) all deps install uninstall test test-demo test-install test-unit test-stress test-tsan test-asan \
        test-compilers test-man test-js test-wasm-sections wasm demo clean help

all: $(B)/libsabq.a $(B)/libsabq.so $(B)/sabq.pc

help:
	@echo "make            build/libsabq.a, build/libsabq.so, build/sabq.pc"
	@echo "make demo       run the native example (producer and consumer per ring kind)"
	@echo "make test       install check, man pages, unit, stress, TSan, ASan+UBSan, hostile-peer,"
	@echo "                two-process, wasm, emscripten, C++, Node, Chromium and Firefox tests,"
	@echo "                apps built by bundlers, benchmark smoke run, short model/fuzz/kill runs"
	@echo "make install    PREFIX=$(PREFIX): headers, libraries, sabq.pc, man pages"
	@echo "make test-cpp   the headers as C++11..23 (g++, clang++, em++), examples/cpp/rings.cpp run"
	@echo "make test-man   man/ lint-clean and covering every public function"
	@echo "make test-bundlers  the npm package in apps built by Vite, webpack and esbuild"
	@echo "make stress-opfs    OPFS_SPAWNS (300) spawns with an OPFS mount in each browser, none may hang"
	@echo "make bench-instr  instructions per SPSC send + receive under callgrind (bench/instr.sh)"
	@echo "make model      SPIN models of every protocol, each property shown able to fail (tests/model)"
	@echo "make fuzz       libFuzzer targets, 1.1 x 10^8 executions in all (tests/fuzz); resumable:"
	@echo "                stopped, the next make fuzz does what is left (make fuzz-status)"
	@echo "make soak       10^9 SPSC messages, 10^8 MPMC 4x4, 10^9 pipe bytes, checked; 10^5 chaos tasks"
	@echo "make kill       SPSC producers killed with SIGKILL mid-write, 1000 times (and fixed-size ring)"

# Parts installed for `make test`; each is a no-op when already present.
TEST_DEPS := native wasm js plugins browser emscripten bench rust model
deps:
	@scripts/install-deps.sh $(TEST_DEPS)

$(B)/obj/%.o: lib/%.c $(HEADERS) | $(B)/obj
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/obj:
	mkdir -p $@

$(B)/libsabq.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/libsabq.so: $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libsabq.so.0 -o $@ $^ $(LDLIBS)

# sabq.pc for PREFIX: in build/ for a look, and written again by install, so
# that `make install PREFIX=...` after `make` points at where it installed.
PC_FROM_TEMPLATE = sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' sabq.pc.in

$(B)/sabq.pc: sabq.pc.in Makefile | $(B)/obj
	$(PC_FROM_TEMPLATE) > $@

# Man pages: one page per family of functions (man/), and a link for every
# other name on its NAME line, so that `man sabq_spsc_send_wait` finds it.
MAN3 = $(PREFIX)/share/man/man3
MAN7 = $(PREFIX)/share/man/man7

# Man pages: one page per family of functions (man/), and a link for every
# other name on its NAME line, so that `man sabq_spsc_send_wait` finds it.
MAN3 = $(PREFIX)/share/man/man3
MAN7 = $(PREFIX)/share/man/man7

install: all
	install -d $(DESTDIR)$(PREFIX)/include/sabq $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/sabq/*.h $(DESTDIR)$(PREFIX)/include/sabq/
	install -m 644 $(B)/libsabq.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(B)/libsabq.so $(DESTDIR)$(PREFIX)/lib/libsabq.so.0
	ln -sf libsabq.so.0 $(DESTDIR)$(PREFIX)/lib/libsabq.so
	$(PC_FROM_TEMPLATE) > $(DESTDIR)$(PREFIX)/lib/pkgconfig/sabq.pc
	install -d $(DESTDIR)$(MAN3) $(DESTDIR)$(MAN7)
	install -m 644 man/*.3 $(DESTDIR)$(MAN3)/
	install -m 644 man/*.7 $(DESTDIR)$(MAN7)/
	scripts/man-names.sh | awk '$$1 ~ /\.3$$/ && $$1 != $$2 ".3"' | \
	  while read page name; do ln -sf $$page $(DESTDIR)$(MAN3)/$$name.3; done

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/include/sabq
	rm -f $(DESTDIR)$(PREFIX)/lib/libsabq.a $(DESTDIR)$(PREFIX)/lib/libsabq.so* \
	      $(DESTDIR)$(PREFIX)/lib/pkgconfig/sabq.pc $(DESTDIR)$(MAN3)/sabq_*.3 $(DESTDIR)$(MAN7)/sabq.7

include mk/wasm.mk
include mk/plugins.mk
include mk/rust.mk
include mk/emscripten.mk
include mk/cpp.mk
include mk/bench.mk
include mk/fuzz.mk

# ---- examples ---------------------------------------------------------------

$(B)/demo: examples/demo.c $(B)/libsabq.a
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -Iinclude $< $(B)/libsabq.a $(LDLIBS) -o $@

# The native rings, then the main job: a pipeline of WASI plugins, each in
# its own worker, through the CLI (stdin from the terminal when there is one).
DEMO_PIPELINE := $(B)/plugins/gen.wasm 1000000 | $(B)/plugins/grep.wasm 7 | $(B)/plugins/wc.wasm
demo: deps $(B)/demo wasm plugins node_modules/.package-lock.json
	$(B)/demo
	@echo "sabq-pipeline '$(DEMO_PIPELINE)'"
	@node bindings-js/bin/sabq-pipeline.mjs '$(DEMO_PIPELINE)' < /dev/null
	@echo "(lines words bytes of the numbers 1..1000000 that contain a 7)"

# The browser demo: a local server with the COOP/COEP headers SharedArrayBuffer needs.
SERVE_PORT ?= 8000
serve: deps wasm plugins node_modules/.package-lock.json
	@echo "open http://localhost:$(SERVE_PORT)/examples/browser/"
	node tools/serve.mjs $(SERVE_PORT)

# ---- tests ------------------------------------------------------------------
# Unit tests: one Criterion file per module, linked into one runner.
UNIT_SRC := $(wildcard tests/test_*.c)
STRESS_SRC := $(wildcard tests/stress/stress_*.c)
TEST_CFLAGS = $(CSTD) -Wall -Wextra -Werror $(CFLAGS) -Iinclude -Ilib -Itests

# $(call variant,NAME,CC,EXTRA_CFLAGS,TEST_RUNTIME): the library, unit runner
# and stress runner built with extra flags into build/NAME/. TEST_RUNTIME is
# how the tests reach their framework: -lcriterion, or the shim below.
define variant
$(B)/$(1)/obj/%.o: lib/%.c $(HEADERS)
	@mkdir -p $$(dir $$@)
	$(2) $(CSTD) $(WARN) $(3) -Iinclude -c $$< -o $$@
$(B)/$(1)/unit: $(UNIT_SRC) $(LIB_SRC:lib/%.c=$(B)/$(1)/obj/%.o) tests/*.h
	$(2) $(TEST_CFLAGS) $(3) $(UNIT_SRC) $(LIB_SRC:lib/%.c=$(B)/$(1)/obj/%.o) $(4) $(LDLIBS) -lrt -o $$@
$(B)/$(1)/stress: $(STRESS_SRC) $(LIB_SRC:lib/%.c=$(B)/$(1)/obj/%.o) tests/stress/*.h
	$(2) $(TEST_CFLAGS) $(3) $(STRESS_SRC) $(LIB_SRC:lib/%.c=$(B)/$(1)/obj/%.o) $(4) $(LDLIBS) -lrt -o $$@
endef

SAN_COMMON := -O1 -g -fno-omit-frame-pointer
# Criterion cannot start under ThreadSanitizer (Snaipe/Criterion#274), so the
# TSan build runs the same test files through tests/criterion-shim/.
CRITERION_SHIM := -Itests/criterion-shim tests/criterion-shim/runner.c
$(eval $(call variant,rel,$(CC),-O2 -g,-lcriterion))
$(eval $(call variant,tsan,clang,$(SAN_COMMON) -fsanitize=thread,$(CRITERION_SHIM)))
ASAN_FLAGS := $(SAN_COMMON) -fsanitize=address,undefined -fno-sanitize-recover=all
$(eval $(call variant,asan,clang,$(ASAN_FLAGS),-lcriterion))
$(B)/tsan/unit $(B)/tsan/stress: tests/criterion-shim/criterion/criterion.h tests/criterion-shim/runner.c

# Criterion runs each test in its own process; --jobs 1 keeps stress tests from
# competing for the machine's cores.
CRITERION := --jobs 1 --timeout 600
export TSAN_OPTIONS := halt_on_error=1 second_deadlock_stack=1
export ASAN_OPTIONS := detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS := print_stacktrace=1:halt_on_error=1

# The suites of `make test`, run one after another and each timed
# (scripts/run-suites.sh), so that a slow one shows.
TEST_SUITES := test-model test-fuzz test-readme-c test-kill test-compilers test-man test-install test-unit \
               test-stress test-tsan test-asan test-demo test-wasm-sections test-emscripten test-cpp test-js \
               test-browser test-bundlers bench-smoke
test: deps all
	@scripts/run-suites.sh "$(MAKE)" $(TEST_SUITES)
	@echo "make test: all suites passed"

test-demo: $(B)/demo
	$(B)/demo > /dev/null

# SPIN models (tests/model): `make model` checks every configuration (a few
# minutes, up to 4 GB per run); `make test` the short ones.
model:
	@scripts/install-deps.sh model
	tests/model/check.sh

test-model:
	tests/model/check.sh --short

# The README's C example, compiled and run as written.
test-readme-c: $(B)/libsabq.a
	tests/readme/c_example.sh $(CC) $(B)/libsabq.a $(B)/readme

# Warnings are errors with both compilers.
test-compilers: $(B)/libsabq.a
	@for cc in gcc clang; do \
	  for f in $(LIB_SRC) lib/wait_fallback.c; do \
	    $$cc $(CSTD) $(WARN) -O2 -Iinclude -c $$f -o /dev/null || exit 1; \
	  done; echo "warnings clean with $$cc"; done
	$(CC) $(CSTD) $(WARN) -O2 -DSABQ_NO_INLINE -Iinclude tests/no_inline.c $(B)/libsabq.a $(LDLIBS) \
	  -o $(B)/no_inline && $(B)/no_inline && echo "SABQ_NO_INLINE: the library's send and recv"

# The man pages: lint-clean, and one for every public function in the headers.
test-man:
	scripts/check-man.sh

# make install into a scratch prefix, then build and run a program against it
# through pkg-config, the way a user of the library would.
INSTALL_TEST := $(CURDIR)/$(B)/install-test
test-install: all
	rm -rf $(INSTALL_TEST)
	$(MAKE) --no-print-directory install PREFIX=$(INSTALL_TEST)/usr
	$(CC) $(CSTD) $(WARN) tests/install/use_installed.c \
	    $$(PKG_CONFIG_PATH=$(INSTALL_TEST)/usr/lib/pkgconfig pkg-config --cflags --libs sabq) \
	    -o $(INSTALL_TEST)/use_installed
	LD_LIBRARY_PATH=$(INSTALL_TEST)/usr/lib $(INSTALL_TEST)/use_installed
	MANPAGER=cat man -M $(INSTALL_TEST)/usr/share/man sabq_spsc_send | grep -q 'sabq_spsc_send_wait('
	MANPAGER=cat man -M $(INSTALL_TEST)/usr/share/man 7 sabq | grep -q 'lock-free shared-memory'
	@scripts/man-names.sh | while read page name; do \
	  man -M $(INSTALL_TEST)/usr/share/man -w "$${page##*.}" "$$name" > /dev/null || \
	    { echo "test-install: man $$name does not resolve after install" >&2; exit 1; }; \
	done
	@echo "install: man -M PREFIX/share/man finds every page and every name linked to one"

test-unit: $(B)/rel/unit
	$(B)/rel/unit $(CRITERION)

test-stress: $(B)/rel/stress
	SABQ_STRESS_SCALE=1 $(B)/rel/stress $(CRITERION)

# Producers killed with SIGKILL mid-write (tests/kill/spsc_kill.c), into the
# SPSC ring and into its fixed-size form: `make kill` 1000 times each; make
# test a short run. KILL_SEED=N replays a run.
KILLS ?= 1000
KILL_SEED ?=
$(B)/kill/spsc_kill: tests/kill/spsc_kill.c $(B)/libsabq.a
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -Iinclude $< $(B)/libsabq.a $(LDLIBS) -lrt -o $@

# Native: SPSC producers killed with SIGKILL mid-write. JS: the coordinator's
# worker terminated in the middle of a large stdout, as many times (the host
# reads only what was written, ECRASHED, memory and pool flat).
kill: $(B)/kill/spsc_kill wasm plugins node_modules/.package-lock.json
	$(B)/kill/spsc_kill $(KILLS) $(KILL_SEED)
	$(B)/kill/spsc_kill --fixed $(KILLS) $(KILL_SEED)
	SABQ_LIFECYCLE_ROUNDS=$(KILLS) $(NODE_TEST) --test-name-pattern='dies mid-write' tests/js/lifecycle.test.mjs

test-kill: $(B)/kill/spsc_kill
	$(B)/kill/spsc_kill 60
	$(B)/kill/spsc_kill --fixed 60

# Soak: 10^9 SPSC messages, 10^8 MPMC (4 producers x 4 consumers), 10^9
# pipe bytes, each checked for order and content; niced, one at a time. Then
# the coordinator's chaos run for CHAOS_SOAK_TASKS (10^5) tasks with every
# fault at once, memory flat (tests/js/chaos-soak.mjs; about an hour).
CHAOS_SOAK_TASKS ?= 100000
soak: $(B)/rel/stress wasm plugins node_modules/.package-lock.json
	@start=$$(date +%s); \
	SABQ_STRESS_SCALE=soak nice $(B)/rel/stress --jobs 1 --filter 'soak/*' || exit 1; \
	node --expose-gc tests/js/chaos-soak.mjs $(CHAOS_SOAK_TASKS) || exit 1; \
	echo "make soak: passed in $$(( $$(date +%s) - start )) s on $$(lscpu | sed -n 's/^Model name: *//p')"

test-tsan: $(B)/tsan/unit $(B)/tsan/stress
	$(B)/tsan/unit $(CRITERION)
	SABQ_STRESS_SCALE=tsan $(B)/tsan/stress $(CRITERION)

test-asan: $(B)/asan/unit $(B)/asan/stress
	$(B)/asan/unit $(CRITERION)
	SABQ_STRESS_SCALE=asan $(B)/asan/stress $(CRITERION)

# JavaScript binding: Node's test runner over sabq.wasm, and the types.
# A test that runs longer than this fails (one that ignores an abort would
# otherwise hang make test).
JS_TEST_TIMEOUT_MS ?= 300000
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund

# The JS suites: one file at a time, and a bound on each suite. A test that
# fails while workers are still alive must not keep its process up:
# --test-force-exit ends it once its tests are done, and `timeout` ends a
# suite that hangs anyway (CI has a budget; a hang must fail, not eat it).
NODE_TEST = node --test --test-concurrency=1 --test-force-exit
SUITE_LIMIT = timeout -k 30 1200

test-js: wasm plugins rust node_modules/.package-lock.json $(B)/em/interop.js $(B)/em/package.json
	SABQ_LIFECYCLE_ROUNDS=200 $(SUITE_LIMIT) $(NODE_TEST) --test-timeout=$(JS_TEST_TIMEOUT_MS) tests/js/
	npx tsc -p tsconfig.json
	@echo "types: 1 passed, 0 failed (tsc --noEmit on examples/js/typed.ts)"

# Every page test in Debian's Chromium and Firefox ESR (headless, through
# puppeteer-core; tests/browser/browser.mjs), against tools/serve.mjs. One file
# at a time: the tests measure main-thread stalls, and four browsers at once
# on two cores would make their own. SABQ_BROWSERS=firefox picks one engine.
test-browser: wasm plugins rust node_modules/.package-lock.json
	$(SUITE_LIMIT) $(NODE_TEST) --test-timeout=$(JS_TEST_TIMEOUT_MS) tests/browser/

# Many spawns with an OPFS mount in each browser (SABQ_BROWSERS picks one):
# each must end, with the right output; prints the count, time and any hung.
# Not in `make test`, which runs 40 per browser (tests/browser/opfs-spawns.test.mjs).
OPFS_SPAWNS ?= 300
stress-opfs: wasm plugins node_modules/.package-lock.json
	node tests/browser/opfs-stress.mjs $(OPFS_SPAWNS)

# The package as npm publishes it, in apps built by Vite, webpack and esbuild
# (and served unbundled), each run in the browser: tests/bundlers/.
test-bundlers: wasm plugins node_modules/.package-lock.json
	$(SUITE_LIMIT) $(NODE_TEST) tests/bundlers/

clean:
	rm -rf $(B) bindings-js/src/sabq.wasm bindings-js/src/rings/layout.js tests/bundlers/node_modules
