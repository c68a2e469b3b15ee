// 2-D convolution kernels on NHWC tensors: padding/dilation copies, filter packing, forward and filter gradient.
#include "common.h"
#include "kernels.h"

// dst[n][j][i][:] = src[n][(j-ot)/sy][(i-ol)/sx][:] where that is a whole in-range position, else 0.
// Serves both zero padding of an input (sy = sx = 1) and the zero-dilated, padded dy of an input gradient.
// args: src, dst, N, Hs, Ws, C, Hd, Wd, ot, ol, sy, sx
void job_pad(const void *a, int tid, int nt) {
  const float *src = ARG_P(a, 0);
  float *dst = ARG_P(a, 1);
  int N = ARG_I(a, 2), Hs = ARG_I(a, 3), Ws = ARG_I(a, 4), C = ARG_I(a, 5);
  int Hd = ARG_I(a, 6), Wd = ARG_I(a, 7), ot = ARG_I(a, 8), ol = ARG_I(a, 9);
  int sy = ARG_I(a, 10), sx = ARG_I(a, 11);
  int R = N * Hd;
  int r0 = split_lo(R, tid, nt), r1 = split_lo(R, tid + 1, nt);
  for (int r = r0; r < r1; r++) {
    int n = r / Hd, j = r % Hd;
    float *d = dst + (long)r * Wd * C;
    int jj = j - ot;
    int rowOk = jj >= 0 && jj % sy == 0 && jj / sy < Hs;
    const float *srow = src + ((long)n * Hs + (rowOk ? jj / sy : 0)) * Ws * C;
    for (int i = 0; i < Wd; i++, d += C) {
      int ii = i - ol;
      if (rowOk && ii >= 0 && ii % sx == 0 && ii / sx < Ws) {
        const float *s = srow + (long)(ii / sx) * C;
        int c = 0;
        for (; c + 4 <= C; c += 4) st(d + c, ld(s + c));
        for (; c < C; c++) d[c] = s[c];
      } else {
        int c = 0;
        for (; c + 4 <= C; c += 4) st(d + c, zero4());
        for (; c < C; c++) d[c] = 0.0f;
      }
    }
  }
}

// Packs B(k, n) = b[bt*bbs + k*ks + n*ns] into panels dst[bt][p][k][8] (columns past N are zero), the layout
// every GEMM-like kernel here reads its right-hand operand in.
// args: b, dst, K, N, ks, ns, nbatch, bbs
void job_pack_b(const void *a, int tid, int nt) {
  const float *b = ARG_P(a, 0);
  float *dst = ARG_P(a, 1);
  int K = ARG_I(a, 2), N = ARG_I(a, 3), ks = ARG_I(a, 4), ns = ARG_I(a, 5);
  int nb = ARG_I(a, 6), bbs = ARG_I(a, 7);
  int P = (N + 7) >> 3;
  int T = nb * P;
  int t0 = split_lo(T, tid, nt), t1 = split_lo(T, tid + 1, nt);
  for (int t = t0; t < t1; t++) {
    int bt = t / P, p = t % P;
    const float *src = b + (long)bt * bbs;
    float *d = dst + (long)t * K * 8;
    int cols = N - p * 8;
    if (cols > 8) cols = 8;
    if (ns == 1 && cols == 8) {
      const float *s = src + p * 8;
      for (int k = 0; k < K; k++, d += 8, s += ks) {
        st(d, ld(s));
        st(d + 4, ld(s + 4));
      }
    } else if (ks == 1) {
      // Transposed source: each column is contiguous along k; 4x4 blocks are transposed in registers.
      const float *s0 = src + (long)p * 8 * ns;
      int k = 0;
      if (cols == 8) {
        for (; k + 4 <= K; k += 4, d += 32) {
          const float *s = s0 + k;
          v4 a0, a1, a2, a3, b0, b1, b2, b3;
          transpose4x4(ld(s), ld(s + ns), ld(s + 2L * ns), ld(s + 3L * ns), &a0, &a1, &a2, &a3);
          transpose4x4(ld(s + 4L * ns), ld(s + 5L * ns), ld(s + 6L * ns), ld(s + 7L * ns), &b0, &b1, &b2, &b3);
          st(d, a0), st(d + 4, b0), st(d + 8, a1), st(d + 12, b1);
          st(d + 16, a2), st(d + 20, b2), st(d + 24, a3), st(d + 28, b3);
        }
      }
      for (; k < K; k++, d += 8)
        for (int j = 0; j < 8; j++) d[j] = j < cols ? s0[(long)j * ns + k] : 0.0f;
    } else {
      for (int k = 0; k < K; k++, d += 8) {
        const float *s = src + (long)k * ks + (long)p * 8 * ns;
        for (int j = 0; j < 8; j++) d[j] = j < cols ? s[(long)j * ns] : 0.0f;
      }
    }
  }
}

