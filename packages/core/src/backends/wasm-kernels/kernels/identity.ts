// Identity and same-dtype Cast without a copy: the output shares the input's buffer (ref-counted, like Reshape).
import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';
import { fallback, type KernelFactory } from './common.js';

function share(rt: Parameters<KernelFactory>[0], x: TensorInfo): TensorInfo {
  rt.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identity: KernelFactory = (rt, stock) => (call) => {
  const { x } = call.inputs as { x: TensorInfo };
  // Kernels never write into their inputs, so sharing is safe; strings live outside the heap.
  return x.dtype === 'string' ? fallback(stock, 'Identity', call, 'string tensor') : share(rt, x);
};

export const cast: KernelFactory = (rt, stock) => (call) => {
  const { x } = call.inputs as { x: TensorInfo };
  const dtype = call.attrs?.dtype as DataType;
  return x.dtype === dtype && dtype !== 'string' ? share(rt, x) : fallback(stock, 'Cast', call, 'dtype change');
};
