// Batched matrix multiply with optional bias and activation; the right operand is pre-packed by JOB_PACK_B.
#include "common.h"
#include "kernels.h"

#define KC 512

// C[bt][m][n] = act(sum_k A(bt,m,k) * B(bt,k,n) + bias[n]) with A(bt,m,k) = a[bt*abs + m*ars + k*aks] (any
// transpose is just a choice of strides) and B packed as bp[bt*bps][p][k][8] (bps = 0 broadcasts B).
// Tiles of 4 rows x 8 columns, K in blocks of KC so both operands stay in cache; tiles are split between
// threads and each tile's sum runs in one fixed order whatever the thread count.
// args: a, bp, bias|0, c, M, N, K, batch, abs, ars, aks, bps(in panels of the batch), act, alpha, bBroadcast
void job_matmul(const void *a, int tid, int nt) {
  const float *A = ARG_P(a, 0), *Bp = ARG_P(a, 1), *bias = ARG_P(a, 2);
  float *C = ARG_P(a, 3);
  int M = ARG_I(a, 4), N = ARG_I(a, 5), K = ARG_I(a, 6), batch = ARG_I(a, 7);
  int abs_ = ARG_I(a, 8), ars = ARG_I(a, 9), aks = ARG_I(a, 10), bBroadcast = ARG_I(a, 14);
  int act = ARG_I(a, 12);
  v4 alpha = splat(ARG_F(a, 13));
  int MT = (M + 3) >> 2, P = (N + 7) >> 3;
  int perBatch = MT * P, T = batch * perBatch;
  int t0 = split_lo(T, tid, nt), t1 = split_lo(T, tid + 1, nt);
  // Keep the bigger operand's tile outer so the smaller one is what gets re-read from cache.
  int rowsInner = M <= N;
  for (int kb = 0; kb < K; kb += KC) {
    int kn = K - kb < KC ? K - kb : KC;
    int first = kb == 0, last = kb + kn == K;
    for (int t = t0; t < t1; t++) {
      int bt = t / perBatch, rem = t - bt * perBatch;
      int mt, p;
      if (rowsInner) {
        p = rem / MT, mt = rem - p * MT;
      } else {
        mt = rem / P, p = rem - mt * P;
      }
      int m0 = mt * 4, rows = M - m0;
      if (rows > 4) rows = 4;
      int cols = N - p * 8;
      if (cols > 8) cols = 8;
      const float *ab = A + (long)bt * abs_ + (long)kb * aks;
      const float *a0 = ab + (long)m0 * ars;
      const float *a1 = rows > 1 ? a0 + ars : a0;
      const float *a2 = rows > 2 ? a0 + 2L * ars : a0;
      const float *a3 = rows > 3 ? a0 + 3L * ars : a0;
      const float *b = Bp + ((long)(bBroadcast ? 0 : bt) * P + p) * K * 8 + (long)kb * 8;
      float *c = C + ((long)bt * M + m0) * N + p * 8;
      v4 c00, c01, c10, c11, c20, c21, c30, c31;
      if (first) {
        c00 = zero4(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
      } else {
        ld8_n(c, cols, &c00, &c01);
        c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
        if (rows > 1) ld8_n(c + N, cols, &c10, &c11);
        if (rows > 2) ld8_n(c + 2L * N, cols, &c20, &c21);
        if (rows > 3) ld8_n(c + 3L * N, cols, &c30, &c31);
      }
      if (aks == 1) {
        for (int k = 0; k < kn; k++) {
          v4 b0 = ld(b), b1 = ld(b + 4);
          b += 8;
          v4 av = bcast(a0 + k);
          c00 = madd(c00, av, b0);
          c01 = madd(c01, av, b1);
          av = bcast(a1 + k);
          c10 = madd(c10, av, b0);
          c11 = madd(c11, av, b1);
          av = bcast(a2 + k);
          c20 = madd(c20, av, b0);
          c21 = madd(c21, av, b1);
          av = bcast(a3 + k);
          c30 = madd(c30, av, b0);
          c31 = madd(c31, av, b1);
        }
      } else {
        for (int k = 0; k < kn; k++) {
          v4 b0 = ld(b), b1 = ld(b + 4);
          b += 8;
          v4 av = bcast(a0);
          c00 = madd(c00, av, b0);
          c01 = madd(c01, av, b1);
          av = bcast(a1);
          c10 = madd(c10, av, b0);
          c11 = madd(c11, av, b1);
          av = bcast(a2);
          c20 = madd(c20, av, b0);
          c21 = madd(c21, av, b1);
          av = bcast(a3);
          c30 = madd(c30, av, b0);
          c31 = madd(c31, av, b1);
          a0 += aks, a1 += aks, a2 += aks, a3 += aks;
        }
      }
      if (last) {
        if (bias) {
          v4 bl, bh;
          ld8_n(bias + p * 8, cols, &bl, &bh);
          c00 = wasm_f32x4_add(c00, bl), c01 = wasm_f32x4_add(c01, bh);
          c10 = wasm_f32x4_add(c10, bl), c11 = wasm_f32x4_add(c11, bh);
          c20 = wasm_f32x4_add(c20, bl), c21 = wasm_f32x4_add(c21, bh);
          c30 = wasm_f32x4_add(c30, bl), c31 = wasm_f32x4_add(c31, bh);
        }
        if (act) {
          c00 = activate(c00, act, alpha), c01 = activate(c01, act, alpha);
          c10 = activate(c10, act, alpha), c11 = activate(c11, act, alpha);
          c20 = activate(c20, act, alpha), c21 = activate(c21, act, alpha);
          c30 = activate(c30, act, alpha), c31 = activate(c31, act, alpha);
        }
      }
      st8_n(c, c00, c01, cols);
      if (rows > 1) st8_n(c + N, c10, c11, cols);
      if (rows > 2) st8_n(c + 2L * N, c20, c21, cols);
      if (rows > 3) st8_n(c + 3L * N, c30, c31, cols);
    }
  }
}
