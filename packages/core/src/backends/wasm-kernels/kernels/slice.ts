// Slice as block copies inside the WASM memory. tfjs's wasm Slice reads the whole input out of the (shared)
// heap into JavaScript and writes the output back one element at a time: milliseconds for a tensor of a few
// hundred kilobytes (the crop in an input gradient), where copying its contiguous runs in place takes microseconds.
import { slice_util, util, type TensorInfo } from '@tensorflow/tfjs-core';
import { fallback, type KernelFactory } from './common.js';

/** Shortest contiguous run, in elements, worth a copy call; shorter runs go to the stock kernel. */
const MIN_RUN = 16;

/** dtypes whose elements are 4 bytes in the heap (bool is 1 byte, strings live outside it). */
function fourBytes(t: TensorInfo): boolean {
  return t.dtype === 'float32' || t.dtype === 'int32';
}

/**
 * Copies a block: `count` (per outer axis) runs of `run` elements, reading at `src` + Σ index·`srcStrides`
 * and writing at `dst` + Σ index·`dstStrides` (element offsets in the heap's 4-byte view).
 */
function copyRuns(heap: Int32Array, src: number, dst: number, run: number, count: readonly number[], srcStrides: readonly number[], dstStrides: readonly number[]): void {
  const axes = count.length;
  if (axes === 0) {
    heap.copyWithin(dst, src, src + run);
    return;
  }
  const index = new Array<number>(axes).fill(0);
  for (;;) {
    let s = src, d = dst;
    for (let i = 0; i < axes; i++) { s += index[i]! * srcStrides[i]!; d += index[i]! * dstStrides[i]!; }
    heap.copyWithin(d, s, s + run);
    let i = axes - 1;
    while (i >= 0 && ++index[i]! === count[i]) index[i--] = 0;
    if (i < 0) return;
  }
}

/**
 * Where a block of `size` inside a tensor of `shape` is contiguous: the first axis `d` of the innermost run
 * (the axes after it are whole), and the run's length in elements.
 */
function innerRun(shape: readonly number[], size: readonly number[]): { axis: number; run: number } {
  let axis = shape.length - 1, run = 1;
  while (axis >= 0 && size[axis] === shape[axis]) run *= shape[axis--]!;
  if (axis >= 0) run *= size[axis]!;
  return { axis: Math.max(axis, 0), run };
}

export const slice: KernelFactory = (rt, stock) => (call) => {
  const { x } = call.inputs as { x: TensorInfo };
  const attrs = call.attrs ?? {};
  // Offsets are counted in 4-byte words (tfjs's allocations are aligned).
  if (!fourBytes(x) || rt.offset(x) % 4 !== 0) return fallback(stock, 'Slice', call, 'dtype');
  const [begin, size] = slice_util.parseSliceParams(x as never, attrs.begin as number | number[], attrs.size as number | number[] | undefined);
  const { axis, run } = innerRun(x.shape, size);
  const total = util.sizeFromShape(size);
  if (total > 0 && run < MIN_RUN) return fallback(stock, 'Slice', call, 'short runs');
  const out = rt.backend.makeOutput(size, x.dtype);
  if (total === 0) return out;
  const xStrides = util.computeStrides(x.shape);
  const outStrides = util.computeStrides(size);
  const src = x.shape.length === 0 ? 0 : begin.reduce((s, b, i) => s + b * (xStrides[i] ?? 1), 0);
  const heap = rt.heap32();
  copyRuns(heap, (rt.offset(x) >> 2) + src, rt.offset(out) >> 2, run, size.slice(0, axis), xStrides.slice(0, axis), outStrides.slice(0, axis));
  return out;
};
