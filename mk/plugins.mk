# mk/plugins.mk — the example and test WASI plugins: ordinary C programs in
# plugins/, built with clang for wasm32-wasi against Debian's wasi-libc.
# Included by the Makefile.

PLUGIN_CC := clang
PLUGIN_SRC := $(wildcard plugins/*.c)
PLUGINS := $(PLUGIN_SRC:plugins/%.c=$(B)/plugins/%.wasm) $(B)/plugins/greet.wasm
PLUGIN_CFLAGS := --target=wasm32-wasi -O2 -Wall -Wextra -Werror -Iinclude

$(B)/plugins/%.wasm: plugins/%.c include/sabq/host.h
	@mkdir -p $(dir $@)
	$(PLUGIN_CC) $(PLUGIN_CFLAGS) $< -Wl,--strip-all -o $@

# bigdata carries BIGDATA_BYTES of generated data (a large plugin's start-up).
BIGDATA_BYTES ?= 33554432
$(B)/plugins/bigdata_blob.h: tools/gen-blob.mjs
	@mkdir -p $(dir $@)
	node tools/gen-blob.mjs $@ $(BIGDATA_BYTES)
$(B)/plugins/bigdata.wasm: plugins/bigdata.c $(B)/plugins/bigdata_blob.h
	$(PLUGIN_CC) $(PLUGIN_CFLAGS) -I$(B)/plugins $< -Wl,--strip-all -o $@

# The plugin of the guide (docs/plugins.md) lives with the guide's page.
$(B)/plugins/greet.wasm: examples/guide/greet.c
	@mkdir -p $(dir $@)
	$(PLUGIN_CC) $(PLUGIN_CFLAGS) $< -Wl,--strip-all -o $@

# Rust programs of the WASI tests (plugins/rust/): the paths where Rust's std
# takes another way through preview1 than wasi-libc. Built with Debian's
# rustc by path (RUSTC_WASM, mk/rust.mk) for wasm32-wasi; RUSTC_BOOTSTRAP=1
# opens std::os::wasi (nlink(), raw fds), which Rust 1.63 keeps unstable.
RUST_PLUGIN_SRC := $(wildcard plugins/rust/*.rs)
RUST_PLUGINS := $(RUST_PLUGIN_SRC:plugins/rust/%.rs=$(B)/plugins/%.wasm)
RUST_PLUGIN_FLAGS := --edition 2021 --target wasm32-wasi -C opt-level=2 -C strip=symbols -D warnings

$(B)/plugins/%.wasm: plugins/rust/%.rs
	@mkdir -p $(dir $@)
	RUSTC_BOOTSTRAP=1 $(RUSTC_WASM) $(RUST_PLUGIN_FLAGS) $< -o $@

plugins: $(PLUGINS) $(RUST_PLUGINS)
