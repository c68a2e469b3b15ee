// Memory-bound kernels: column sums over leading axes, the relu-gradient step/multiply, the fused Adam update,
// and elementwise max/min against a scalar.
#include "common.h"
#include "kernels.h"

// Element ranges are split in multiples of 16 floats so every thread but the last works on whole vectors.
INLINE int split_elems(int n, int tid, int nt) {
  if (tid >= nt) return n;
  int blocks = (n + 15) >> 4;
  int b = split_lo(blocks, tid, nt) << 4;
  return b < n ? b : n;
}

// Partial column sums of x[R][C]: chunk q (of SUM_CHUNK rows) goes to part[q][C]. Chunks are fixed by R, so
// the result does not depend on the thread count.
// args: x, part, R, C, chunkRows
void job_sum_rows(const void *a, int tid, int nt) {
  const float *x = ARG_P(a, 0);
  float *part = ARG_P(a, 1);
  int R = ARG_I(a, 2), C = ARG_I(a, 3), ch = ARG_I(a, 4);
  int Q = (R + ch - 1) / ch;
  int q0 = split_lo(Q, tid, nt), q1 = split_lo(Q, tid + 1, nt);
  for (int q = q0; q < q1; q++) {
    int rb = q * ch, re = rb + ch < R ? rb + ch : R;
    float *o = part + (long)q * C;
    int c = 0;
    for (; c + 16 <= C; c += 16) {
      v4 s0 = zero4(), s1 = s0, s2 = s0, s3 = s0;
      const float *p = x + (long)rb * C + c;
      for (int r = rb; r < re; r++, p += C) {
        s0 = wasm_f32x4_add(s0, ld(p));
        s1 = wasm_f32x4_add(s1, ld(p + 4));
        s2 = wasm_f32x4_add(s2, ld(p + 8));
        s3 = wasm_f32x4_add(s3, ld(p + 12));
      }
      st(o + c, s0), st(o + c + 4, s1), st(o + c + 8, s2), st(o + c + 12, s3);
    }
    for (; c + 4 <= C; c += 4) {
      v4 s0 = zero4();
      const float *p = x + (long)rb * C + c;
      for (int r = rb; r < re; r++, p += C) s0 = wasm_f32x4_add(s0, ld(p));
      st(o + c, s0);
    }
    for (; c < C; c++) {
      float s = 0.0f;
      const float *p = x + (long)rb * C + c;
      for (int r = rb; r < re; r++, p += C) s += *p;
      o[c] = s;
    }
  }
}

// out[c] = sum over q of part[q][c], in q order. Columns are split between threads.
// args: part, out, Q, C
void job_sum_final(const void *a, int tid, int nt) {
  const float *part = ARG_P(a, 0);
  float *out = ARG_P(a, 1);
  int Q = ARG_I(a, 2), C = ARG_I(a, 3);
  int c0 = split_lo(C, tid, nt), c1 = split_lo(C, tid + 1, nt);
  for (int c = c0; c < c1; c++) {
    float s = 0.0f;
    for (int q = 0; q < Q; q++) s += part[(long)q * C + c];
    out[c] = s;
  }
}

// y = x > 0 ? 1 : alpha, NaN kept (tfjs's Step).
INLINE v4 step4(v4 xv, v4 one, v4 alpha) {
  v4 r = wasm_v128_bitselect(one, alpha, wasm_f32x4_gt(xv, zero4()));
  return wasm_v128_bitselect(r, xv, wasm_f32x4_eq(xv, xv));
}

// args: x, y, n, alpha
void job_step(const void *a, int tid, int nt) {
  const float *x = ARG_P(a, 0);
  float *y = ARG_P(a, 1);
  int n = ARG_I(a, 2);
  float al = ARG_F(a, 3);
  v4 alpha = splat(al), one = splat(1.0f);
  int i = split_elems(n, tid, nt), e = split_elems(n, tid + 1, nt);
  for (; i + 4 <= e; i += 4) st(y + i, step4(ld(x + i), one, alpha));
  for (; i < e; i++) y[i] = x[i] != x[i] ? x[i] : (x[i] > 0.0f ? 1.0f : al);
}

