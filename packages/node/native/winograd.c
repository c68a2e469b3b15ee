// Winograd convolutions for 3x3 filters at stride 1 (dilation 1), NHWC, any zero padding, on 6x6 patches
// with 36 transform points:
//   forward / input gradient  F(4x4,3x3):  Y  = A^T [ (G g G^T) . (B^T d B) ] A   per 4x4 output tile
//     (the input gradient is the forward conv of dy with the rotated, transposed filter);
//   filter gradient           F(3x3,4x4):  dW = G^T [ sum over 4x4 dy tiles (A dy A^T) . (B^T d B) ] G.
// 36 multiply-adds per 16 outputs per channel pair instead of 144, done as 36 GEMMs over channels (forward)
// or tiles (filter gradient). Float32 error stays around 5e-6 of the largest output (direct: 5e-7), far
// inside the 1e-4 the kernels are tested to. Taps outside the image read as zeros: no padded copies, and
// edge tiles may be partial.
//   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//   G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
//   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
#include "common.h"
#include "kernels.h"

#define WT 36  // transform points
// Padding (floats) between the points' slices of the transformed data: slices a power of two apart map to
// the same few L1 sets, and 36 of them thrash it (the filter gradient ran 3x slower).
#define PAD 16

// Channel vector of pixel (yy, xx) of one NHWC image (channel offset applied), zero outside the image.
INLINE v4 wld(const float *img, int yy, int xx, int H, int W, int C, int cn) {
  if ((unsigned)yy >= (unsigned)H || (unsigned)xx >= (unsigned)W) return zero4();
  return ld_n(img + ((long)yy * W + xx) * C, cn);
}

// 1-D B^T on six vectors (multiplications by constants as multiply-adds).
#define BT6(d0, d1, d2, d3, d4, d5, o0, o1, o2, o3, o4, o5)                   \
  do {                                                                        \
    v4 a_ = madd(d4, splat(-4.0f), d2), b_ = madd(d3, splat(-4.0f), d1);      \
    v4 c_ = wasm_f32x4_sub(d4, d2), e_ = wasm_f32x4_mul(splat(2.0f), wasm_f32x4_sub(d3, d1)); \
    o0 = madd(c_, splat(4.0f), wasm_f32x4_sub(d0, d2));                       \
    o1 = wasm_f32x4_add(a_, b_);                                              \
    o2 = wasm_f32x4_sub(a_, b_);                                              \
    o3 = wasm_f32x4_add(c_, e_);                                              \
    o4 = wasm_f32x4_sub(c_, e_);                                              \
    o5 = madd(wasm_f32x4_sub(d5, d3), splat(4.0f), wasm_f32x4_sub(d1, d3));   \
  } while (0)

// B^T d B of the 6x6 patch at (y0, x0) for one channel vector: point (i, j) goes to o[(i*6 + j) * os].
// tmp holds 36 vectors between the row and column passes. fast: patch inside the image and cn == 4.
INLINE void wino_in_patch(const float *img, int y0, int x0, int H, int W, int C, int cn, int fast, float *tmp,
                           float *o, int os) {
  long rs = (long)W * C;
  const float *p = img + (long)y0 * rs + (long)x0 * C;
  for (int r = 0; r < 6; r++) {
    v4 d0, d1, d2, d3, d4, d5;
    if (fast) {
      const float *q = p + r * rs;
      d0 = ld(q), d1 = ld(q + C), d2 = ld(q + 2 * C), d3 = ld(q + 3 * C), d4 = ld(q + 4 * C), d5 = ld(q + 5 * C);
    } else {
      int yy = y0 + r;
      d0 = wld(img, yy, x0, H, W, C, cn), d1 = wld(img, yy, x0 + 1, H, W, C, cn);
      d2 = wld(img, yy, x0 + 2, H, W, C, cn), d3 = wld(img, yy, x0 + 3, H, W, C, cn);
      d4 = wld(img, yy, x0 + 4, H, W, C, cn), d5 = wld(img, yy, x0 + 5, H, W, C, cn);
    }
    v4 t0, t1, t2, t3, t4, t5;
    BT6(d0, d1, d2, d3, d4, d5, t0, t1, t2, t3, t4, t5);
    float *q = tmp + r * 24;
    st(q, t0), st(q + 4, t1), st(q + 8, t2), st(q + 12, t3), st(q + 16, t4), st(q + 20, t5);
  }
  for (int j = 0; j < 6; j++) {
    const float *q = tmp + j * 4;
    v4 d0 = ld(q), d1 = ld(q + 24), d2 = ld(q + 48), d3 = ld(q + 72), d4 = ld(q + 96), d5 = ld(q + 120);
    v4 t0, t1, t2, t3, t4, t5;
    BT6(d0, d1, d2, d3, d4, d5, t0, t1, t2, t3, t4, t5);
    float *oj = o + j * os;
    st(oj, t0), st(oj + 6 * os, t1), st(oj + 12 * os, t2), st(oj + 18 * os, t3), st(oj + 24 * os, t4),
        st(oj + 30 * os, t5);
  }
}

