// Registers facerec's WGSL kernels for tfjs's 'webgpu' backend, each keeping the stock kernel it replaces as fallback.
import * as tf from '@tensorflow/tfjs-core';
import { FUSED_ADAM_ALL_KERNEL } from '@facerec/core/internal';
import { adamUpdateAll } from './kernels/adam-update-all.js';
import { installFusedBatchNorm } from './batch-norm-layer.js';
import {
  BATCH_NORM_TRAIN_GRAD_KERNEL, BATCH_NORM_TRAIN_KERNEL, batchNormTrain, batchNormTrainGrad, batchNormTrainGradConfig,
} from './kernels/batch-norm-train.js';
import { conv2dBackpropFilter } from './kernels/conv2d-backprop-filter.js';

type Factory = (stock: tf.KernelFunc | null) => tf.KernelFunc;

/**
 * Each kernel facerec registers; those with no stock counterpart (the fused Adam, the fused batch normalisation) are
 * simply absent with stock kernels, and their callers (core's optimizer, tfjs-layers' BatchNormalization) take
 * tfjs's own ops.
 */
const KERNELS: ReadonlyArray<readonly [string, Factory]> = [
  ['Conv2DBackpropFilter', conv2dBackpropFilter],
  [FUSED_ADAM_ALL_KERNEL, adamUpdateAll],
  [BATCH_NORM_TRAIN_KERNEL, batchNormTrain],
  [BATCH_NORM_TRAIN_GRAD_KERNEL, batchNormTrainGrad],
];

/** The stock kernels replaced, so they can be put back (benchmarks compare both). */
const stockKernels = new Map<string, tf.KernelConfig | undefined>();
let active = false;

/**
 * Switches between facerec's WGSL kernels (true) and tfjs-backend-webgpu's stock ones (false) for 'webgpu';
 * returns the names of facerec's kernels now registered.
 */
export function useWebGpuFastKernels(enabled: boolean): string[] {
  if (enabled) {
    // Both idempotent: the gradient is only ever asked for by the fused kernel's own tape nodes.
    if (!tf.getGradient(BATCH_NORM_TRAIN_KERNEL)) tf.registerGradient(batchNormTrainGradConfig);
    installFusedBatchNorm();
  }
  if (enabled !== active) {
    for (const [kernelName, factory] of KERNELS) {
      if (!stockKernels.has(kernelName)) stockKernels.set(kernelName, tf.getKernel(kernelName, 'webgpu'));
      const stock = stockKernels.get(kernelName);
      if (tf.getKernel(kernelName, 'webgpu')) tf.unregisterKernel(kernelName, 'webgpu');
      if (enabled) tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc: factory(stock?.kernelFunc ?? null) });
      else if (stock) tf.registerKernel(stock);
    }
    active = enabled;
  }
  return active ? KERNELS.map(([name]) => name) : [];
}
