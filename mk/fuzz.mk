# mk/fuzz.mk — libFuzzer targets (tests/fuzz/): each structure's calls and
# attach against fuzzed regions and peer scribbles, and the /host path
# encoder. Built with clang's -fsanitize=fuzzer,address,undefined; the library
# is instrumented too (fuzzer-no-link), so coverage guides the search into it.
#
#   make fuzz         FUZZ_RUNS_<target> executions of each (1.1 x 10^8 in all), in
#                     chunks of FUZZ_CHUNK, FUZZ_JOBS at once, niced, from
#                     tests/fuzz/corpus/; resumable: stopped, it goes on from
#                     the chunks done (counts in build/fuzz/progress/), and it
#                     starts over for a target whose sources changed
#   make fuzz FUZZ_RUNS=100000 FUZZ_CHUNK=20000   a short trial: that many of
#                     each target (counted like any others: make fuzz-reset)
#   make fuzz-status  what is done and what is left
#   make fuzz-reset   forget the counts (a fresh 1.1 x 10^8); the corpus stays
#   make test-fuzz    each target for FUZZ_SMOKE_SECONDS (part of make test)
#   python3 tests/fuzz/seeds.py   rewrites the seed corpus (the input formats)
# A report, a leak or an input running longer than FUZZ_TIMEOUT seconds fails.
# Inputs that found new coverage go to build/fuzz/corpus/, never to the seeds;
# an input that failed is saved as build/fuzz/crash-* (run the target on it).

FUZZ_CC := clang
# Longest first (make fuzz starts them in this order): 25 M executions of the
# pipe took 87 minutes here, of the MPMC queue 78, of the SPSC ring 31; 10 M
# of the fixed-size SPSC ring about 12 (1 M in 58 to 80 s).
FUZZ_TARGETS := fuzz_pipe fuzz_mpmc fuzz_spsc fuzz_spsc_fixed fuzz_wait fuzz_host
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -g -O1 -Wall -Wextra -Werror -Iinclude -Ilib
FUZZ_LIB_OBJ := $(LIB_SRC:lib/%.c=$(B)/fuzz/obj/%.o)
FUZZ_BINS := $(FUZZ_TARGETS:%=$(B)/fuzz/%)
# Executions per target, 1.1 x 10^8 in all: the wait target makes real waits
# (membarrier, futex) and runs fewer, the fixed-size SPSC ring (a quarter of
# the variable one's code) 10 M. FUZZ_RUNS, when set, is every target's.
FUZZ_RUNS_fuzz_spsc ?= $(or $(FUZZ_RUNS),25000000)
FUZZ_RUNS_fuzz_spsc_fixed ?= $(or $(FUZZ_RUNS),10000000)
FUZZ_RUNS_fuzz_pipe ?= $(or $(FUZZ_RUNS),25000000)
FUZZ_RUNS_fuzz_mpmc ?= $(or $(FUZZ_RUNS),25000000)
FUZZ_RUNS_fuzz_wait ?= $(or $(FUZZ_RUNS),5000000)
FUZZ_RUNS_fuzz_host ?= $(or $(FUZZ_RUNS),20000000)
FUZZ_SMOKE_SECONDS ?= 2
# A chunk is one libFuzzer process: what a stopped run loses at most, per job.
FUZZ_CHUNK ?= 1000000
FUZZ_TIMEOUT ?= 10
FUZZ_OPTS = -timeout=$(FUZZ_TIMEOUT) -max_len=4096 -print_final_stats=1 -artifact_prefix=$(B)/fuzz/

$(B)/fuzz/obj/%.o: lib/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CSTD) $(WARN) -g -O1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link -Iinclude -c $< -o $@

$(B)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer $< $(FUZZ_LIB_OBJ) -lpthread -o $@

# Not intermediates: make would delete them after each build.
.SECONDARY: $(FUZZ_LIB_OBJ)

fuzz-build: $(FUZZ_BINS)

# $(call fuzz_run,TARGET,LIMIT): one target, niced, from its seeds plus what
# earlier runs found, for LIMIT (-runs=N or -max_total_time=S).
define fuzz_run
	@mkdir -p $(B)/fuzz/corpus/$(1); t0=$$(date +%s); \
	nice $(B)/fuzz/$(1) $(FUZZ_OPTS) $(2) $(B)/fuzz/corpus/$(1) tests/fuzz/corpus/$(1) \
	  2>$(B)/fuzz/$(1).log || { tail -60 $(B)/fuzz/$(1).log; exit 1; }; \
	n=$$(sed -n 's/^stat::number_of_executed_units: *//p' $(B)/fuzz/$(1).log); \
	rss=$$(sed -n 's/^stat::peak_rss_mb: *//p' $(B)/fuzz/$(1).log); \
	echo "$(1): $$n executions in $$(( $$(date +%s) - t0 )) s, peak $$rss MB, 0 reports"

endef

test-fuzz: $(FUZZ_BINS)
	$(foreach t,$(FUZZ_TARGETS),$(call fuzz_run,$(t),-max_total_time=$(FUZZ_SMOKE_SECONDS)))

# make fuzz runs FUZZ_JOBS chunks at a time (one per core by default: each
# is single-threaded), the targets' chunks queued in FUZZ_TARGETS' order
# (longest first), so both cores stay busy to the end (tests/fuzz/campaign.sh).
# On 2 vCPUs (AMD EPYC) the 10^8 executions before fuzz_spsc_fixed took 109
# minutes, run as one process per target; one after another they would take
# about 3.4 hours.
# Rates fall as a run goes on: the fuzzer learns the byte that makes a wait
# park for real.
FUZZ_JOBS ?= $(shell nproc)
FUZZ_PLAN = $(foreach t,$(FUZZ_TARGETS),$(t)=$(FUZZ_RUNS_$(t)))

fuzz: $(FUZZ_BINS)
	@FUZZ_TIMEOUT=$(FUZZ_TIMEOUT) tests/fuzz/campaign.sh run $(FUZZ_JOBS) $(FUZZ_CHUNK) $(FUZZ_PLAN)

fuzz-status:
	@tests/fuzz/campaign.sh status $(FUZZ_PLAN)

fuzz-reset:
	@tests/fuzz/campaign.sh reset