// Packs the filter of an input gradient: rotated 180 degrees with in/out channels swapped, so that
// dx = conv(dilated padded dy, packed) with a plain forward conv. Row k = (kh*KW + kw)*Co + co, column ci.
// args: w [KH][KW][Ci][Co], dst, KH, KW, Ci, Co
void job_pack_w_dx(const void *a, int tid, int nt) {
  const float *w = ARG_P(a, 0);
  float *dst = ARG_P(a, 1);
  int KH = ARG_I(a, 2), KW = ARG_I(a, 3), Ci = ARG_I(a, 4), Co = ARG_I(a, 5);
  int P = (Ci + 7) >> 3, K = KH * KW * Co;
  int t0 = split_lo(P, tid, nt), t1 = split_lo(P, tid + 1, nt);
  for (int p = t0; p < t1; p++) {
    float *d = dst + (long)p * K * 8;
    for (int kh = 0; kh < KH; kh++)
      for (int kw = 0; kw < KW; kw++) {
        const float *wf = w + ((long)(KH - 1 - kh) * KW + (KW - 1 - kw)) * Ci * Co;
        for (int co = 0; co < Co; co++, d += 8)
          for (int j = 0; j < 8; j++) {
            int ci = p * 8 + j;
            d[j] = ci < Ci ? wf[(long)ci * Co + co] : 0.0f;
          }
      }
  }
}

INLINE const float *conv_row_ptr(const float *x, int m, int HWo, int Wo, int Hp, int Wp, int Ci, int sh, int sw) {
  int n = m / HWo, rem = m - n * HWo;
  int oh = rem / Wo, ow = rem - oh * Wo;
  return x + (((long)n * Hp + (long)oh * sh) * Wp + (long)ow * sw) * Ci;
}

// Interleaves the K-long patches of 4 output pixels as ap[k][4], so the multiply loop addresses one packed
// stream with constant offsets instead of 4 row pointers (fewer instructions per multiply-add).
INLINE void pack_rows4(float *ap, const float *r0, const float *r1, const float *r2, const float *r3, int KH, int seg,
                       int rs) {
  for (int kh = 0; kh < KH; kh++) {
    const float *q0 = r0 + kh * rs, *q1 = r1 + kh * rs, *q2 = r2 + kh * rs, *q3 = r3 + kh * rs;
    int j = 0;
    for (; j + 4 <= seg; j += 4, ap += 16) {
      v4 a = ld(q0 + j), b = ld(q1 + j), c = ld(q2 + j), d = ld(q3 + j);
      v4 ab0 = wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), ab1 = wasm_i32x4_shuffle(a, b, 2, 6, 3, 7);
      v4 cd0 = wasm_i32x4_shuffle(c, d, 0, 4, 1, 5), cd1 = wasm_i32x4_shuffle(c, d, 2, 6, 3, 7);
      st(ap, wasm_i64x2_shuffle(ab0, cd0, 0, 2));
      st(ap + 4, wasm_i64x2_shuffle(ab0, cd0, 1, 3));
      st(ap + 8, wasm_i64x2_shuffle(ab1, cd1, 0, 2));
      st(ap + 12, wasm_i64x2_shuffle(ab1, cd1, 1, 3));
    }
    for (; j < seg; j++, ap += 4) ap[0] = q0[j], ap[1] = q1[j], ap[2] = q2[j], ap[3] = q3[j];
  }
}

