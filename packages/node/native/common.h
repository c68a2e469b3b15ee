// Shared helpers for the facerec WASM SIMD kernels: argument access, static work split, partial vector loads/stores.
#ifndef FACEREC_COMMON_H
#define FACEREC_COMMON_H

#include <stdint.h>
#include <wasm_simd128.h>

// The module shares tfjs's linear memory, so it must own no static data and never touch the shadow stack:
// every helper is inlined and no local ever has its address taken.
#define INLINE static inline __attribute__((always_inline))
// Separate wasm functions for big phases of a job: V8 allocates registers per function.
#define NOINLINE __attribute__((noinline))

typedef v128_t v4;

// Jobs read their arguments from a block of 32-bit slots that the JS side fills in before each call.
#define ARG_I(a, i) (((const int32_t *)(a))[i])
#define ARG_F(a, i) (((const float *)(a))[i])
#define ARG_P(a, i) ((float *)(uintptr_t)(uint32_t)ARG_I(a, i))

// Static split of [0, total) into nt contiguous ranges: results never depend on timing, and for jobs whose
// items are independent they do not depend on the thread count either.
INLINE int split_lo(int total, int tid, int nt) { return (int)(((int64_t)total * tid) / nt); }

// Dynamic share of [0, total): threads grab chunks from an atomic counter (slot 31 of the argument block,
// zeroed by the caller), so a thread the OS delays leaves its work to the others. Only for jobs whose items
// are computed the same way by whichever thread takes them, which keeps results bit-identical.
#define COUNTER_SLOT 31
INLINE int grab(const void *a, int chunk) {
  int32_t *ctr = (int32_t *)a + COUNTER_SLOT;
  return __atomic_fetch_add(ctr, chunk, __ATOMIC_RELAXED);
}

// How many slices to cut the output-channel panels into so that `units` tiles (or tile groups) give every thread
// work: 1 when there are enough tiles, else up to one slice per panel. A small batch on a small feature map
// (explanations: 2 to 8 crops at 4x4) has only one or two tiles; split by tiles alone, one thread did it all.
// Each output element is still computed the same way, by the one thread that takes its (tile, slice).
INLINE int panel_slices(int units, int P, int nt) {
  if (nt <= 1 || units >= 4 * nt) return 1;
  int s = (4 * nt + units - 1) / units;
  return s < P ? s : P;
}

INLINE v4 splat(float f) { return wasm_f32x4_splat(f); }
INLINE v4 zero4(void) { return wasm_f32x4_splat(0.0f); }
INLINE v4 ld(const float *p) { return wasm_v128_load(p); }
INLINE void st(float *p, v4 x) { wasm_v128_store(p, x); }
INLINE v4 bcast(const float *p) { return wasm_v128_load32_splat(p); }
// acc + a*b. The relaxed-SIMD build fuses it into one FMA (twice the multiply-add rate of mul+add, and
// deterministic on a given machine); the plain build keeps two rounded operations.
#ifdef FACEREC_RELAXED
INLINE v4 madd(v4 acc, v4 a, v4 b) { return __builtin_wasm_relaxed_madd_f32x4(a, b, acc); }
#else
INLINE v4 madd(v4 acc, v4 a, v4 b) { return wasm_f32x4_add(acc, wasm_f32x4_mul(a, b)); }
#endif

// Stores the first n (>= 1) lanes of x.
INLINE void st_n(float *p, v4 x, int n) {
  if (n >= 4) {
    wasm_v128_store(p, x);
    return;
  }
  wasm_v128_store32_lane(p, x, 0);
  if (n > 1) wasm_v128_store32_lane(p + 1, x, 1);
  if (n > 2) wasm_v128_store32_lane(p + 2, x, 2);
}

