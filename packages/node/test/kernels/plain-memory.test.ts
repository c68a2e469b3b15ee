// facerec's kernels on tfjs's stock single-thread WASM (a non-shared memory): what a page that is not cross-origin
// isolated runs, checked here through core's runtime on Node's stock build.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { KernelRuntime, registerKernels, type WasmBackend, type WasmMemory } from '@facerec/core/internal';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareWithCpu } from './helpers';

let runtime: KernelRuntime;

describe('facerec kernels on a non-shared WASM memory', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const backend = tf.backend() as unknown as WasmBackend;
    runtime = await KernelRuntime.create(backend, { threads: 2, relaxedSimd: false });
    registerKernels(runtime);
  });

  it('runs on the stock build: non-shared memory, one thread, no workers', () => {
    const memory = (tf.backend() as unknown as { wasm: { asm?: { memory?: WasmMemory } } }).wasm.asm?.memory;
    expect(memory?.buffer instanceof SharedArrayBuffer).toBe(false);
    expect(runtime.threads).toBe(1);
    expect(runtime.relaxedSimd).toBe(false);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('conv gradients match cpu (rtol 1e-4), with the memory growing between calls', () => {
    const grads = (x: tf.Tensor, w: tf.Tensor) =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')))))([x, w]);
    compareWithCpu([{ shape: [2, 17, 19, 8] }, { shape: [3, 3, 8, 16] }], grads);
    tf.setBackend('wasm');
    // ~64 MB more than tfjs's first heap: the kernels must follow the grown (replaced) buffer.
    const big = tf.zeros([16 * 1024 * 1024]);
    try {
      compareWithCpu([{ shape: [4, 33, 31, 16] }, { shape: [3, 3, 16, 32] }], grads);
    } finally {
      big.dispose();
    }
  });
});
