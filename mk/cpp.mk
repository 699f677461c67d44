# mk/cpp.mk — sabq from C++. `make test-cpp` checks that every public header
# compiles warning-free on its own as C++11 to C++23 with g++, clang++ and em++
# (the layout asserts in layout.h run in each), then builds
# examples/cpp/rings.cpp with g++ and clang++ in every standard, once under
# ThreadSanitizer and once with em++, and runs them all (em++'s under Node).
# Included by the Makefile, after mk/emscripten.mk.

CXX_COMPILERS := g++ clang++
# c++2b is C++23, as clang 14 and em++ name it.
CXX_STDS := c++11 c++14 c++17 c++20 c++2b
CXX_WARN := -Wall -Wextra -Wpedantic -Werror -Wshadow
PUBLIC_HEADERS := $(wildcard include/sabq/*.h)
EMXX := NODE_PATH=/usr/share/nodejs em++

# One translation unit per public header, including it twice (its guard works)
# and nothing else (it includes what it needs).
# Plus tests/cpp/inline_subset.h: header-style inline code, in both languages.
CPP_HEADER_TUS := $(PUBLIC_HEADERS:include/sabq/%.h=$(B)/cpp/headers/%.cc) $(B)/cpp/headers/inline_subset.cc
$(B)/cpp/headers/%.cc: include/sabq/%.h
	@mkdir -p $(dir $@)
	printf '#include <sabq/%s.h>\n#include <sabq/%s.h>\n' $* $* > $@
$(B)/cpp/headers/inline_subset.cc: tests/cpp/inline_subset.h
	@mkdir -p $(dir $@)
	printf '#include "%s"\n' $(CURDIR)/$< > $@

CPP_RINGS := $(foreach cxx,$(CXX_COMPILERS),$(foreach std,$(CXX_STDS),$(B)/cpp/rings-$(cxx)-$(std)))

# $(call cpp_rings,COMPILER,STD)
define cpp_rings
$(B)/cpp/rings-$(1)-$(2): examples/cpp/rings.cpp $(HEADERS) $(B)/libsabq.a
	@mkdir -p $$(dir $$@)
	$(1) -std=$(2) $(CXX_WARN) -O2 -Iinclude $$< $(B)/libsabq.a $(LDLIBS) -o $$@
endef
$(foreach cxx,$(CXX_COMPILERS),$(foreach std,$(CXX_STDS),$(eval $(call cpp_rings,$(cxx),$(std)))))

# The C++ side under TSan, against the TSan build of the library.
$(B)/cpp/rings-tsan: examples/cpp/rings.cpp $(HEADERS) $(LIB_SRC:lib/%.c=$(B)/tsan/obj/%.o)
	@mkdir -p $(dir $@)
	clang++ -std=c++17 $(CXX_WARN) $(SAN_COMMON) -fsanitize=thread -Iinclude $< \
	  $(LIB_SRC:lib/%.c=$(B)/tsan/obj/%.o) $(LDLIBS) -o $@

# As build/em/emscripten_rings.js: main() in a pthread, a pool for its threads.
$(B)/em/cpp_rings.js: examples/cpp/rings.cpp $(B)/em/libsabq.a
	$(EMXX) -std=c++11 $(CXX_WARN) -O2 -pthread -Iinclude $< $(B)/em/libsabq.a -sPROXY_TO_PTHREAD \
	  -sEXIT_RUNTIME=1 -sPTHREAD_POOL_SIZE=6 -sINITIAL_MEMORY=67108864 -o $@

test-cpp-headers: $(CPP_HEADER_TUS)
	@for cxx in $(CXX_COMPILERS) em++; do \
	  for std in $(CXX_STDS); do \
	    NODE_PATH=/usr/share/nodejs $$cxx -std=$$std $(CXX_WARN) -pthread -Iinclude -fsyntax-only \
	      $(CPP_HEADER_TUS) || exit 1; \
	  done; \
	  echo "C++ headers: each of $(words $(PUBLIC_HEADERS)) warning-free with $$cxx, $(CXX_STDS)"; \
	done
	@for cc in gcc clang; do \
	  $$cc -x c $(CSTD) $(WARN) -Iinclude -fsyntax-only $(B)/cpp/headers/inline_subset.cc || exit 1; \
	done; echo "header-style inline code: the same text compiles as C11 (gcc, clang) and C++"

test-cpp: test-cpp-headers $(CPP_RINGS) $(B)/cpp/rings-tsan $(B)/em/cpp_rings.js $(B)/em/package.json
	@for prog in $(CPP_RINGS); do $$prog > /dev/null || exit 1; echo "$$prog: all checks passed"; done
	$(B)/cpp/rings-tsan
	$(EM_NODE) $(B)/em/cpp_rings.js
