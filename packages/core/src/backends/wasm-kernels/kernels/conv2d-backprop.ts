// Conv2DBackpropFilter (missing in stock wasm) and Conv2DBackpropInput for NHWC convs (gradients have dilation 1).
import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';
import { JOB, SLOT } from '../jobs.js';
import type { KernelRuntime } from '../runtime.js';
import { fallback, isF32, paddedInput, parallel, type KernelCall, type KernelFactory } from './common.js';
import { winogradConv, winogradFilterGrad, winogradShape } from './winograd.js';

type Shape4 = [number, number, number, number];

function convInfo(xShape: number[], filterShape: number[], attrs: KernelCall['attrs']): backend_util.Conv2DInfo {
  const a = attrs ?? {};
  return backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    a.strides as number | [number, number],
    1,
    a.pad as 'same' | 'valid' | number | backend_util.ExplicitPadding,
    a.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    false,
    'channelsLast',
  );
}

/** dW = sum over pixels of input patch x dy, computed straight from NHWC (no transposes). */
export function backpropFilter(rt: KernelRuntime, x: TensorInfo, dy: TensorInfo, attrs: KernelCall['attrs']): TensorInfo | null {
  const dataFormat = (attrs?.dataFormat as string | undefined) ?? 'NHWC';
  if (dataFormat !== 'NHWC' || !isF32(x, dy) || x.shape.length !== 4) return null;
  const filterShape = attrs?.filterShape as number[];
  const info = convInfo(x.shape, filterShape, attrs);
  const { batchSize: N, inChannels: Ci, outHeight: Ho, outWidth: Wo, outChannels: Co } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const MD = KH * KW * Ci;
  if (N * Ho * Wo === 0) return rt.zeros(filterShape);
  const out = rt.output(filterShape);
  if (MD * Co === 0) return out;
  if (winogradShape(info)) {
    winogradFilterGrad(rt, rt.offset(x), rt.offset(dy), rt.offset(out), info);
    return out;
  }
  const work = N * Ho * Wo * Co * MD;
  const L = KW * Ci;
  if (L >= 16) {
    // Wide filter rows: vectors along the contiguous (kw, ci) run. Its tiles read up to 7 floats past x
    // and 3 past dy, so an input at the very end of memory gets copied first.
    const { ptr: xp, Hp, Wp } = paddedInput(rt, x, info, SLOT.PADDED, 32);
    const dyp = rt.overreadSafe(rt.offset(dy), N * Ho * Wo * Co * 4, 16) ? rt.offset(dy) : rt.copyToScratch(dy, SLOT.PACKED);
    const JT = Math.ceil(L / 8), CT = Math.ceil(Co / 4);
    const acc = rt.scratch(SLOT.ACC, CT * 4 * KH * JT * 8 * 4);
    rt.run(JOB.CONV_DW_ROWS, [xp, dyp, acc, rt.offset(out), N, Hp, Wp, Ci, Ho, Wo, Co, KH, KW, sh, sw], parallel(work));
    return out;
  }
  const { ptr: xp, Hp, Wp } = paddedInput(rt, x, info, SLOT.PADDED);
  const acc = rt.scratch(SLOT.ACC, Math.ceil(MD / 4) * 4 * Math.ceil(Co / 8) * 8 * 4);
  rt.run(JOB.CONV_DW, [xp, rt.offset(dy), acc, rt.offset(out), N, Hp, Wp, Ci, Ho, Wo, Co, KH, KW, sh, sw], parallel(work));
  return out;
}

/**
 * dx = correlation of dy (zero-dilated by the stride and padded by filter-1-pad) with the filter rotated
 * 180 degrees and its channel axes swapped: the forward conv kernel then does all the work.
 */
export function backpropInput(rt: KernelRuntime, dy: TensorInfo, filter: TensorInfo, attrs: KernelCall['attrs']): TensorInfo | null {
  const dataFormat = (attrs?.dataFormat as string | undefined) ?? 'NHWC';
  const inputShape = attrs?.inputShape as number[];
  if (dataFormat !== 'NHWC' || !isF32(dy, filter) || inputShape.length !== 4) return null;
  const info = convInfo(inputShape, filter.shape, attrs);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: Ci, outHeight: Ho, outWidth: Wo, outChannels: Co } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw, padInfo } = info;
  const out = rt.output(inputShape);
  if (N * H * W * Ci === 0) return out;
  if (winogradShape(info)) {
    // A 3x3 stride-1 conv of dy (padded by 2 - pad, read in place) with the rotated, transposed filter.
    const dims = { N, H: Ho, W: Wo, Ci: Co, Ho: H, Wo: W, Co: Ci, pt: KH - 1 - padInfo.top, pl: KW - 1 - padInfo.left };
    winogradConv(rt, rt.offset(dy), filter, 0, rt.offset(out), dims, true, 0, 0);
    return out;
  }
  const Hq = H + KH - 1, Wq = W + KW - 1;
  const dyp = rt.scratch(SLOT.PADDED, N * Hq * Wq * Co * 4);
  rt.run(
    JOB.PAD,
    [rt.offset(dy), dyp, N, Ho, Wo, Co, Hq, Wq, KH - 1 - padInfo.top, KW - 1 - padInfo.left, sh, sw],
    parallel(N * Hq * Wq * Co),
  );
  const K = KH * KW * Co;
  const bytes = Math.ceil(Ci / 8) * K * 32;
  const wp = rt.packedFilter(filter, `gemm-w-dx ${KH}x${KW}x${Ci}x${Co}`, bytes, (dst) =>
    rt.run(JOB.PACK_W_DX, [rt.offset(filter), dst, KH, KW, Ci, Co], parallel(K * Ci)));
  const packA = rt.scratch(SLOT.THREAD, rt.threads * Math.ceil((K * 4) / 16) * 64);
  rt.run(
    JOB.CONV_FWD,
    [dyp, wp, 0, rt.offset(out), N, Hq, Wq, Co, H, W, Ci, KH, KW, 1, 1, 0, { f: 0 }, packA],
    parallel(N * H * W * Ci * K),
  );
  return out;
}

export const conv2dBackpropFilter: KernelFactory = (rt, stock) => (call) => {
  const { x, dy } = call.inputs as { x: TensorInfo; dy: TensorInfo };
  return backpropFilter(rt, x, dy, call.attrs) ?? fallback(stock, 'Conv2DBackpropFilter', call, 'only NHWC float32 is supported');
};

export const conv2dBackpropInput: KernelFactory = (rt, stock) => (call) => {
  const { dy, filter } = call.inputs as { dy: TensorInfo; filter: TensorInfo };
  return backpropInput(rt, dy, filter, call.attrs) ?? fallback(stock, 'Conv2DBackpropInput', call, 'unsupported case');
};
