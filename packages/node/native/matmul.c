// Batched matrix multiply with optional bias and activation; the right operand is read in 8-column panels,
// either packed by JOB_PACK_B or in place from a row-major matrix.
#include "common.h"
#include "kernels.h"

#define KC 512

// P[bt] = act(A[bt] B[bt] + bias) with P of M x N:
//   A(bt,m,k) = a[bt*abs + m*ars + k*aks] (any transpose is a choice of strides);
//   B(bt,k,n) = b[bt*bbs + (n/8)*bps + k*bks + n%8]: packed panels (bks = 8, bps = K*8), or a row-major
//     matrix read in place (bks = N, bps = 8; a ragged last panel then reads up to 7 floats past its row,
//     dropped lanes, which callers keep inside memory); bbs = 0 broadcasts B over the batch;
//   C[bt][m][n] = P[m][n], or with transC C[bt][n][m] = P[m][n] (C^T = B^T A^T without packing the larger
//     operand); bias is per column of P.
// Tiles of 4 rows x 8 columns, K in blocks of KC so both operands stay in cache; tiles are split between
// threads and each tile's sum runs in one fixed order whatever the thread count.
// args: a, b, bias|0, c, M, N, K, batch, abs, ars, aks, bbs, act, alpha, bks, bps, transC
void job_matmul(const void *a, int tid, int nt) {
  const float *A = ARG_P(a, 0), *B = ARG_P(a, 1), *bias = ARG_P(a, 2);
  float *C = ARG_P(a, 3);
  int M = ARG_I(a, 4), N = ARG_I(a, 5), K = ARG_I(a, 6), batch = ARG_I(a, 7);
  int abs_ = ARG_I(a, 8), ars = ARG_I(a, 9), aks = ARG_I(a, 10), bbs = ARG_I(a, 11);
  int act = ARG_I(a, 12);
  v4 alpha = splat(ARG_F(a, 13));
  int bks = ARG_I(a, 14), bps = ARG_I(a, 15), transC = ARG_I(a, 16);
  int MT = (M + 3) >> 2, P = (N + 7) >> 3;
  int perBatch = MT * P, T = batch * perBatch;
  int t0 = split_lo(T, tid, nt), t1 = split_lo(T, tid + 1, nt);
  // Keep the bigger operand's tile outer so the smaller one is what gets re-read from cache.
  int rowsInner = M <= N;
  // With a transposed result, partial sums of a K block go to C transposed and come back the same way.
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
      const float *b = B + (long)bt * bbs + (long)p * bps + (long)kb * bks;
      float *c = C + (long)bt * M * N + (transC ? (long)p * 8 * M + m0 : (long)m0 * N + p * 8);
      v4 c00, c01, c10, c11, c20, c21, c30, c31;
      if (first) {
        c00 = zero4(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
      } else if (!transC) {
        ld8_n(c, cols, &c00, &c01);
        c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
        if (rows > 1) ld8_n(c + N, cols, &c10, &c11);
        if (rows > 2) ld8_n(c + 2L * N, cols, &c20, &c21);
        if (rows > 3) ld8_n(c + 3L * N, cols, &c30, &c31);
      } else {
        // Column j of the tile is row j of C: load 8 such 4-vectors and transpose back.
        v4 v[8];
#pragma unroll
        for (int j = 0; j < 8; j++) v[j] = j < cols ? ld_n(c + (long)j * M, rows) : zero4();
        transpose4x4(v[0], v[1], v[2], v[3], &c00, &c10, &c20, &c30);
        transpose4x4(v[4], v[5], v[6], v[7], &c01, &c11, &c21, &c31);
      }
      if (aks == 1) {
        const float *a1 = rows > 1 ? a0 + ars : a0;
        const float *a2 = rows > 2 ? a0 + 2L * ars : a0;
        const float *a3 = rows > 3 ? a0 + 3L * ars : a0;
        for (int k = 0; k < kn; k++, b += bks) {
          v4 b0 = ld(b), b1 = ld(b + 4);
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
      } else if (ars == 1 && rows == 4) {
        // Transposed A: the tile's 4 rows are adjacent floats, one pointer serves them all.
        for (int k = 0; k < kn; k++, b += bks, a0 += aks) {
          v4 b0 = ld(b), b1 = ld(b + 4);
          v4 av = bcast(a0);
          c00 = madd(c00, av, b0);
          c01 = madd(c01, av, b1);
          av = bcast(a0 + 1);
          c10 = madd(c10, av, b0);
          c11 = madd(c11, av, b1);
          av = bcast(a0 + 2);
          c20 = madd(c20, av, b0);
          c21 = madd(c21, av, b1);
          av = bcast(a0 + 3);
          c30 = madd(c30, av, b0);
          c31 = madd(c31, av, b1);
        }
      } else {
        const float *a1 = rows > 1 ? a0 + ars : a0;
        const float *a2 = rows > 2 ? a0 + 2L * ars : a0;
        const float *a3 = rows > 3 ? a0 + 3L * ars : a0;
        for (int k = 0; k < kn; k++, b += bks) {
          v4 b0 = ld(b), b1 = ld(b + 4);
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
      if (last) bias_act_4x8(bias ? bias + p * 8 : 0, cols, act, alpha, &c00, &c01, &c10, &c11, &c20, &c21, &c30, &c31);
      if (!transC) {
        st8_n(c, c00, c01, cols);
        if (rows > 1) st8_n(c + N, c10, c11, cols);
        if (rows > 2) st8_n(c + 2L * N, c20, c21, cols);
        if (rows > 3) st8_n(c + 3L * N, c30, c31, cols);
      } else {
        v4 v0, v1, v2, v3, v4_, v5, v6, v7;
        transpose4x4(c00, c10, c20, c30, &v0, &v1, &v2, &v3);
        transpose4x4(c01, c11, c21, c31, &v4_, &v5, &v6, &v7);
        st_n(c, v0, rows);
        if (cols > 1) st_n(c + M, v1, rows);
        if (cols > 2) st_n(c + 2L * M, v2, rows);
        if (cols > 3) st_n(c + 3L * M, v3, rows);
        if (cols > 4) st_n(c + 4L * M, v4_, rows);
        if (cols > 5) st_n(c + 5L * M, v5, rows);
        if (cols > 6) st_n(c + 6L * M, v6, rows);
        if (cols > 7) st_n(c + 7L * M, v7, rows);
      }
    }
  }
}
