// Element-wise kernels: Relu, Add (same shape or a bias over the last axis), the relu gradient's Step and
// same-shape Multiply (tfjs computes it as mul(dy, step(x))), and Maximum / Minimum with a scalar (converted
// graphs such as faceres spell relu6 as min(max(x, 0), 6); stock wasm broadcasts them element by element).
import { util, type TensorInfo } from '@tensorflow/tfjs-core';
import { JOB } from '../jobs.js';
import { fallback, parallel, type KernelFactory } from './common.js';

export const step: KernelFactory = (rt, stock) => (call) => {
  const { x } = call.inputs as { x: TensorInfo };
  if (x.dtype !== 'float32') return fallback(stock, 'Step', call, 'unsupported dtype');
  const n = util.sizeFromShape(x.shape);
  const out = rt.output(x.shape);
  if (n > 0) rt.run(JOB.STEP, [rt.offset(x), rt.offset(out), n, { f: (call.attrs?.alpha as number | undefined) ?? 0 }], parallel(n));
  return out;
};

export const multiply: KernelFactory = (rt, stock) => (call) => {
  const { a, b } = call.inputs as { a: TensorInfo; b: TensorInfo };
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || !util.arraysEqual(a.shape, b.shape)) {
    return fallback(stock, 'Multiply', call, 'unsupported case');
  }
  const n = util.sizeFromShape(a.shape);
  const out = rt.output(a.shape);
  if (n > 0) rt.run(JOB.MUL, [rt.offset(a), rt.offset(b), rt.offset(out), n], parallel(n));
  return out;
};

export const relu: KernelFactory = (rt, stock) => (call) => {
  const { x } = call.inputs as { x: TensorInfo };
  if (x.dtype !== 'float32') return fallback(stock, 'Relu', call, 'unsupported dtype');
  const n = util.sizeFromShape(x.shape);
  const out = rt.output(x.shape);
  if (n > 0) rt.run(JOB.RELU, [rt.offset(x), rt.offset(out), n], parallel(n));
  return out;
};

export const add: KernelFactory = (rt, stock) => (call) => {
  const { a, b } = call.inputs as { a: TensorInfo; b: TensorInfo };
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(stock, 'Add', call, 'unsupported dtype');
  const n = util.sizeFromShape(a.shape);
  if (util.arraysEqual(a.shape, b.shape)) {
    const out = rt.output(a.shape);
    if (n > 0) rt.run(JOB.ADD, [rt.offset(a), rt.offset(b), rt.offset(out), n, 0], parallel(n));
    return out;
  }
  // x + bias, bias shaped [C] (or [1,..,1,C]) with C the last axis of x.
  const C = a.shape[a.shape.length - 1] ?? 0;
  const biasLike = (big: TensorInfo, small: TensorInfo) =>
    big.shape.length >= 1 && small.shape.length <= big.shape.length &&
    util.sizeFromShape(small.shape) === C && small.shape[small.shape.length - 1] === C && C > 0;
  if (biasLike(a, b)) {
    const out = rt.output(a.shape);
    if (n > 0) rt.run(JOB.ADD, [rt.offset(a), rt.offset(b), rt.offset(out), n, C], parallel(n));
    return out;
  }
  return fallback(stock, 'Add', call, 'unsupported broadcast');
};

/** Maximum or Minimum where one input is a single value no higher in rank than the other. */
function maxMinScalar(isMax: boolean): KernelFactory {
  const name = isMax ? 'Maximum' : 'Minimum';
  return (rt, stock) => (call) => {
    const { a, b } = call.inputs as { a: TensorInfo; b: TensorInfo };
    const scalarOf = (big: TensorInfo, small: TensorInfo) => util.sizeFromShape(small.shape) === 1 && small.shape.length <= big.shape.length;
    const [x, s] = scalarOf(a, b) ? [a, b] : scalarOf(b, a) ? [b, a] : [null, null];
    if (x === null || s === null || x.dtype !== 'float32' || s.dtype !== 'float32') return fallback(stock, name, call, 'unsupported case');
    const n = util.sizeFromShape(x.shape);
    const out = rt.output(x.shape);
    const value = (rt.backend.readSync(s.dataId) as Float32Array)[0] as number;
    if (n > 0) rt.run(JOB.MAX_MIN_SCALAR, [rt.offset(x), rt.offset(out), n, { f: value }, isMax ? 1 : 0], parallel(n));
    return out;
  };
}

export const maximum = maxMinScalar(true);
export const minimum = maxMinScalar(false);
