# mk/emscripten.mk — sabq for wasm32-emscripten with pthreads: build/em/libsabq.a,
# the example of examples/emscripten_rings.c and the main-thread refusal test,
# both run under Node by `make test-emscripten`. Included by the Makefile.
#
# Debian's emcc loads acorn from /usr/share/nodejs; Node 20's global fetch
# makes emscripten 3.1.6's loader think it runs in a browser, hence
# --no-experimental-fetch.
EMCC := NODE_PATH=/usr/share/nodejs emcc
EM_NODE := node --no-experimental-fetch
EM_SRC := lib/region.c lib/wait.c lib/wait_emscripten.c lib/spsc.c lib/spsc_fixed.c lib/pipe.c lib/mpmc.c lib/strerror.c
EM_CFLAGS := $(CSTD) $(WARN) -O2 -pthread -Iinclude
EM_OBJ := $(EM_SRC:lib/%.c=$(B)/em/obj/%.o)

$(B)/em/obj/%.o: lib/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(EMCC) $(EM_CFLAGS) -c $< -o $@

$(B)/em/libsabq.a: $(EM_OBJ)
	rm -f $@ && NODE_PATH=/usr/share/nodejs emar rcs $@ $^

# emcc writes CommonJS; the repository's package.json says "type": "module".
$(B)/em/package.json:
	@mkdir -p $(dir $@)
	echo '{"type": "commonjs"}' > $@

# main() in a pthread (PROXY_TO_PTHREAD), so it may block; a pool big enough
# for the example's threads, created before main runs.
$(B)/em/emscripten_rings.js: examples/emscripten_rings.c $(B)/em/libsabq.a
	$(EMCC) $(EM_CFLAGS) $< $(B)/em/libsabq.a -sPROXY_TO_PTHREAD -sEXIT_RUNTIME=1 \
	  -sPTHREAD_POOL_SIZE=6 -sINITIAL_MEMORY=67108864 -o $@

$(B)/em/main_thread_refusal.js: tests/emscripten/main_thread_refusal.c $(B)/em/libsabq.a
	$(EMCC) $(EM_CFLAGS) $< $(B)/em/libsabq.a -sEXIT_RUNTIME=1 -o $@

# For tests/js/emscripten-interop.test.mjs: a module the JS binding shares
# memory with (-pthread makes that memory shared; no thread is started).
$(B)/em/interop.js: tests/emscripten/interop.c $(B)/em/libsabq.a
	$(EMCC) $(EM_CFLAGS) $< $(B)/em/libsabq.a -sMODULARIZE -sEXPORT_NAME=createInterop \
	  -sEXPORTED_RUNTIME_METHODS=wasmMemory -o $@

test-emscripten: $(B)/em/interop.js $(B)/em/emscripten_rings.js $(B)/em/main_thread_refusal.js $(B)/em/package.json
	$(EM_NODE) $(B)/em/emscripten_rings.js
	$(EM_NODE) $(B)/em/main_thread_refusal.js
