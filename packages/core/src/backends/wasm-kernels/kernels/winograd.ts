// Winograd paths (native/winograd.c) for 3x3 stride-1 convolutions: forward and input gradient F(4x4,3x3),
// filter gradient F(3x3,4x4).
import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import { JOB, SLOT } from '../jobs.js';
import type { KernelRuntime } from '../runtime.js';
import { parallel } from './common.js';

/**
 * Fewest channels (on both sides of the filter) for which the transforms pay for themselves; below it (e.g.
 * a first layer on 1-3 image channels) the direct kernels run.
 */
export const WINO_MIN_CHANNELS = 8;

/** Whether a conv (or its gradients) has the 3x3, stride-1, undilated shape the Winograd jobs handle. */
export function winogradShape(info: backend_util.Conv2DInfo): boolean {
  return (
    info.filterHeight === 3 &&
    info.filterWidth === 3 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    info.inChannels >= WINO_MIN_CHANNELS &&
    info.outChannels >= WINO_MIN_CHANNELS
  );
}

const pad4 = (c: number) => Math.ceil(c / 4) * 4;

/**
 * out = act(conv(x, w) + bias) for a 3x3 stride-1 filter, x read unpadded (taps outside are zeros).
 * With `flip`, w [3][3][Co][Ci] is used rotated with its channel axes swapped (the input gradient, where x is
 * dy with Ci channels and the output has Co channels).
 */
export function winogradConv(
  rt: KernelRuntime,
  x: number,
  filter: TensorInfo,
  bias: number,
  out: number,
  dims: { N: number; H: number; W: number; Ci: number; Ho: number; Wo: number; Co: number; pt: number; pl: number },
  flip: boolean,
  act: number,
  alpha: number,
): void {
  const { N, H, W, Ci, Ho, Wo, Co, pt, pl } = dims;
  const Cp = pad4(Ci), P = Math.ceil(Co / 8);
  const bytes = 36 * P * Cp * 8 * 4;
  // The packing job takes the filter's own [Ci][Co] axes.
  const [wCi, wCo] = flip ? [Co, Ci] : [Ci, Co];
  const U = rt.packedFilter(filter, `wino-u${flip ? '-flip' : ''} ${wCi}x${wCo}`, bytes, (dst) =>
    rt.run(JOB.WINO_PACK_U, [rt.offset(filter), dst, wCi, wCo, flip ? 1 : 0, Cp], parallel(P * Cp * 8 * 100)));
  const perThread = 144 * Cp + 1920;
  const scratch = rt.scratch(SLOT.THREAD, rt.threads * perThread * 4);
  const tiles = N * Math.ceil(Ho / 4) * Math.ceil(Wo / 4);
  rt.run(
    JOB.WINO_FWD,
    [x, U, bias, out, N, H, W, Ci, Ho, Wo, Co, pt, pl, act, { f: alpha }, scratch],
    parallel(tiles * 36 * Cp * P * 8),
  );
}

/** Tiles per block of the filter-gradient job (WB in native/winograd.c). */
const WB = 16;

/** dW of a 3x3 stride-1 conv from x [N,H,W,Ci] and dy [N,Ho,Wo,Co] into `out` [3,3,Ci,Co]. */
export function winogradFilterGrad(rt: KernelRuntime, x: number, dy: number, out: number, info: backend_util.Conv2DInfo): void {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: Ci, outHeight: Ho, outWidth: Wo, outChannels: Co, padInfo } = info;
  const Cp = pad4(Ci), Cop = Math.ceil(Co / 8) * 8;
  const tiles = N * Math.ceil(Ho / 4) * Math.ceil(Wo / 4);
  // Chunks of tiles summed separately, then in order: fixed by the shapes, never by the thread count.
  const Q = Math.max(1, Math.min(8, Math.ceil(tiles / 64)));
  const part = rt.scratch(SLOT.ACC, Q * 36 * Cp * Cop * 4);
  const scratch = rt.scratch(SLOT.THREAD, rt.threads * (36 * WB * (Cp + Cop) + 1296) * 4);
  rt.run(
    JOB.WINO_DW,
    [x, dy, part, N, H, W, Ci, Ho, Wo, Co, padInfo.top, padInfo.left, Q, scratch],
    Q > 1 && parallel(tiles * 36 * Cp * Cop),
  );
  rt.run(JOB.WINO_DW_OUT, [part, out, Q, Ci, Co], parallel(Ci * Co * Q * 36));
}
