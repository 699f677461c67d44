# mk/bench.mk — `make bench`: native (C, C++ peers) and JS (Node
# worker_threads, Chromium, Firefox) benchmarks against their peers,
# interleaved rounds, medians and ratios per core placement, a table and a
# plot (bench/run.py, bench/report.py, bench/plot.py). `make bench FULL=1`
# runs longer; `make bench-smoke` (part of `make test`) checks the report
# logic (bench/test_report.py), then runs each benchmark once with tiny
# counts and fails on any missing row and on any error but the timeouts that
# bench/report.py's MAY_TIME_OUT names (ck_ring's MPMC with more threads than
# CPUs). Fewer rounds for a quick look: make bench BENCH_ARGS="--runs 2 ...".
BENCH_BIN := $(B)/bench
BENCH_PROGS := $(BENCH_BIN)/spsc_tput $(BENCH_BIN)/pingpong $(BENCH_BIN)/mpmc_tput
BENCH_CFLAGS := $(CSTD) -D_GNU_SOURCE $(WARN) -O2 -g -Iinclude -flto
# The C++ peers (boost, moodycamel) are header-only libraries, each behind a
# small adapter (bench/native/peer_*.cpp). The programs are linked with
# link-time optimisation so the adapters' calls inline into the benchmark
# loops, as the headers do in a C++ program; libsabq.a is linked as a user
# links it.
BENCH_CXXFLAGS := -std=c++20 $(filter-out -Wstrict-prototypes,$(WARN)) -O2 -g -flto
$(BENCH_BIN)/spsc_tput: $(patsubst %,$(BENCH_BIN)/peer_%.o,boost_spsc rwq ccq)
$(BENCH_BIN)/mpmc_tput: $(patsubst %,$(BENCH_BIN)/peer_%.o,boost_queue ccq)

$(BENCH_BIN)/peer_%.o: bench/native/peer_%.cpp bench/native/peer_cxx.h bench/native/peer_msg.hpp
	@mkdir -p $(dir $@)
	$(CXX) $(BENCH_CXXFLAGS) -c $< -o $@

$(BENCH_BIN)/%: bench/native/%.c bench/native/*.h $(B)/libsabq.a
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -c $< -o $@.o
	$(CXX) -O2 -g -flto=auto $@.o $(filter %.o,$^) $(B)/libsabq.a -lurcu-common -lpthread -o $@

# spsc_tput again, with libsabq's sources compiled into it with link-time
# optimisation, so that sabq's calls inline into the loops as the peers' do:
# how much of a gap to a slot ring is the call boundary (docs/layout.md, "SPSC
# fixed-size ring"). Not part of make bench: a user links libsabq.a.
$(BENCH_BIN)/spsc_tput_lto: $(BENCH_BIN)/spsc_tput $(LIB_SRC) $(HEADERS)
	@mkdir -p $(BENCH_BIN)/lto
	for f in $(LIB_SRC); do \
	  $(CC) $(CSTD) $(WARN) -O2 -g -Iinclude -flto -c $$f -o $(BENCH_BIN)/lto/$$(basename $$f .c).o || exit 1; \
	done
	$(CXX) -O2 -g -flto=auto $(BENCH_BIN)/spsc_tput.o $(patsubst %,$(BENCH_BIN)/peer_%.o,boost_spsc rwq ccq) \
	  $(BENCH_BIN)/lto/*.o -lurcu-common -lpthread -o $@

# Instructions per send + receive pair under callgrind (bench/instr.sh): the
# figures docs/layout.md gives for the inline fast paths, and the same loops
# built with -DSABQ_NO_INLINE (every call into libsabq). Not part of make bench.
$(BENCH_BIN)/spsc_instr_lib: bench/native/spsc_instr.c bench/native/*.h $(B)/libsabq.a
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -DSABQ_NO_INLINE $< $(B)/libsabq.a -lpthread -o $@

bench-instr: $(BENCH_BIN)/spsc_instr $(BENCH_BIN)/spsc_instr_lib
	bench/instr.sh $(BENCH_BIN)

ifdef FULL
BENCH_ARGS := --runs 7 --scale 1 --timeout 60 --command "make bench FULL=1"
else
BENCH_ARGS := --runs 5 --scale 0.2 --timeout 15
endif

bench: bench-deps $(BENCH_PROGS) wasm plugins node_modules/.package-lock.json
	python3 bench/run.py $(BENCH_BIN) $(BENCH_ARGS) --docs

bench-smoke: bench-deps $(BENCH_PROGS) wasm plugins node_modules/.package-lock.json
	python3 bench/test_report.py
	python3 bench/run.py $(BENCH_BIN) --smoke --timeout 20

bench-deps:
	@scripts/install-deps.sh native wasm js plugins bench browser
