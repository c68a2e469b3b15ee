// BatchMatMul and _FusedMatMul (bias + relu/relu6/leakyrelu) for every transpose combination, multithreaded.
import { backend_util, util, type TensorInfo } from '@tensorflow/tfjs-core';
import { JOB, SLOT } from '../jobs.js';
import type { KernelRuntime } from '../runtime.js';
import { activationCode, applyStockActivation, fallback, isF32, isInlineActivation, parallel, type KernelFactory } from './common.js';

/** Largest row count for which B is read in place rather than packed. */
const IN_PLACE_MAX_M = 64;

function biasPtr(rt: KernelRuntime, bias: TensorInfo | undefined): number {
  return bias ? rt.offset(bias) : 0;
}

/** Returns null for cases left to the stock kernel (e.g. batch shapes that broadcast partially). */
export function matMul(
  rt: KernelRuntime,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  bias: TensorInfo | undefined,
  act: number,
  alpha: number,
): TensorInfo | null {
  if (act < 0 || !isF32(a, b, bias) || a.shape.length < 2 || b.shape.length < 2) return null;
  const ra = a.shape.length, rb = b.shape.length;
  const M = transposeA ? (a.shape[ra - 1] as number) : (a.shape[ra - 2] as number);
  const Ka = transposeA ? (a.shape[ra - 2] as number) : (a.shape[ra - 1] as number);
  const Kb = transposeB ? (b.shape[rb - 1] as number) : (b.shape[rb - 2] as number);
  const N = transposeB ? (b.shape[rb - 2] as number) : (b.shape[rb - 1] as number);
  if (Ka !== Kb) return null;
  const K = Ka;
  const batchShapeA = a.shape.slice(0, -2), batchShapeB = b.shape.slice(0, -2);
  const batchA = util.sizeFromShape(batchShapeA), batchB = util.sizeFromShape(batchShapeB);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  let batchShape: number[];
  try {
    batchShape = backend_util.assertAndGetBroadcastShape(batchShapeA, batchShapeB);
  } catch {
    return null;
  }
  if (bias !== undefined && util.sizeFromShape(bias.shape) !== N) return null;
  const batch = Math.max(batchA, batchB);
  const out = rt.output([...batchShape, M, N]);
  if (batch * M * N === 0) return out;
  if (K === 0) return null;
  const P = Math.ceil(N / 8);
  const aBatch = batchA === 1 ? 0 : M * K;
  // A(m, k) strides of the stored left operand.
  const [ars, aks] = transposeA ? [1, M] : [K, 1];
  const work = batch * M * N * K;
  if (!transposeB && M <= IN_PLACE_MAX_M && N >= 8 && rt.overreadSafe(rt.offset(b), batchB * K * N * 4, 32)) {
    // Few rows: every element of B is used only ceil(M/4) times, so packing it (a full copy) costs about
    // as much as the multiply; its rows are read in place instead.
    rt.run(
      JOB.MATMUL,
      [rt.offset(a), rt.offset(b), biasPtr(rt, bias), rt.offset(out), M, N, K, batch, aBatch, ars, aks,
        batchB === 1 ? 0 : K * N, act, { f: alpha }, N, 8, 0],
      parallel(work),
    );
    return out;
  }
  if (bias === undefined && N > M && batchA === batchB) {
    // C^T = B^T A^T: pack the smaller A^T instead of B, and store the result transposed.
    const PM = Math.ceil(M / 8);
    const ap = rt.scratch(SLOT.PACKED, batchA * PM * K * 32);
    // A^T(k, m) strides of the stored left operand.
    const [ks, ms] = transposeA ? [M, 1] : [1, K];
    rt.run(JOB.PACK_B, [rt.offset(a), ap, K, M, ks, ms, batchA, M * K], parallel(batchA * K * M));
    const [brs, bks] = transposeB ? [K, 1] : [1, N];
    rt.run(
      JOB.MATMUL,
      [rt.offset(b), ap, 0, rt.offset(out), N, M, K, batch, K * N, brs, bks, PM * K * 8, act, { f: alpha }, 8, K * 8, 1],
      parallel(work),
    );
    return out;
  }
  const bp = rt.scratch(SLOT.PACKED, batchB * P * K * 32);
  // B(k, n) strides of the stored operand.
  const [ks, ns] = transposeB ? [1, K] : [N, 1];
  rt.run(JOB.PACK_B, [rt.offset(b), bp, K, N, ks, ns, batchB, K * N], parallel(batchB * K * N));
  rt.run(
    JOB.MATMUL,
    [rt.offset(a), bp, biasPtr(rt, bias), rt.offset(out), M, N, K, batch, aBatch, ars, aks,
      batchB === 1 ? 0 : P * K * 8, act, { f: alpha }, 8, K * 8, 0],
    parallel(work),
  );
  return out;
}

export const batchMatMul: KernelFactory = (rt, stock) => (call) => {
  const { a, b } = call.inputs as { a: TensorInfo; b: TensorInfo };
  const tA = Boolean(call.attrs?.transposeA), tB = Boolean(call.attrs?.transposeB);
  return matMul(rt, a, b, tA, tB, undefined, 0, 0) ?? fallback(stock, 'BatchMatMul', call, 'unsupported case');
};

export const fusedMatMul: KernelFactory = (rt, stock) => (call) => {
  const { a, b, bias, preluActivationWeights } = call.inputs as Record<string, TensorInfo | undefined>;
  const tA = Boolean(call.attrs?.transposeA), tB = Boolean(call.attrs?.transposeB);
  const activation = (call.attrs?.activation as string | undefined) ?? 'linear';
  const inline = isInlineActivation(activation);
  const alpha = (call.attrs?.leakyreluAlpha as number | undefined) ?? 0.2;
  const res = matMul(rt, a as TensorInfo, b as TensorInfo, tA, tB, bias ?? undefined, inline ? activationCode(activation) : 0, alpha);
  if (res === null) return fallback(stock, '_FusedMatMul', call, 'unsupported case');
  return inline ? res : applyStockActivation(rt, res, activation, preluActivationWeights ?? undefined);
};