// Forward conv (dilation 1) on an already padded input as an implicit GEMM: 4 output pixels x 8 output
// channels per register tile. The 4 pixels' patches are packed once per tile (each filter row's (kw, ci)
// run is contiguous in NHWC, so no im2col of the whole input) and reused for every channel panel.
// Pixel tiles are taken dynamically (see grab); each is computed the same way by any thread.
// args: x, wpacked, bias|0, out, N, Hp, Wp, Ci, Ho, Wo, Co, KH, KW, sh, sw, act, alpha,
//       scratch (nt * K*4 floats, each rounded up to 16)
void job_conv_fwd(const void *a, int tid, int nt) {
  const float *x = ARG_P(a, 0), *wp = ARG_P(a, 1), *bias = ARG_P(a, 2);
  float *out = ARG_P(a, 3);
  int N = ARG_I(a, 4), Hp = ARG_I(a, 5), Wp = ARG_I(a, 6), Ci = ARG_I(a, 7);
  int Ho = ARG_I(a, 8), Wo = ARG_I(a, 9), Co = ARG_I(a, 10), KH = ARG_I(a, 11), KW = ARG_I(a, 12);
  int sh = ARG_I(a, 13), sw = ARG_I(a, 14), act = ARG_I(a, 15);
  v4 alpha = splat(ARG_F(a, 16));
  int HWo = Ho * Wo, M = N * HWo, T = (M + 3) >> 2, P = (Co + 7) >> 3;
  int K = KH * KW * Ci, seg = KW * Ci, rs = Wp * Ci;
  // Each thread's buffer starts on its own cache line (false sharing halved the 2-thread speed at K = 27).
  float *ap = ARG_P(a, 17) + (long)tid * ((K * 4 + 15) & ~15);
  // Work items are (pixel tile, slice of the output-channel panels); a tile's patches are packed again only when
  // a thread's next item is another tile.
  int S = panel_slices(T, P, nt), items = T * S, last = -1;
  int chunk = items / (nt * 16);
  if (chunk < 1) chunk = 1;
  for (int i0 = grab(a, chunk); i0 < items; i0 = grab(a, chunk)) {
    int i1 = i0 + chunk < items ? i0 + chunk : items;
    for (int item = i0; item < i1; item++) {
      int t = item / S, s = item - t * S;
      int pa = split_lo(P, s, S), pb = split_lo(P, s + 1, S);
      int m0 = t * 4, rows = M - m0;
      if (rows > 4) rows = 4;
      if (t != last) {
        last = t;
        const float *r0 = conv_row_ptr(x, m0, HWo, Wo, Hp, Wp, Ci, sh, sw);
        const float *r1 = rows > 1 ? conv_row_ptr(x, m0 + 1, HWo, Wo, Hp, Wp, Ci, sh, sw) : r0;
        const float *r2 = rows > 2 ? conv_row_ptr(x, m0 + 2, HWo, Wo, Hp, Wp, Ci, sh, sw) : r0;
        const float *r3 = rows > 3 ? conv_row_ptr(x, m0 + 3, HWo, Wo, Hp, Wp, Ci, sh, sw) : r0;
        pack_rows4(ap, r0, r1, r2, r3, KH, seg, rs);
      }
      for (int p = pa; p < pb; p++) {
        const float *b = wp + (long)p * K * 8;
        const float *q = ap;
        v4 c00 = zero4(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int k = 0; k < K; k++, b += 8, q += 4) {
          v4 b0 = ld(b), b1 = ld(b + 4);
          v4 av = bcast(q);
          c00 = madd(c00, av, b0);
          c01 = madd(c01, av, b1);
          av = bcast(q + 1);
          c10 = madd(c10, av, b0);
          c11 = madd(c11, av, b1);
          av = bcast(q + 2);
          c20 = madd(c20, av, b0);
          c21 = madd(c21, av, b1);
          av = bcast(q + 3);
          c30 = madd(c30, av, b0);
          c31 = madd(c31, av, b1);
        }
        int cols = Co - p * 8;
        if (cols > 8) cols = 8;
        bias_act_4x8(bias ? bias + p * 8 : 0, cols, act, alpha, &c00, &c01, &c10, &c11, &c20, &c21, &c30, &c31);
        float *o = out + (long)m0 * Co + p * 8;
        st8_n(o, c00, c01, cols);
        if (rows > 1) st8_n(o + Co, c10, c11, cols);
        if (rows > 2) st8_n(o + 2 * Co, c20, c21, cols);
        if (rows > 3) st8_n(o + 3 * Co, c30, c31, cols);
      }
    }
  }
}

INLINE int dw_row_off(int m, int MD, int KW, int Ci, int Wp) {
  if (m >= MD) m = MD - 1;
  int kh = m / (KW * Ci), rem = m - kh * KW * Ci;
  int kw = rem / Ci, ci = rem - kw * Ci;
  return (kh * Wp + kw) * Ci + ci;
}

