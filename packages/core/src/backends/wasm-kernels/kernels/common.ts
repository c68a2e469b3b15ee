// Helpers shared by the kernel implementations: typing of kernel calls, activations, padded inputs.
import { getKernel, type KernelFunc, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo, type backend_util } from '@tensorflow/tfjs-core';
import { JOB, PARALLEL_MIN_WORK } from '../jobs.js';
import type { KernelRuntime } from '../runtime.js';

export interface KernelCall {
  inputs: NamedTensorInfoMap;
  backend: unknown;
  attrs?: NamedAttrMap;
}

/** A kernel of ours, given the stock kernel it replaces (null when stock wasm has none). */
export type KernelFactory = (rt: KernelRuntime, stock: KernelFunc | null) => KernelFunc;

/** Raised for inputs no kernel (ours or stock) can handle. */
export class UnsupportedKernelInputError extends Error {
  override name = 'UnsupportedKernelInputError';
}

export function fallback(stock: KernelFunc | null, name: string, call: KernelCall, why: string): TensorInfo | TensorInfo[] {
  if (stock === null) throw new UnsupportedKernelInputError(`${name} on the wasm backend: ${why}`);
  return stock(call as Parameters<KernelFunc>[0]);
}

export function isF32(...ts: (TensorInfo | undefined)[]): boolean {
  return ts.every((t) => t === undefined || t.dtype === 'float32');
}

/** Codes of the fused activations the kernels apply (native/common.h), or -1 when unsupported. */
export function activationCode(activation: unknown): number {
  switch (activation ?? 'linear') {
    case 'linear':
      return 0;
    case 'relu':
      return 1;
    case 'relu6':
      return 2;
    case 'leakyrelu':
      return 3;
    default:
      return -1;
  }
}

/**
 * Applies a fused activation our kernels do not compute inline (elu, sigmoid, prelu) by running the
 * backend's own kernel on the linear result, which is then freed.
 */
export function applyStockActivation(
  rt: KernelRuntime,
  linear: TensorInfo,
  activation: string,
  preluWeights: TensorInfo | undefined,
): TensorInfo {
  const name = activation === 'elu' ? 'Elu' : activation === 'sigmoid' ? 'Sigmoid' : activation === 'prelu' ? 'Prelu' : null;
  const kernel = name === null ? undefined : getKernel(name, 'wasm');
  if (name === null || kernel === undefined || (name === 'Prelu' && preluWeights === undefined)) {
    rt.backend.disposeData(linear.dataId);
    throw new UnsupportedKernelInputError(`fused activation ${activation} is not supported on wasm`);
  }
  const inputs = name === 'Prelu' ? { x: linear, alpha: preluWeights as TensorInfo } : { x: linear };
  const out = kernel.kernelFunc({ inputs, backend: rt.backend, attrs: {} }) as TensorInfo;
  rt.backend.disposeData(linear.dataId);
  return out;
}

/** Activations applied inside our kernels; the others go through {@link applyStockActivation}. */
export function isInlineActivation(activation: unknown): boolean {
  return activationCode(activation) >= 0;
}

export function parallel(work: number): boolean {
  return work >= PARALLEL_MIN_WORK;
}

/**
 * Returns a pointer to x zero-padded so a plain valid conv covers `info`'s output (x itself when no
 * padding is needed), with the padded height and width.
 */
export function paddedInput(
  rt: KernelRuntime,
  x: TensorInfo,
  info: backend_util.Conv2DInfo,
  slot: number,
  overread = 0,
): { ptr: number; Hp: number; Wp: number } {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: Ho, outWidth: Wo } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw, padInfo } = info;
  const needH = (Ho - 1) * sh + KH;
  const needW = (Wo - 1) * sw + KW;
  const unpadded = padInfo.top === 0 && padInfo.left === 0 && needH <= H && needW <= W;
  if (unpadded && (overread === 0 || rt.overreadSafe(rt.offset(x), N * H * W * C * 4, overread))) {
    return { ptr: rt.offset(x), Hp: H, Wp: W };
  }
  const Hp = needH, Wp = needW;
  const ptr = rt.scratch(slot, N * Hp * Wp * C * 4);
  rt.run(JOB.PAD, [rt.offset(x), ptr, N, H, W, C, Hp, Wp, padInfo.top, padInfo.left, 1, 1], parallel(N * Hp * Wp * C));
  return { ptr, Hp, Wp };
}
