// Max pooling forward (2x2 stride 2) and its gradient (2x2 stride 2 fast path and a general scalar path).
#include "common.h"
#include "kernels.h"

// y[n][oh][ow][c] = max of the 2x2 window at (2oh, 2ow); tfjs keeps NaN, and so does the >-based chain.
// args: x, y, N, H, W, C, Ho, Wo
void job_maxpool_2x2(const void *a, int tid, int nt) {
  const float *x = ARG_P(a, 0);
  float *y = ARG_P(a, 1);
  int N = ARG_I(a, 2), H = ARG_I(a, 3), W = ARG_I(a, 4), C = ARG_I(a, 5), Ho = ARG_I(a, 6), Wo = ARG_I(a, 7);
  int R = N * Ho;
  int r0 = split_lo(R, tid, nt), r1 = split_lo(R, tid + 1, nt);
  long rowC = (long)W * C;
  for (int r = r0; r < r1; r++) {
    int n = r / Ho, oh = r - n * Ho;
    const float *x0 = x + ((long)n * H + 2L * oh) * rowC, *x1 = x0 + rowC;
    float *yo = y + (long)r * Wo * C;
    for (int ow = 0; ow < Wo; ow++) {
      const float *p0 = x0 + 2L * ow * C, *p1 = x1 + 2L * ow * C;
      float *o = yo + (long)ow * C;
      int c = 0;
      for (; c + 4 <= C; c += 4) {
        v4 m = ld(p0 + c), v;
        v = ld(p0 + C + c);
        m = wasm_v128_bitselect(v, m, wasm_f32x4_gt(v, m));
        v = ld(p1 + c);
        m = wasm_v128_bitselect(v, m, wasm_f32x4_gt(v, m));
        v = ld(p1 + C + c);
        m = wasm_v128_bitselect(v, m, wasm_f32x4_gt(v, m));
        st(o + c, m);
      }
      for (; c < C; c++) {
        float m = p0[c];
        if (p0[C + c] > m) m = p0[C + c];
        if (p1[c] > m) m = p1[c];
        if (p1[C + c] > m) m = p1[C + c];
        o[c] = m;
      }
    }
  }
}

