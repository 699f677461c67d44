/* lib/js_abi.h — how sabq.wasm hands JavaScript two numbers in one: the
 * constants shared by lib/js_exports.c and the generated
 * bindings-js/src/rings/layout.js (tools/gen_layout_js.c). */
#ifndef SABQ_JS_ABI_H
#define SABQ_JS_ABI_H

/* A payload's address and length travel as one f64, len * 2^32 + address,
 * exact while len is below this (2^21 * 2^32 = 2^53). */
#define SABQ_JS_PACKED_LEN (1u << 21)

/* Returned where a packed pair would not be exact: ask the *_wide export.
 * Below every negative errno. */
#define SABQ_JS_USE_WIDE (-2147483648.0)

#endif
