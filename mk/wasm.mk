# mk/wasm.mk — the freestanding sabq.wasm: the library's own sources for wasm32,
# importing a shared memory, with no data segment and no shadow stack, so it can
# be instantiated against any shared memory without writing a byte it does not
# own. Included by the Makefile.

WASM_CC := clang
WASM_SRC := lib/region.c lib/wait.c lib/wait_wasm.c lib/spsc.c lib/spsc_fixed.c lib/pipe.c lib/mpmc.c \
            lib/js_exports.c
# -flto plus `flatten` on the exports inlines the library into each export, so
# handles live in registers (no __stack_pointer); -ffreestanding: no libc.
WASM_CFLAGS := --target=wasm32 -std=c11 -O2 -flto -matomics -mbulk-memory -ffreestanding \
               -nostdlib $(WARN) -Ilib/freestanding -Iinclude -Ilib
WASM_LDFLAGS := -Wl,--no-entry -Wl,--import-memory -Wl,--shared-memory \
                -Wl,--max-memory=4294967296 -Wl,--initial-memory=65536 -Wl,-z,stack-size=0
WASM_OBJ := $(WASM_SRC:lib/%.c=$(B)/wasm/%.o)

$(B)/wasm/%.o: lib/%.c $(HEADERS) lib/freestanding/*.h
	@mkdir -p $(dir $@)
	$(WASM_CC) $(WASM_CFLAGS) -c $< -o $@

# wasm-ld always defines __stack_pointer; nothing uses it, so wasm-opt's
# unused-element pass removes it. tests/wasm/check_sections.sh proves both.
$(B)/sabq.wasm: $(WASM_OBJ)
	$(WASM_CC) $(WASM_CFLAGS) $(WASM_LDFLAGS) $^ -o $(B)/wasm/sabq-linked.wasm
	wasm-opt --enable-threads --enable-bulk-memory --remove-unused-module-elements \
	  $(B)/wasm/sabq-linked.wasm -o $@

# Offsets and constants for JavaScript, generated from offsetof by a native
# program: never copied by hand. Built against lib/freestanding like sabq.wasm,
# so the errno numbers and messages are the ones sabq.wasm returns.
bindings-js/src/rings/layout.js: tools/gen_layout_js.c lib/strerror.c lib/freestanding/errno.h include/sabq/*.h lib/js_abi.h | $(B)/obj
	$(CC) $(CSTD) $(WARN) -Ilib/freestanding -Iinclude tools/gen_layout_js.c lib/strerror.c -o $(B)/gen_layout_js
	$(B)/gen_layout_js > $@.tmp && mv $@.tmp $@

# In src/, one folder above each layer's files (rings/, coordinator/, wasi/):
# `new URL('../sabq.wasm', import.meta.url)` finds it from rings/module.js, and
# the same path holds from the folder of an esbuild bundle, which leaves such
# URLs as written (docs/plugins.md, Bundlers).
bindings-js/src/sabq.wasm: $(B)/sabq.wasm
	cp $< $@

wasm: bindings-js/src/sabq.wasm bindings-js/src/rings/layout.js

test-wasm-sections: $(B)/sabq.wasm
	tests/wasm/check_sections.sh $(B)/sabq.wasm
