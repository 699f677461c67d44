# mk/rust.mk — the Rust host example (examples/rust/): a cdylib for
# wasm32-unknown-unknown, no crates, built with Debian's rustc and its
# libstd-rust-dev-wasm32. By path: a rustup rustc earlier on PATH may have no
# wasm32 target. Included by the Makefile.

RUSTC_WASM ?= /usr/bin/rustc
RUST_FLAGS := --edition 2021 --crate-type cdylib --target wasm32-unknown-unknown \
              -C opt-level=2 -C strip=symbols -D warnings

$(B)/rust/sabq_host.wasm: examples/rust/src/lib.rs examples/rust/src/sabq_pipe.rs
	@mkdir -p $(dir $@)
	$(RUSTC_WASM) $(RUST_FLAGS) $< -o $@

rust: $(B)/rust/sabq_host.wasm