// args: a, b, out, n  (same shapes)
void job_mul(const void *a, int tid, int nt) {
  const float *x = ARG_P(a, 0), *z = ARG_P(a, 1);
  float *y = ARG_P(a, 2);
  int n = ARG_I(a, 3);
  int i = split_elems(n, tid, nt), e = split_elems(n, tid + 1, nt);
  for (; i + 8 <= e; i += 8) {
    st(y + i, wasm_f32x4_mul(ld(x + i), ld(z + i)));
    st(y + i + 4, wasm_f32x4_mul(ld(x + i + 4), ld(z + i + 4)));
  }
  for (; i + 4 <= e; i += 4) st(y + i, wasm_f32x4_mul(ld(x + i), ld(z + i)));
  for (; i < e; i++) y[i] = x[i] * z[i];
}

// out = dy * step(y), i.e. the relu gradient in one pass.
// args: dy, y, out, n
void job_step_mul(const void *a, int tid, int nt) {
  const float *g = ARG_P(a, 0), *x = ARG_P(a, 1);
  float *y = ARG_P(a, 2);
  int n = ARG_I(a, 3);
  v4 one = splat(1.0f), z = zero4();
  int i = split_elems(n, tid, nt), e = split_elems(n, tid + 1, nt);
  for (; i + 4 <= e; i += 4) st(y + i, wasm_f32x4_mul(ld(g + i), step4(ld(x + i), one, z)));
  for (; i < e; i++) y[i] = g[i] * (x[i] != x[i] ? x[i] : (x[i] > 0.0f ? 1.0f : 0.0f));
}

// Adam / AdamW step, one pass over the four inputs writing three new tensors:
//   m' = b1 m + (1-b1) g;  v' = b2 v + (1-b2) g^2;
//   x' = x - lr * ((m'/d1) / (sqrt(v'/d2) + eps) + wd x),  d1 = 1 - b1^t, d2 = 1 - b2^t.
// args: x, g, m, v, xo, mo, vo, n, lr, b1, b2, eps, d1, d2, wd
void job_adam(const void *a, int tid, int nt) {
  const float *x = ARG_P(a, 0), *g = ARG_P(a, 1), *m = ARG_P(a, 2), *v = ARG_P(a, 3);
  float *xo = ARG_P(a, 4), *mo = ARG_P(a, 5), *vo = ARG_P(a, 6);
  int n = ARG_I(a, 7);
  float lr = ARG_F(a, 8), b1 = ARG_F(a, 9), b2 = ARG_F(a, 10), eps = ARG_F(a, 11);
  float d1 = ARG_F(a, 12), d2 = ARG_F(a, 13), wd = ARG_F(a, 14);
  float ob1 = 1.0f - b1, ob2 = 1.0f - b2;
  v4 vlr = splat(lr), vb1 = splat(b1), vb2 = splat(b2), veps = splat(eps), vd1 = splat(d1), vd2 = splat(d2);
  v4 vwd = splat(wd), vob1 = splat(ob1), vob2 = splat(ob2);
  int i = split_elems(n, tid, nt), e = split_elems(n, tid + 1, nt);
  for (; i + 4 <= e; i += 4) {
    v4 gv = ld(g + i), xv = ld(x + i);
    v4 mv = wasm_f32x4_add(wasm_f32x4_mul(ld(m + i), vb1), wasm_f32x4_mul(gv, vob1));
    v4 vv = wasm_f32x4_add(wasm_f32x4_mul(ld(v + i), vb2), wasm_f32x4_mul(wasm_f32x4_mul(gv, gv), vob2));
    v4 den = wasm_f32x4_add(wasm_f32x4_sqrt(wasm_f32x4_div(vv, vd2)), veps);
    v4 upd = wasm_f32x4_add(wasm_f32x4_div(wasm_f32x4_div(mv, vd1), den), wasm_f32x4_mul(vwd, xv));
    st(xo + i, wasm_f32x4_sub(xv, wasm_f32x4_mul(vlr, upd)));
    st(mo + i, mv);
    st(vo + i, vv);
  }
  for (; i < e; i++) {
    float gv = g[i], xv = x[i];
    float mv = m[i] * b1 + gv * ob1;
    float vv = v[i] * b2 + gv * gv * ob2;
    float den = __builtin_sqrtf(vv / d2) + eps;
    xo[i] = xv - lr * ((mv / d1) / den + wd * xv);
    mo[i] = mv;
    vo[i] = vv;
  }
}

