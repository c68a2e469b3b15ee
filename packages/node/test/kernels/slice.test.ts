// Slice as block copies on wasm vs cpu (exact), that it runs without reading the tensor out of the heap, and its fallbacks.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareWithCpu, setUpWasm } from './helpers';

/** Runs `fn` on wasm and counts the backend's readSync calls (tfjs's own Slice reads the whole input out). */
function readsDuring(fn: () => void): number {
  tf.setBackend('wasm');
  const backend = tf.backend() as unknown as { readSync: (...args: unknown[]) => unknown };
  const original = backend.readSync;
  let reads = 0;
  backend.readSync = function (this: unknown, ...args: unknown[]) {
    reads++;
    return original.apply(this, args);
  };
  try {
    tf.tidy(() => { fn(); });
  } finally {
    backend.readSync = original;
  }
  return reads;
}

describe('Slice on wasm', () => {
  beforeAll(async () => {
    await setUpWasm();
  });

  it('slices blocks of any rank as cpu does (exact)', () => {
    compareWithCpu([{ shape: [8, 18, 18, 64] }], (x) => tf.slice(x!, [0, 0, 0, 0], [8, 17, 17, 64]), 0);
    compareWithCpu([{ shape: [3, 9, 11, 20] }], (x) => tf.slice(x!, [1, 2, 3, 0], [2, 5, 7, 20]), 0);
    compareWithCpu([{ shape: [3, 9, 11, 20] }], (x) => tf.slice(x!, [0, 4, 0, 3], [-1, -1, -1, 16]), 0);
    compareWithCpu([{ shape: [7, 40] }], (x) => tf.slice(x!, [2, 5], [4, 30]), 0);
    compareWithCpu([{ shape: [100] }], (x) => tf.slice(x!, 17, 60), 0);
    compareWithCpu([{ shape: [2, 3, 4, 5, 6] }], (x) => tf.slice(x!, [1, 0, 1, 0, 0], [1, 3, 2, 5, 6]), 0);
    compareWithCpu([{ shape: [6, 20], dtype: 'int32', values: Float32Array.from({ length: 120 }, (_, i) => i - 60) }], (x) => tf.slice(x!, [1, 2], [3, 18]), 0);
    compareWithCpu([{ shape: [4, 20] }], (x) => tf.slice(x!, [1, 0], [0, 20]), 0);
  });

  it('is the gradient of a pad and has one (exact)', () => {
    compareWithCpu([{ shape: [4, 9, 9, 32] }], (x) => tf.grad((v) => tf.sum(tf.mul(tf.slice(v, [0, 1, 0, 0], [4, 7, 9, 32]), tf.slice(v, [0, 0, 0, 0], [4, 7, 9, 32]))))(x!), 0);
    compareWithCpu([{ shape: [4, 9, 9, 32] }], (x) => tf.grad((v) => tf.sum(tf.square(tf.pad(v, [[0, 0], [1, 2], [0, 0], [0, 0]], 1))))(x!), 0);
  });

  it('copies in the heap: no read-back of the input, no tensor left behind', () => {
    tf.setBackend('wasm');
    const x = tf.tensor4d(Float32Array.from({ length: 8 * 18 * 18 * 64 }, (_, i) => i), [8, 18, 18, 64]);
    try {
      const before = tf.memory().numTensors;
      expect(readsDuring(() => tf.slice(x, [0, 0, 0, 0], [8, 17, 17, 64]))).toBe(0);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      x.dispose();
    }
  });

  it('leaves short runs, bool and string tensors to tfjs (still exact)', () => {
    compareWithCpu([{ shape: [10, 10, 3] }], (x) => tf.slice(x!, [0, 0, 1], [10, 10, 1]), 0);
    compareWithCpu([{ shape: [4, 20] }], (x) => tf.cast(tf.slice(tf.greater(x!, 0), [1, 0], [2, 20]), 'float32'), 0);
    tf.setBackend('wasm');
    expect(tf.tidy(() => tf.slice(tf.tensor1d(['a', 'b', 'c'], 'string'), 1, 2).arraySync())).toEqual(['b', 'c']);
  });
});