// Loads the first n (>= 1) lanes of p, zero elsewhere.
INLINE v4 ld_n(const float *p, int n) {
  if (n >= 4) return wasm_v128_load(p);
  v4 r = wasm_f32x4_splat(0.0f);
  r = wasm_v128_load32_lane(p, r, 0);
  if (n > 1) r = wasm_v128_load32_lane(p + 1, r, 1);
  if (n > 2) r = wasm_v128_load32_lane(p + 2, r, 2);
  return r;
}

// Stores c (1..8) columns held in two vectors.
INLINE void st8_n(float *p, v4 lo, v4 hi, int c) {
  if (c >= 8) {
    st(p, lo);
    st(p + 4, hi);
  } else if (c > 4) {
    st(p, lo);
    st_n(p + 4, hi, c - 4);
  } else {
    st_n(p, lo, c);
  }
}

INLINE void ld8_n(const float *p, int c, v4 *lo, v4 *hi) {
  if (c >= 8) {
    *lo = ld(p);
    *hi = ld(p + 4);
  } else if (c > 4) {
    *lo = ld(p);
    *hi = ld_n(p + 4, c - 4);
  } else {
    *lo = ld_n(p, c);
    *hi = zero4();
  }
}

// Fused activations: 0 linear, 1 relu, 2 relu6, 3 leaky relu (alpha).
INLINE v4 activate(v4 x, int act, v4 alpha) {
  // pmax/pmin map to single x86 instructions and keep NaN like tfjs's `x < 0 ? 0 : x`.
  if (act == 1) return wasm_f32x4_pmax(x, zero4());
  if (act == 2) return wasm_f32x4_pmin(wasm_f32x4_pmax(x, zero4()), splat(6.0f));
  if (act == 3) return wasm_v128_bitselect(x, wasm_f32x4_mul(x, alpha), wasm_f32x4_gt(x, zero4()));
  return x;
}

// Bias (per column; `bias` points at the tile's first column, 0 for none, `cols` of 8 valid) and activation
// applied to a 4x8 register tile, the shared epilogue of the GEMM-like kernels. Always inlined, so the
// accumulators stay in registers (no shadow stack).
INLINE void bias_act_4x8(const float *bias, int cols, int act, v4 alpha, v4 *c00, v4 *c01, v4 *c10, v4 *c11, v4 *c20,
                         v4 *c21, v4 *c30, v4 *c31) {
  if (bias) {
    v4 bl, bh;
    ld8_n(bias, cols, &bl, &bh);
    *c00 = wasm_f32x4_add(*c00, bl), *c01 = wasm_f32x4_add(*c01, bh);
    *c10 = wasm_f32x4_add(*c10, bl), *c11 = wasm_f32x4_add(*c11, bh);
    *c20 = wasm_f32x4_add(*c20, bl), *c21 = wasm_f32x4_add(*c21, bh);
    *c30 = wasm_f32x4_add(*c30, bl), *c31 = wasm_f32x4_add(*c31, bh);
  }
  if (act) {
    *c00 = activate(*c00, act, alpha), *c01 = activate(*c01, act, alpha);
    *c10 = activate(*c10, act, alpha), *c11 = activate(*c11, act, alpha);
    *c20 = activate(*c20, act, alpha), *c21 = activate(*c21, act, alpha);
    *c30 = activate(*c30, act, alpha), *c31 = activate(*c31, act, alpha);
  }
}

// Transposes the 4x4 block held as four row vectors (out[j] lane i = row i lane j).
INLINE void transpose4x4(v4 r0, v4 r1, v4 r2, v4 r3, v4 *o0, v4 *o1, v4 *o2, v4 *o3) {
  v4 ab0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), ab1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
  v4 cd0 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5), cd1 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
  *o0 = wasm_i64x2_shuffle(ab0, cd0, 0, 2);
  *o1 = wasm_i64x2_shuffle(ab0, cd0, 1, 3);
  *o2 = wasm_i64x2_shuffle(ab1, cd1, 0, 2);
  *o3 = wasm_i64x2_shuffle(ab1, cd1, 1, 3);
}

#endif