// 1-D A^T on six vectors.
#define AT6(m0, m1, m2, m3, m4, m5, y0, y1, y2, y3)                                 \
  do {                                                                              \
    v4 s12_ = wasm_f32x4_add(m1, m2), d12_ = wasm_f32x4_sub(m1, m2);                \
    v4 s34_ = wasm_f32x4_add(m3, m4), d34_ = wasm_f32x4_sub(m3, m4);                \
    y0 = wasm_f32x4_add(wasm_f32x4_add(m0, s12_), s34_);                            \
    y1 = madd(d12_, splat(2.0f), d34_);                                             \
    y2 = madd(s12_, splat(4.0f), s34_);                                             \
    y3 = wasm_f32x4_add(madd(d12_, splat(8.0f), d34_), m5);                         \
  } while (0)

// Filter transform U = G g G^T packed as U[xi][p][k][8] (k < Cp, zero past the real channel counts); flip
// packs the filter of an input gradient (rotated 180 degrees, channel axes swapped).
// args: w [3][3][Ci][Co], U, Ci, Co, flip, Cp
void job_wino_pack_u(const void *a, int tid, int nt) {
  const float *w = ARG_P(a, 0);
  float *U = ARG_P(a, 1);
  int Ci = ARG_I(a, 2), Co = ARG_I(a, 3), flip = ARG_I(a, 4), Cp = ARG_I(a, 5);
  int Kin = flip ? Co : Ci, Kout = flip ? Ci : Co;
  int P = (Kout + 7) >> 3;
  int R = P * Cp;
  int r0 = split_lo(R, tid, nt), r1 = split_lo(R, tid + 1, nt);
  long xs = (long)P * Cp * 8;
  const float s6 = 1.0f / 6.0f, s12 = 1.0f / 12.0f, s24 = 1.0f / 24.0f;
  for (int r = r0; r < r1; r++) {
    int p = r / Cp, k = r - p * Cp;
    float *u = U + (long)r * 8;
    for (int j = 0; j < 8; j++) {
      int o = p * 8 + j;
      int ok = k < Kin && o < Kout;
      // h = G g (6x3), one filter column c at a time, then u = h G^T row by row.
      float h0[3], h1[3], h2[3], h3[3], h4[3], h5[3];
#pragma unroll
      for (int c = 0; c < 3; c++) {
        float g0, g1, g2;
        if (!ok) {
          g0 = g1 = g2 = 0.0f;
        } else if (flip) {
          g0 = w[((long)(8 - c) * Ci + o) * Co + k];
          g1 = w[((long)(5 - c) * Ci + o) * Co + k];
          g2 = w[((long)(2 - c) * Ci + o) * Co + k];
        } else {
          g0 = w[((long)c * Ci + k) * Co + o];
          g1 = w[((long)(3 + c) * Ci + k) * Co + o];
          g2 = w[((long)(6 + c) * Ci + k) * Co + o];
        }
        h0[c] = 0.25f * g0;
        h1[c] = -s6 * (g0 + g1 + g2);
        h2[c] = -s6 * (g0 - g1 + g2);
        h3[c] = s24 * g0 + s12 * g1 + s6 * g2;
        h4[c] = s24 * g0 - s12 * g1 + s6 * g2;
        h5[c] = g2;
      }
#define U_ROW(i, h)                                                        \
  do {                                                                     \
    float *ui = u + (long)(i) * 6 * xs + j;                                \
    ui[0] = 0.25f * h[0];                                                  \
    ui[xs] = -s6 * (h[0] + h[1] + h[2]);                                   \
    ui[2 * xs] = -s6 * (h[0] - h[1] + h[2]);                               \
    ui[3 * xs] = s24 * h[0] + s12 * h[1] + s6 * h[2];                      \
    ui[4 * xs] = s24 * h[0] - s12 * h[1] + s6 * h[2];                      \
    ui[5 * xs] = h[2];                                                     \
  } while (0)
      U_ROW(0, h0);
      U_ROW(1, h1);
      U_ROW(2, h2);
      U_ROW(3, h3);
      U_ROW(4, h4);
      U_ROW(5, h5);
#undef U_ROW
    }
  }
}