// Filter gradient (dilation 1) as a GEMM dW[(kh,kw,ci)][co] = sum over output pixels of x-patch * dy:
// 4 filter rows x 8 output channels per register tile, dy read in place as the right operand. Pixels
// are taken in blocks that stay in cache while every tile of this thread sweeps them; tiles belong to
// one thread each, so the summation order is fixed by the shapes alone.
// args: x(padded), dy, acc scratch [MT*4][P*8], dw, N, Hp, Wp, Ci, Ho, Wo, Co, KH, KW, sh, sw
void job_conv_dw(const void *a, int tid, int nt) {
  const float *x = ARG_P(a, 0), *dy = ARG_P(a, 1);
  float *acc = ARG_P(a, 2), *dw = ARG_P(a, 3);
  int N = ARG_I(a, 4), Hp = ARG_I(a, 5), Wp = ARG_I(a, 6), Ci = ARG_I(a, 7);
  int Ho = ARG_I(a, 8), Wo = ARG_I(a, 9), Co = ARG_I(a, 10), KH = ARG_I(a, 11), KW = ARG_I(a, 12);
  int sh = ARG_I(a, 13), sw = ARG_I(a, 14);
  int MD = KH * KW * Ci, MT = (MD + 3) >> 2, P = (Co + 7) >> 3, T = MT * P, P8 = P * 8;
  int t0 = split_lo(T, tid, nt), t1 = split_lo(T, tid + 1, nt);
  int R = N * Ho;
  // One output row per block: its x rows and dy row stay in L1 while every tile of this thread sweeps
  // them (measured: 1.6x faster than 13-row blocks that only fit L2).
  int rpb = 1;
  int xs = sw * Ci;
  for (int rb = 0; rb < R; rb += rpb) {
    int re = rb + rpb < R ? rb + rpb : R;
    for (int t = t0; t < t1; t++) {
      int mt = t / P, p = t - mt * P;
      int cols = Co - p * 8;
      if (cols > 8) cols = 8;
      int o0 = dw_row_off(mt * 4, MD, KW, Ci, Wp), o1 = dw_row_off(mt * 4 + 1, MD, KW, Ci, Wp);
      int o2 = dw_row_off(mt * 4 + 2, MD, KW, Ci, Wp), o3 = dw_row_off(mt * 4 + 3, MD, KW, Ci, Wp);
      float *ap = acc + (long)mt * 4 * P8 + p * 8;
      v4 c00, c01, c10, c11, c20, c21, c30, c31;
      if (rb == 0) {
        c00 = zero4(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
      } else {
        c00 = ld(ap), c01 = ld(ap + 4), c10 = ld(ap + P8), c11 = ld(ap + P8 + 4);
        c20 = ld(ap + 2 * P8), c21 = ld(ap + 2 * P8 + 4), c30 = ld(ap + 3 * P8), c31 = ld(ap + 3 * P8 + 4);
      }
      for (int r = rb; r < re; r++) {
        int n = r / Ho, oh = r - n * Ho;
        const float *xb = x + ((long)n * Hp + (long)oh * sh) * Wp * Ci;
        const float *q0 = xb + o0, *q1 = xb + o1, *q2 = xb + o2, *q3 = xb + o3;
        const float *d = dy + (long)r * Wo * Co + p * 8;
        for (int ow = 0; ow < Wo; ow++) {
          v4 b0, b1;
          // A ragged last panel must not read past the end of dy.
          if (cols == 8) {
            b0 = ld(d), b1 = ld(d + 4);
          } else {
            ld8_n(d, cols, &b0, &b1);
          }
          d += Co;
          v4 av = bcast(q0);
          c00 = madd(c00, av, b0);
          c01 = madd(c01, av, b1);
          av = bcast(q1);
          c10 = madd(c10, av, b0);
          c11 = madd(c11, av, b1);
          av = bcast(q2);
          c20 = madd(c20, av, b0);
          c21 = madd(c21, av, b1);
          av = bcast(q3);
          c30 = madd(c30, av, b0);
          c31 = madd(c31, av, b1);
          q0 += xs, q1 += xs, q2 += xs, q3 += xs;
        }
      }
      st(ap, c00), st(ap + 4, c01), st(ap + P8, c10), st(ap + P8 + 4, c11);
      st(ap + 2 * P8, c20), st(ap + 2 * P8 + 4, c21), st(ap + 3 * P8, c30), st(ap + 3 * P8 + 4, c31);
    }
  }
  // Copy this thread's tiles to the real [MD][Co] gradient.
  for (int t = t0; t < t1; t++) {
    int mt = t / P, p = t - mt * P;
    int cols = Co - p * 8;
    if (cols > 8) cols = 8;
    for (int i = 0; i < 4; i++) {
      int m = mt * 4 + i;
      if (m >= MD) break;
      const float *s = acc + (long)m * P8 + p * 8;
      st8_n(dw + (long)m * Co + p * 8, ld(s), ld(s + 4), cols);
    }
  }
}

// Filter gradient, second form for wide filter rows: for each filter row kh the (kw, ci) run of the patch
// is contiguous in NHWC, so 8 consecutive run positions form two vectors and 4 output channels of dy are
// broadcast: one x pointer and one dy pointer per pixel, no per-row address arithmetic. Tiles past the run
// end or past Co compute lanes that are dropped (callers make sure those reads stay inside memory).
// Partial sums go to accT[CT*4][KH*JT*8] (transposed), then this thread's tiles are copied to dw.
// args: x(padded), dy, accT scratch, dw, N, Hp, Wp, Ci, Ho, Wo, Co, KH, KW, sh, sw
void job_conv_dw_rows(const void *a, int tid, int nt) {
  const float *x = ARG_P(a, 0), *dy = ARG_P(a, 1);
  float *acc = ARG_P(a, 2), *dw = ARG_P(a, 3);
  int N = ARG_I(a, 4), Hp = ARG_I(a, 5), Wp = ARG_I(a, 6), Ci = ARG_I(a, 7);
  int Ho = ARG_I(a, 8), Wo = ARG_I(a, 9), Co = ARG_I(a, 10), KH = ARG_I(a, 11), KW = ARG_I(a, 12);
  int sh = ARG_I(a, 13), sw = ARG_I(a, 14);
  int L = KW * Ci, JT = (L + 7) >> 3, CT = (Co + 3) >> 2;
  int MP = KH * JT * 8;  // padded row count of accT
  int T = KH * JT * CT;
  int t0 = split_lo(T, tid, nt), t1 = split_lo(T, tid + 1, nt);
  int R = N * Ho;
  // One output row per block: its x rows and dy row stay in L1 while every tile of this thread sweeps
  // them (measured: 1.6x faster than 13-row blocks that only fit L2).
  int rpb = 1;
  int xs = sw * Ci;
  long rowStride = (long)Wp * Ci;
  for (int rb = 0; rb < R; rb += rpb) {
    int re = rb + rpb < R ? rb + rpb : R;
    for (int t = t0; t < t1; t++) {
      // Channel blocks innermost: consecutive tiles reuse the same x run from L1.
      int ct = t % CT, rest = t / CT;
      int jt = rest % JT, kh = rest / JT;
      int mrow = kh * JT * 8 + jt * 8;
      float *ap = acc + (long)ct * 4 * MP + mrow;
      v4 a0l, a0h, a1l, a1h, a2l, a2h, a3l, a3h;
      if (rb == 0) {
        a0l = zero4(), a0h = a0l, a1l = a0l, a1h = a0l, a2l = a0l, a2h = a0l, a3l = a0l, a3h = a0l;
      } else {
        a0l = ld(ap), a0h = ld(ap + 4), a1l = ld(ap + MP), a1h = ld(ap + MP + 4);
        a2l = ld(ap + 2 * MP), a2h = ld(ap + 2 * MP + 4), a3l = ld(ap + 3 * MP), a3h = ld(ap + 3 * MP + 4);
      }
      for (int r = rb; r < re; r++) {
        int n = r / Ho, oh = r - n * Ho;
        const float *q = x + ((long)n * Hp + (long)oh * sh + kh) * rowStride + jt * 8;
        const float *d = dy + (long)r * Wo * Co + ct * 4;
        for (int ow = 0; ow < Wo; ow++) {
          v4 xl = ld(q), xh = ld(q + 4);
          v4 g = bcast(d);
          a0l = madd(a0l, xl, g);
          a0h = madd(a0h, xh, g);
          g = bcast(d + 1);
          a1l = madd(a1l, xl, g);
          a1h = madd(a1h, xh, g);
          g = bcast(d + 2);
          a2l = madd(a2l, xl, g);
          a2h = madd(a2h, xh, g);
          g = bcast(d + 3);
          a3l = madd(a3l, xl, g);
          a3h = madd(a3h, xh, g);
          q += xs;
          d += Co;
        }
      }
      st(ap, a0l), st(ap + 4, a0h), st(ap + MP, a1l), st(ap + MP + 4, a1h);
      st(ap + 2 * MP, a2l), st(ap + 2 * MP + 4, a2h), st(ap + 3 * MP, a3l), st(ap + 3 * MP + 4, a3h);
    }
  }
  for (int t = t0; t < t1; t++) {
    int ct = t % CT, rest = t / CT;
    int jt = rest % JT, kh = rest / JT;
    for (int jj = 0; jj < 8; jj++) {
      int j = jt * 8 + jj;
      if (j >= L) break;
      int m = kh * L + j;
      for (int c = 0; c < 4; c++) {
        int co = ct * 4 + c;
        if (co >= Co) break;
        dw[(long)m * Co + co] = acc[(long)co * MP + kh * JT * 8 + j];
      }
    }
  }
}