// Gradient of a 2x2 stride-2 unpadded max pool: each input position gets dy if it is the first position
// (row-major within the window) holding a value greater than everything before it, like tfjs's cpu
// backend (running max starting at -inf with a strict >). Positions outside every window get 0.
// args: x, dy, dx, N, H, W, C, Ho, Wo
void job_maxpool_grad_2x2(const void *a, int tid, int nt) {
  const float *x = ARG_P(a, 0), *dy = ARG_P(a, 1);
  float *dx = ARG_P(a, 2);
  int N = ARG_I(a, 3), H = ARG_I(a, 4), W = ARG_I(a, 5), C = ARG_I(a, 6), Ho = ARG_I(a, 7), Wo = ARG_I(a, 8);
  int R = N * Ho;
  int r0 = split_lo(R, tid, nt), r1 = split_lo(R, tid + 1, nt);
  long rowC = (long)W * C;
  v4 ninf = splat(-__builtin_inff());
  for (int r = r0; r < r1; r++) {
    int n = r / Ho, oh = r - n * Ho;
    const float *x0 = x + ((long)n * H + 2L * oh) * rowC, *x1 = x0 + rowC;
    float *d0 = dx + ((long)n * H + 2L * oh) * rowC, *d1 = d0 + rowC;
    const float *g = dy + (long)r * Wo * C;
    for (int ow = 0; ow < Wo; ow++) {
      long o0 = 2L * ow * C, o1 = o0 + C;
      const float *gg = g + (long)ow * C;
      int c = 0;
      for (; c + 4 <= C; c += 4) {
        v4 v0 = ld(x0 + o0 + c), v1 = ld(x0 + o1 + c), v2 = ld(x1 + o0 + c), v3 = ld(x1 + o1 + c);
        v4 gv = ld(gg + c);
        // Running argmax as lane masks: s_i marks "position i currently holds the max".
        v4 s0 = wasm_f32x4_gt(v0, ninf);
        v4 m = wasm_v128_bitselect(v0, ninf, s0);
        v4 s1 = wasm_f32x4_gt(v1, m);
        m = wasm_v128_bitselect(v1, m, s1);
        s0 = wasm_v128_andnot(s0, s1);
        v4 s2 = wasm_f32x4_gt(v2, m);
        m = wasm_v128_bitselect(v2, m, s2);
        s0 = wasm_v128_andnot(s0, s2), s1 = wasm_v128_andnot(s1, s2);
        v4 s3 = wasm_f32x4_gt(v3, m);
        s0 = wasm_v128_andnot(s0, s3), s1 = wasm_v128_andnot(s1, s3), s2 = wasm_v128_andnot(s2, s3);
        st(d0 + o0 + c, wasm_v128_and(gv, s0));
        st(d0 + o1 + c, wasm_v128_and(gv, s1));
        st(d1 + o0 + c, wasm_v128_and(gv, s2));
        st(d1 + o1 + c, wasm_v128_and(gv, s3));
      }
      for (; c < C; c++) {
        float m = -__builtin_inff();
        int pos = -1;
        float v0 = x0[o0 + c], v1 = x0[o1 + c], v2 = x1[o0 + c], v3 = x1[o1 + c];
        if (v0 > m) m = v0, pos = 0;
        if (v1 > m) m = v1, pos = 1;
        if (v2 > m) m = v2, pos = 2;
        if (v3 > m) m = v3, pos = 3;
        float gv = gg[c];
        d0[o0 + c] = pos == 0 ? gv : 0.0f;
        d0[o1 + c] = pos == 1 ? gv : 0.0f;
        d1[o0 + c] = pos == 2 ? gv : 0.0f;
        d1[o1 + c] = pos == 3 ? gv : 0.0f;
      }
    }
    // Odd widths leave a column no window covers.
    for (long i = 2L * Wo * C; i < rowC; i++) d0[i] = 0.0f, d1[i] = 0.0f;
    // The last window row of an image also clears the rows below it that no window covers.
    if (oh == Ho - 1) {
      float *z = d1 + rowC, *ze = dx + ((long)n + 1) * H * rowC;
      for (; z < ze; z++) *z = 0.0f;
    }
  }
}

// General max-pool gradient (any window, stride, dilation, padding): dx must be zeroed by the caller's
// job split, which is per image so windows never race. Same first-max rule as above.
// args: x, dy, dx, N, H, W, C, Ho, Wo, fh, fw, sh, sw, dh, dw, padTop, padLeft
void job_maxpool_grad(const void *a, int tid, int nt) {
  const float *x = ARG_P(a, 0), *dy = ARG_P(a, 1);
  float *dx = ARG_P(a, 2);
  int N = ARG_I(a, 3), H = ARG_I(a, 4), W = ARG_I(a, 5), C = ARG_I(a, 6), Ho = ARG_I(a, 7), Wo = ARG_I(a, 8);
  int fh = ARG_I(a, 9), fw = ARG_I(a, 10), sh = ARG_I(a, 11), sw = ARG_I(a, 12);
  int dh = ARG_I(a, 13), dwl = ARG_I(a, 14), pt = ARG_I(a, 15), pl = ARG_I(a, 16);
  int n0 = split_lo(N, tid, nt), n1 = split_lo(N, tid + 1, nt);
  for (int n = n0; n < n1; n++) {
    const float *xn = x + (long)n * H * W * C;
    float *dn = dx + (long)n * H * W * C;
    for (long i = 0; i < (long)H * W * C; i++) dn[i] = 0.0f;
    for (int oh = 0; oh < Ho; oh++)
      for (int ow = 0; ow < Wo; ow++)
        for (int c = 0; c < C; c++) {
          float m = -__builtin_inff();
          long pos = -1;
          for (int i = 0; i < fh; i++) {
            int ih = oh * sh - pt + i * dh;
            if (ih < 0 || ih >= H) continue;
            for (int j = 0; j < fw; j++) {
              int iw = ow * sw - pl + j * dwl;
              if (iw < 0 || iw >= W) continue;
              long idx = ((long)ih * W + iw) * C + c;
              if (xn[idx] > m) m = xn[idx], pos = idx;
            }
          }
          if (pos >= 0) dn[pos] += dy[(((long)n * Ho + oh) * Wo + ow) * C + c];
        }
  }
}
