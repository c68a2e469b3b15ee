// Sum over leading axes (bias gradients reduce [N,H,W,C] over N,H,W): fixed row chunks, then a chunk-ordered total.
import { backend_util, util, type TensorInfo } from '@tensorflow/tfjs-core';
import { JOB, SLOT } from '../jobs.js';
import { fallback, parallel, type KernelFactory } from './common.js';

export const sum: KernelFactory = (rt, stock) => (call) => {
  const { x } = call.inputs as { x: TensorInfo };
  const axes = util.parseAxisParam(call.attrs?.axis as number | number[], x.shape).sort((a, b) => a - b);
  const k = axes.length;
  const leading = k > 0 && k < x.shape.length && axes.every((a, i) => a === i);
  const C = util.sizeFromShape(x.shape.slice(k));
  if (x.dtype !== 'float32' || !leading || C < 4) return fallback(stock, 'Sum', call, 'unsupported case');
  const R = util.sizeFromShape(x.shape.slice(0, k));
  const keepDims = (call.attrs?.keepDims as boolean | undefined) ?? false;
  const outShape = keepDims ? backend_util.expandShapeToKeepDim(x.shape.slice(k), axes) : x.shape.slice(k);
  if (R === 0) return rt.zeros(outShape);
  const out = rt.output(outShape);
  // Chunking depends on the shape only, so the rounding does too (not on the thread count).
  const chunkRows = Math.max(8, Math.ceil(R / 64));
  const Q = Math.ceil(R / chunkRows);
  const part = rt.scratch(SLOT.ACC, Q * C * 4);
  rt.run(JOB.SUM_ROWS, [rt.offset(x), part, R, C, chunkRows], parallel(R * C));
  rt.run(JOB.SUM_FINAL, [part, rt.offset(out), Q, C], parallel(Q * C * 16));
  return out;
};
