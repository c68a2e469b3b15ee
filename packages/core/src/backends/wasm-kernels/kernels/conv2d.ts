// Conv2D and FusedConv2D forward (NHWC, dilation 1) as an implicit GEMM; other cases go to the stock kernel.
import { backend_util, util, type TensorInfo } from '@tensorflow/tfjs-core';
import { JOB, SLOT } from '../jobs.js';
import type { KernelRuntime } from '../runtime.js';
import {
  activationCode,
  applyStockActivation,
  fallback,
  isF32,
  isInlineActivation,
  paddedInput,
  parallel,
  type KernelCall,
  type KernelFactory,
} from './common.js';
import { winogradConv, winogradShape } from './winograd.js';

/** Runs the forward conv; returns null when the case is not ours (the caller falls back). */
export function convForward(
  rt: KernelRuntime,
  x: TensorInfo,
  filter: TensorInfo,
  bias: TensorInfo | undefined,
  attrs: KernelCall['attrs'],
  act: number,
  alpha: number,
): TensorInfo | null {
  const a = attrs ?? {};
  const dataFormat = (a.dataFormat as string | undefined) ?? 'NHWC';
  if (dataFormat !== 'NHWC' || act < 0 || !isF32(x, filter, bias) || x.shape.length !== 4) return null;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    a.strides as number | [number, number],
    (a.dilations as number | [number, number] | undefined) ?? 1,
    a.pad as 'same' | 'valid' | number | backend_util.ExplicitPadding,
    a.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    false,
    'channelsLast',
  );
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  const { batchSize: N, inChannels: Ci, outHeight: Ho, outWidth: Wo, outChannels: Co } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  if (bias !== undefined && util.sizeFromShape(bias.shape) !== Co) return null;
  const out = rt.output([N, Ho, Wo, Co]);
  if (N * Ho * Wo * Co === 0) return out;
  // A 1×1 output would fill a whole 6×6 Winograd tile for one pixel (36 products per channel pair, not 9): dlib's last block.
  if (winogradShape(info) && Ho * Wo > 1) {
    const { inHeight: H, inWidth: W, padInfo } = info;
    const dims = { N, H, W, Ci, Ho, Wo, Co, pt: padInfo.top, pl: padInfo.left };
    winogradConv(rt, rt.offset(x), filter, bias ? rt.offset(bias) : 0, rt.offset(out), dims, false, act, alpha);
    return out;
  }
  const { ptr: xp, Hp, Wp } = paddedInput(rt, x, info, SLOT.PADDED);
  const K = KH * KW * Ci;
  const bytes = Math.ceil(Co / 8) * K * 32;
  const wp = rt.packedFilter(filter, `gemm-b ${K}x${Co}`, bytes, (dst) =>
    rt.run(JOB.PACK_B, [rt.offset(filter), dst, K, Co, Co, 1, 1, 0], parallel(K * Co)));
  const packA = rt.scratch(SLOT.THREAD, rt.threads * Math.ceil((K * 4) / 16) * 64);
  rt.run(
    JOB.CONV_FWD,
    [xp, wp, bias ? rt.offset(bias) : 0, rt.offset(out), N, Hp, Wp, Ci, Ho, Wo, Co, KH, KW, sh, sw, act, { f: alpha }, packA],
    parallel(N * Ho * Wo * Co * K),
  );
  return out;
}

export const conv2d: KernelFactory = (rt, stock) => (call) => {
  const { x, filter } = call.inputs as { x: TensorInfo; filter: TensorInfo };
  return convForward(rt, x, filter, undefined, call.attrs, 0, 0) ?? fallback(stock, 'Conv2D', call, 'unsupported case');
};

export const fusedConv2d: KernelFactory = (rt, stock) => (call) => {
  const { x, filter, bias, preluActivationWeights } = call.inputs as Record<string, TensorInfo | undefined>;
  const activation = (call.attrs?.activation as string | undefined) ?? 'linear';
  const inline = isInlineActivation(activation);
  const alpha = (call.attrs?.leakyreluAlpha as number | undefined) ?? 0.2;
  const res = convForward(rt, x as TensorInfo, filter as TensorInfo, bias ?? undefined, call.attrs, inline ? activationCode(activation) : 0, alpha);
  if (res === null) return fallback(stock, 'FusedConv2D', call, 'unsupported case');
  return inline ? res : applyStockActivation(rt, res, activation, preluActivationWeights ?? undefined);
};