// args: x, y, n
void job_relu(const void *a, int tid, int nt) {
  const float *x = ARG_P(a, 0);
  float *y = ARG_P(a, 1);
  int n = ARG_I(a, 2);
  v4 z = zero4();
  int i = split_elems(n, tid, nt), e = split_elems(n, tid + 1, nt);
  for (; i + 8 <= e; i += 8) {
    st(y + i, wasm_f32x4_pmax(ld(x + i), z));
    st(y + i + 4, wasm_f32x4_pmax(ld(x + i + 4), z));
  }
  for (; i + 4 <= e; i += 4) st(y + i, wasm_f32x4_pmax(ld(x + i), z));
  for (; i < e; i++) y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

// out = a + b for same shapes (C == 0), or a[R][C] + b[C] (bias broadcast over rows).
// args: a, b, out, n, C
void job_add(const void *a, int tid, int nt) {
  const float *x = ARG_P(a, 0), *b = ARG_P(a, 1);
  float *y = ARG_P(a, 2);
  int n = ARG_I(a, 3), C = ARG_I(a, 4);
  if (C == 0) {
    int i = split_elems(n, tid, nt), e = split_elems(n, tid + 1, nt);
    for (; i + 4 <= e; i += 4) st(y + i, wasm_f32x4_add(ld(x + i), ld(b + i)));
    for (; i < e; i++) y[i] = x[i] + b[i];
    return;
  }
  int R = n / C;
  int r0 = split_lo(R, tid, nt), r1 = split_lo(R, tid + 1, nt);
  for (int r = r0; r < r1; r++) {
    const float *xr = x + (long)r * C;
    float *yr = y + (long)r * C;
    int c = 0;
    for (; c + 4 <= C; c += 4) st(yr + c, wasm_f32x4_add(ld(xr + c), ld(b + c)));
    for (; c < C; c++) yr[c] = xr[c] + b[c];
  }
}

// y = max(x, s) (is_max) or min(x, s): tfjs's Maximum / Minimum with a scalar, as converted graphs spell relu6.
// f32x4.max/min propagate NaN, as Math.max/min do.
// args: x, y, n, s, is_max
void job_max_min_scalar(const void *a, int tid, int nt) {
  const float *x = ARG_P(a, 0);
  float *y = ARG_P(a, 1);
  int n = ARG_I(a, 2);
  float s = ARG_F(a, 3);
  int is_max = ARG_I(a, 4);
  v4 sv = splat(s);
  int i = split_elems(n, tid, nt), e = split_elems(n, tid + 1, nt);
  if (is_max) {
    for (; i + 4 <= e; i += 4) st(y + i, wasm_f32x4_max(ld(x + i), sv));
    for (; i < e; i++) y[i] = x[i] != x[i] ? x[i] : (x[i] > s ? x[i] : s);
  } else {
    for (; i + 4 <= e; i += 4) st(y + i, wasm_f32x4_min(ld(x + i), sv));
    for (; i < e; i++) y[i] = x[i] != x[i] ? x[i] : (x[i] < s ? x[i] : s);
  }
}