INLINE void tile_pos(int ti, int TH, int TW, int *n, int *th, int *tw) {
  int per = TH * TW;
  *n = ti / per;
  int r = ti - *n * per;
  *th = r / TW;
  *tw = r - *th * TW;
}

// Forward F(4x4,3x3), register tile of 4 output tiles (4x4 pixels each) x 8 output channels. Per group of 4
// tiles the input transform goes to V[xi][k/4][tile][4], then per panel of 8 output channels the 36 point
// GEMMs go to M[xi][tile][8] and the output transform, bias and activation write the pixels. Groups are
// taken dynamically; each is computed the same way by any thread.
// args: x, U, bias|0, out, N, H, W, Ci, Ho, Wo, Co, pt, pl, act, alpha, scratch (per thread 144*Cp + 1920 floats)
void job_wino_fwd(const void *a, int tid, int nt) {
  const float *x = ARG_P(a, 0), *U = ARG_P(a, 1), *bias = ARG_P(a, 2);
  float *out = ARG_P(a, 3);
  int N = ARG_I(a, 4), H = ARG_I(a, 5), W = ARG_I(a, 6), Ci = ARG_I(a, 7);
  int Ho = ARG_I(a, 8), Wo = ARG_I(a, 9), Co = ARG_I(a, 10), pt = ARG_I(a, 11), pl = ARG_I(a, 12);
  int act = ARG_I(a, 13);
  v4 alpha = splat(ARG_F(a, 14));
  int Cp = (Ci + 3) & ~3, P = (Co + 7) >> 3;
  int TH = (Ho + 3) >> 2, TW = (Wo + 3) >> 2, T = N * TH * TW, G = (T + 3) >> 2;
  int vs = Cp * 4 + PAD;  // point stride of V
  float *V = ARG_P(a, 15) + (long)tid * (144 * Cp + 1920);
  float *M = V + WT * vs;                // [36 points][4 tiles][8]
  float *tmp = M + 1152;                 // 36 vectors
  int32_t *info = (int32_t *)(tmp + 144);  // [4 tiles][8]: image, y0, x0, fast, out pixel, rows, cols
  long imgStride = (long)H * W * Ci;
  // Work items are (group, slice of the output-channel panels); the input transform is redone only when a
  // thread's next item is another group.
  int S = panel_slices(G, P, nt), items = G * S, last = -1;
  int chunk = items / (nt * 16);
  if (chunk < 1) chunk = 1;
  for (int i0 = grab(a, chunk); i0 < items; i0 = grab(a, chunk)) {
    int i1 = i0 + chunk < items ? i0 + chunk : items;
    for (int item = i0; item < i1; item++) {
      int g = item / S, s = item - g * S;
      int pa = split_lo(P, s, S), pb = split_lo(P, s + 1, S);
      if (g != last) {
        last = g;
        // A ragged last group repeats its last tile, whose outputs are never stored.
        for (int t = 0; t < 4; t++) {
          int n, th, tw;
          tile_pos(g * 4 + t < T ? g * 4 + t : T - 1, TH, TW, &n, &th, &tw);
          int32_t *ti = info + t * 8;
          int y0 = th * 4 - pt, x0 = tw * 4 - pl;
          ti[0] = (int32_t)(uintptr_t)(x + n * imgStride);
          ti[1] = y0;
          ti[2] = x0;
          ti[3] = y0 >= 0 && x0 >= 0 && y0 + 6 <= H && x0 + 6 <= W && (Ci & 3) == 0;
          ti[4] = (int32_t)(uintptr_t)(out + (((long)n * Ho + th * 4) * Wo + tw * 4) * Co);
          ti[5] = Ho - th * 4 < 4 ? Ho - th * 4 : 4;
          ti[6] = Wo - tw * 4 < 4 ? Wo - tw * 4 : 4;
        }
        for (int t = 0; t < 4; t++) {
          const int32_t *ti = info + t * 8;
          const float *img = (const float *)(uintptr_t)(uint32_t)ti[0];
          int y0 = ti[1], x0 = ti[2];
          float *o = V + t * 4;
          if (ti[3]) {
            for (int c = 0; c < Cp; c += 4, o += 16) wino_in_patch(img + c, y0, x0, H, W, Ci, 4, 1, tmp, o, vs);
          } else {
            for (int c = 0; c < Cp; c += 4, o += 16) {
              int cn = Ci - c < 4 ? Ci - c : 4;
              wino_in_patch(img + c, y0, x0, H, W, Ci, cn, 0, tmp, o, vs);
            }
          }
        }
      }
      for (int p = pa; p < pb; p++) {
        for (int xi = 0; xi < WT; xi++) {
          const float *b = U + ((long)xi * P + p) * Cp * 8;
          const float *q = V + (long)xi * vs;
          v4 c00 = zero4(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
          for (int k = 0; k < Cp; k++, b += 8) {
            // Channel k of tile t sits at q[(k/4)*16 + t*4 + k%4].
            const float *qk = q + ((k >> 2) << 4) + (k & 3);
            v4 b0 = ld(b), b1 = ld(b + 4);
            v4 av = bcast(qk);
            c00 = madd(c00, av, b0);
            c01 = madd(c01, av, b1);
            av = bcast(qk + 4);
            c10 = madd(c10, av, b0);
            c11 = madd(c11, av, b1);
            av = bcast(qk + 8);
            c20 = madd(c20, av, b0);
            c21 = madd(c21, av, b1);
            av = bcast(qk + 12);
            c30 = madd(c30, av, b0);
            c31 = madd(c31, av, b1);
          }
          float *m = M + xi * 32;
          st(m, c00), st(m + 4, c01), st(m + 8, c10), st(m + 12, c11);
          st(m + 16, c20), st(m + 20, c21), st(m + 24, c30), st(m + 28, c31);
        }
        // Output transform A^T m A per tile and half panel, then bias, activation and the valid pixels.
        int cols = Co - p * 8 < 8 ? Co - p * 8 : 8;
        v4 bl = zero4(), bh = zero4();
        if (bias) ld8_n(bias + p * 8, cols, &bl, &bh);
        for (int t = 0; t < 4; t++) {
          if (g * 4 + t >= T) break;
          const int32_t *ti = info + t * 8;
          float *o = (float *)(uintptr_t)(uint32_t)ti[4] + p * 8;
          int vr = ti[5], vc = ti[6];
          for (int h = 0; h < 2; h++) {
            int cn = cols - h * 4;
            if (cn <= 0) break;
            const float *m = M + t * 8 + h * 4;
            // Columns first: tmp[i][j] = (A^T m)[i][j] for the 6 point columns j.
            for (int j = 0; j < 6; j++) {
              const float *mj = m + j * 32;
              v4 y0, y1, y2, y3;
              AT6(ld(mj), ld(mj + 192), ld(mj + 384), ld(mj + 576), ld(mj + 768), ld(mj + 960), y0, y1, y2, y3);
              st(tmp + j * 4, y0), st(tmp + 24 + j * 4, y1), st(tmp + 48 + j * 4, y2), st(tmp + 72 + j * 4, y3);
            }
            v4 bv = h ? bh : bl;
            float *oh = o + h * 4;
            for (int i = 0; i < vr; i++) {
              const float *r = tmp + i * 24;
              v4 y0, y1, y2, y3;
              AT6(ld(r), ld(r + 4), ld(r + 8), ld(r + 12), ld(r + 16), ld(r + 20), y0, y1, y2, y3);
              y0 = wasm_f32x4_add(y0, bv), y1 = wasm_f32x4_add(y1, bv);
              y2 = wasm_f32x4_add(y2, bv), y3 = wasm_f32x4_add(y3, bv);
              if (act) {
                y0 = activate(y0, act, alpha), y1 = activate(y1, act, alpha);
                y2 = activate(y2, act, alpha), y3 = activate(y3, act, alpha);
              }
              float *orow = oh + (long)i * Wo * Co;
              if (cn >= 4 && vc == 4) {
                st(orow, y0), st(orow + Co, y1), st(orow + 2 * Co, y2), st(orow + 3 * Co, y3);
              } else {
                st_n(orow, y0, cn);
                if (vc > 1) st_n(orow + Co, y1, cn);
                if (vc > 2) st_n(orow + 2 * Co, y2, cn);
                if (vc > 3) st_n(orow + 3 * Co, y3, cn);
              }
            }
          }
        }
      }
    }
  }
}

// 1-D A (6x4) on four vectors: (g0, g0+g1+g2+g3, g0-g1+g2-g3, g0+2g1+4g2+8g3, g0-2g1+4g2-8g3, g3).
#define A64(g0, g1, g2, g3, o0, o1, o2, o3, o4, o5)                         \
  do {                                                                      \
    v4 e_ = wasm_f32x4_add(g0, g2), od_ = wasm_f32x4_add(g1, g3);           \
    v4 e2_ = madd(g0, splat(4.0f), g2);                                     \
    v4 o2_ = wasm_f32x4_mul(splat(2.0f), madd(g1, splat(4.0f), g3));        \
    o0 = g0;                                                                \
    o1 = wasm_f32x4_add(e_, od_);                                           \
    o2 = wasm_f32x4_sub(e_, od_);                                           \
    o3 = wasm_f32x4_add(e2_, o2_);                                          \
    o4 = wasm_f32x4_sub(e2_, o2_);                                          \
    o5 = g3;                                                                \
  } while (0)

// Filter gradient F(3x3,4x4): dW = G^T [ sum over 4x4 dy tiles (A dy A^T) . (B^T x B) ] G with the 6x6
// x patch of each tile. Chunk q (a fixed range of the N*TH*TW tiles, fixed by the shapes only) accumulates
// part[q][xi][Cp][Cop] = sum over its tiles of V^T D, V[xi][tile][ci] and D[xi][tile][co] transformed for
// WB tiles at a time into per-thread scratch; register tile 4 input x 8 output channels. Chunks are taken
// dynamically; each is summed in one fixed order by whichever thread takes it (job_wino_dw_out adds them
// up in order).
// args: x, dy, part, N, H, W, Ci, Ho, Wo, Co, pt, pl, Q, scratch (per thread 36*WB*(Cp+Cop) + 1296 floats)
#define WB 16

// Transforms tile `ti`'s 6x6 x patch into Vb[xi][t][Cp] and its 4x4 dy tile into Db[xi][t][Cop] (point
// strides vs, ds). A function of its own: V8 allocates registers per function, and inlined into the job
// these transforms spilled badly.
static NOINLINE void wino_dw_tile(const float *x, const float *dy, int ti, int N, int H, int W, int Ci, int Ho,
                                  int Wo, int Co, int pt, int pl, float *o, float *od, int vs, int ds, float *tmp) {
  (void)N;
  int TH = (Ho + 3) >> 2, TW = (Wo + 3) >> 2;
  int Cp = (Ci + 3) & ~3, Cop = (Co + 7) & ~7;
  int n, th, tw;
  tile_pos(ti, TH, TW, &n, &th, &tw);
  int y0 = th * 4 - pt, x0 = tw * 4 - pl;
  int fast = y0 >= 0 && x0 >= 0 && y0 + 6 <= H && x0 + 6 <= W && (Ci & 3) == 0;
  const float *img = x + n * ((long)H * W * Ci);
  if (fast) {
    for (int c = 0; c < Cp; c += 4) wino_in_patch(img + c, y0, x0, H, W, Ci, 4, 1, tmp, o + c, vs);
  } else {
    for (int c = 0; c < Cp; c += 4) {
      int cn = Ci - c < 4 ? Ci - c : 4;
      wino_in_patch(img + c, y0, x0, H, W, Ci, cn, 0, tmp, o + c, vs);
    }
  }
  // dy tile: vr x vc valid pixels, zeros elsewhere.
  int oy = th * 4, ox = tw * 4;
  int vr = Ho - oy < 4 ? Ho - oy : 4, vc = Wo - ox < 4 ? Wo - ox : 4;
  const float *d = dy + n * ((long)Ho * Wo * Co) + ((long)oy * Wo + ox) * Co;
  for (int c = 0; c < Cop; c += 4) {
    int cn = Co - c < 4 ? Co - c : 4;
    for (int r = 0; r < 4; r++) {
      v4 g0 = zero4(), g1 = g0, g2 = g0, g3 = g0;
      if (r < vr && cn > 0) {
        const float *dr = d + (long)r * Wo * Co + c;
        if (cn == 4 && vc == 4) {
          g0 = ld(dr), g1 = ld(dr + Co), g2 = ld(dr + 2 * Co), g3 = ld(dr + 3 * Co);
        } else {
          g0 = ld_n(dr, cn);
          if (vc > 1) g1 = ld_n(dr + Co, cn);
          if (vc > 2) g2 = ld_n(dr + 2 * Co, cn);
          if (vc > 3) g3 = ld_n(dr + 3 * Co, cn);
        }
      }
      v4 t0, t1, t2, t3, t4, t5;
      A64(g0, g1, g2, g3, t0, t1, t2, t3, t4, t5);
      float *qr = tmp + r * 24;
      st(qr, t0), st(qr + 4, t1), st(qr + 8, t2), st(qr + 12, t3), st(qr + 16, t4), st(qr + 20, t5);
    }
    for (int j = 0; j < 6; j++) {
      const float *qj = tmp + j * 4;
      v4 t0, t1, t2, t3, t4, t5;
      A64(ld(qj), ld(qj + 24), ld(qj + 48), ld(qj + 72), t0, t1, t2, t3, t4, t5);
      float *oj = od + c + j * ds;
      st(oj, t0), st(oj + 6 * ds, t1), st(oj + 12 * ds, t2), st(oj + 18 * ds, t3), st(oj + 24 * ds, t4),
          st(oj + 30 * ds, t5);
    }
  }
}

// acc[xi][Cp][Cop] (+)= sum over the block's nb tiles of Vb[xi][t][ci] Db[xi][t][co].
static NOINLINE void wino_dw_gemm(const float *Vb, const float *Db, float *acc, int nb, int first, int Cp, int Cop,
                                  int vs, int ds) {
  for (int xi = 0; xi < WT; xi++) {
    const float *vx = Vb + (long)xi * vs;
    const float *dx = Db + (long)xi * ds;
    float *ax = acc + (long)xi * Cp * Cop;
    for (int ci = 0; ci < Cp; ci += 4) {
      for (int p = 0; p < Cop; p += 8) {
        float *ap = ax + (long)ci * Cop + p;
        v4 c00, c01, c10, c11, c20, c21, c30, c31;
        if (first) {
          c00 = zero4(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        } else {
          c00 = ld(ap), c01 = ld(ap + 4), c10 = ld(ap + Cop), c11 = ld(ap + Cop + 4);
          c20 = ld(ap + 2 * Cop), c21 = ld(ap + 2 * Cop + 4), c30 = ld(ap + 3 * Cop), c31 = ld(ap + 3 * Cop + 4);
        }
        const float *qv = vx + ci, *qd = dx + p;
        for (int t = 0; t < nb; t++, qv += Cp, qd += Cop) {
          v4 b0 = ld(qd), b1 = ld(qd + 4);
          v4 av = bcast(qv);
          c00 = madd(c00, av, b0);
          c01 = madd(c01, av, b1);
          av = bcast(qv + 1);
          c10 = madd(c10, av, b0);
          c11 = madd(c11, av, b1);
          av = bcast(qv + 2);
          c20 = madd(c20, av, b0);
          c21 = madd(c21, av, b1);
          av = bcast(qv + 3);
          c30 = madd(c30, av, b0);
          c31 = madd(c31, av, b1);
        }
        st(ap, c00), st(ap + 4, c01), st(ap + Cop, c10), st(ap + Cop + 4, c11);
        st(ap + 2 * Cop, c20), st(ap + 2 * Cop + 4, c21), st(ap + 3 * Cop, c30), st(ap + 3 * Cop + 4, c31);
      }
    }
  }
}

void job_wino_dw(const void *a, int tid, int nt) {
  const float *x = ARG_P(a, 0), *dy = ARG_P(a, 1);
  float *part = ARG_P(a, 2);
  int N = ARG_I(a, 3), H = ARG_I(a, 4), W = ARG_I(a, 5), Ci = ARG_I(a, 6);
  int Ho = ARG_I(a, 7), Wo = ARG_I(a, 8), Co = ARG_I(a, 9), pt = ARG_I(a, 10), pl = ARG_I(a, 11);
  int Q = ARG_I(a, 12);
  (void)nt;  // chunks are grabbed dynamically
  int Cp = (Ci + 3) & ~3, Cop = (Co + 7) & ~7;
  int T = N * ((Ho + 3) >> 2) * ((Wo + 3) >> 2);
  float *Vb = ARG_P(a, 13) + (long)tid * (WT * WB * (Cp + Cop) + 1296);
  int vs = WB * Cp + PAD, ds = WB * Cop + PAD;  // point strides of Vb and Db
  float *Db = Vb + (long)WT * vs;
  float *tmp = Db + (long)WT * ds;
  long partSize = (long)WT * Cp * Cop;
  for (int q = grab(a, 1); q < Q; q = grab(a, 1)) {
    int tb0 = split_lo(T, q, Q), tb1 = split_lo(T, q + 1, Q);
    float *acc = part + (long)q * partSize;
    for (int tb = tb0; tb < tb1; tb += WB) {
      int nb = tb1 - tb < WB ? tb1 - tb : WB;
      for (int t = 0; t < nb; t++)
        wino_dw_tile(x, dy, tb + t, N, H, W, Ci, Ho, Wo, Co, pt, pl, Vb + (long)t * Cp, Db + (long)t * Cop, vs, ds, tmp);
      wino_dw_gemm(Vb, Db, acc, nb, tb == tb0, Cp, Cop, vs, ds);
    }
    if (tb0 >= tb1) {
      // An empty chunk (more chunks than tiles) contributes zeros.
      for (long i = 0; i < partSize; i += 4) st(acc + i, zero4());
    }
  }
}

// 1-D G^T (3x6): (m0/4 - (m1+m2)/6 + (m3+m4)/24, (m2-m1)/6 + (m3-m4)/12, (m3+m4-m1-m2)/6 + m5).
#define GT63(m0, m1, m2, m3, m4, m5, z0, z1, z2)                                              \
  do {                                                                                        \
    v4 s12_ = wasm_f32x4_add(m1, m2), d21_ = wasm_f32x4_sub(m2, m1);                          \
    v4 s34_ = wasm_f32x4_add(m3, m4), d34_ = wasm_f32x4_sub(m3, m4);                          \
    z0 = madd(madd(wasm_f32x4_mul(splat(0.25f), m0), splat(-1.0f / 6.0f), s12_), splat(1.0f / 24.0f), s34_); \
    z1 = madd(wasm_f32x4_mul(splat(1.0f / 6.0f), d21_), splat(1.0f / 12.0f), d34_);           \
    z2 = madd(m5, splat(1.0f / 6.0f), wasm_f32x4_sub(s34_, s12_));                            \
  } while (0)

// dW[kh][kw][ci][co] = G^T (sum over chunks q, in order, of part[q][xi][ci][co]) G, per 4 output channels.
// args: part, dw, Q, Ci, Co
void job_wino_dw_out(const void *a, int tid, int nt) {
  const float *part = ARG_P(a, 0);
  float *dw = ARG_P(a, 1);
  int Q = ARG_I(a, 2), Ci = ARG_I(a, 3), Co = ARG_I(a, 4);
  int Cp = (Ci + 3) & ~3, Cop = (Co + 7) & ~7;
  int CV = (Co + 3) >> 2;
  int R = Ci * CV;
  int r0 = split_lo(R, tid, nt), r1 = split_lo(R, tid + 1, nt);
  long xs = (long)Cp * Cop, qs = (long)WT * xs;
  for (int r = r0; r < r1; r++) {
    int ci = r / CV, cv = r - ci * CV;
    int co = cv * 4, cn = Co - co < 4 ? Co - co : 4;
    const float *s = part + (long)ci * Cop + co;
    // Rows of the 6x6 point grid first: z[i][j] for i < 3, j < 6.
    v4 z[18];
#pragma unroll
    for (int j = 0; j < 6; j++) {
      v4 m[6];
#pragma unroll
      for (int i = 0; i < 6; i++) {
        const float *si = s + (i * 6 + j) * xs;
        v4 acc = ld(si);
        for (int q = 1; q < Q; q++) acc = wasm_f32x4_add(acc, ld(si + q * qs));
        m[i] = acc;
      }
      GT63(m[0], m[1], m[2], m[3], m[4], m[5], z[j], z[6 + j], z[12 + j]);
    }
#pragma unroll
    for (int i = 0; i < 3; i++) {
      v4 y0, y1, y2;
      GT63(z[i * 6], z[i * 6 + 1], z[i * 6 + 2], z[i * 6 + 3], z[i * 6 + 4], z[i * 6 + 5], y0, y1, y2);
      float *o = dw + ((long)(i * 3) * Ci + ci) * Co + co;
      st_n(o, y0, cn);
      st_n(o + (long)Ci * Co, y1, cn);
      st_n(o + 2L * Ci * Co, y2, cn);
    }
  }
}
