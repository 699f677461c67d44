# mk/bench.mk — `make bench`: native (C) and JS (Node worker_threads)
# benchmarks against their peers, interleaved rounds, medians, ratios, a table
# and a plot (bench/run.py, bench/plot.py). `make bench FULL=1` runs longer;
# `make bench-smoke` (part of `make test`) runs each once with tiny counts.
BENCH_BIN := $(B)/bench
BENCH_PROGS := $(BENCH_BIN)/spsc_tput $(BENCH_BIN)/pingpong $(BENCH_BIN)/mpmc_tput
BENCH_CFLAGS := $(CSTD) -D_GNU_SOURCE $(WARN) -O2 -g -Iinclude

$(BENCH_BIN)/%: bench/native/%.c bench/native/*.h $(B)/libsabq.a
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) $< $(B)/libsabq.a -lurcu-common -lpthread -o $@

ifdef FULL
BENCH_ARGS := --runs 7 --scale 1 --timeout 60 --command "make bench FULL=1"
else
BENCH_ARGS := --runs 5 --scale 0.2 --timeout 15
endif

bench: bench-deps $(BENCH_PROGS) wasm node_modules/.package-lock.json
	python3 bench/run.py $(BENCH_BIN) $(BENCH_ARGS) --docs

bench-smoke: bench-deps $(BENCH_PROGS) wasm node_modules/.package-lock.json
	python3 bench/run.py $(BENCH_BIN) --smoke --timeout 20

bench-deps:
	@scripts/install-deps.sh bench browser
