// Registers facerec's kernels for tfjs's 'wasm' backend, each keeping the stock kernel it replaces as fallback.
import * as tf from '@tensorflow/tfjs-core';
import { ADAM_KERNEL_NAME, adamUpdate } from './kernels/adam-update.js';
import { batchMatMul, fusedMatMul } from './kernels/batch-mat-mul.js';
import type { KernelFactory } from './kernels/common.js';
import { conv2d, fusedConv2d } from './kernels/conv2d.js';
import { conv2dBackpropFilter, conv2dBackpropInput } from './kernels/conv2d-backprop.js';
import { slice } from './kernels/slice.js';
import { add, maximum, minimum, multiply, relu, step } from './kernels/eltwise.js';
import { cast, identity } from './kernels/identity.js';
import { maxPool, maxPoolGrad } from './kernels/max-pool.js';
import { installReluGradient, reluGrad, RELU_GRAD_KERNEL_NAME } from './kernels/relu-grad.js';
import { sum } from './kernels/sum.js';
import type { KernelRuntime } from './runtime.js';

const KERNELS: ReadonlyArray<readonly [string, KernelFactory]> = [
  ['Conv2D', conv2d],
  ['FusedConv2D', fusedConv2d],
  ['Conv2DBackpropFilter', conv2dBackpropFilter],
  ['Conv2DBackpropInput', conv2dBackpropInput],
  ['Slice', slice],
  ['MaxPool', maxPool],
  ['MaxPoolGrad', maxPoolGrad],
  ['Sum', sum],
  ['Step', step],
  ['Relu', relu],
  ['Add', add],
  ['Identity', identity],
  ['Cast', cast],
  ['Multiply', multiply],
  ['Maximum', maximum],
  ['Minimum', minimum],
  ['BatchMatMul', batchMatMul],
  ['_FusedMatMul', fusedMatMul],
  [ADAM_KERNEL_NAME, adamUpdate],
  [RELU_GRAD_KERNEL_NAME, reluGrad],
];

/** Registers every kernel on `rt` for backend 'wasm'; returns their names. */
export function registerKernels(rt: KernelRuntime): string[] {
  const names: string[] = [];
  for (const [kernelName, factory] of KERNELS) {
    const stock = tf.getKernel(kernelName, 'wasm');
    if (stock) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      kernelFunc: factory(rt, stock?.kernelFunc ?? null),
      // Keep the stock set-up so the fallback still works if tfjs re-initializes the backend.
      ...(stock?.setupFunc ? { setupFunc: stock.setupFunc } : {}),
      ...(stock?.disposeFunc ? { disposeFunc: stock.disposeFunc } : {}),
    });
    names.push(kernelName);
  }
  installReluGradient();
  return names;
}
