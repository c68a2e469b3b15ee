// convWithInputGradient: its input gradient, made of forward convolutions, equals tfjs's own for dlib's layer shapes.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { centreTap, convWithInputGradient, gradientKernels, type FixedConv } from '../../src/faces/conv-input-gradient.js';
import { expectNoLeakPerTest } from '../helpers/memory.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('convWithInputGradient', () => {
  expectNoLeakPerTest();

  // dlib's layers: the 7×7 stride-2 stem on an even side, a stride-2 3×3 down block on an odd side, stride-1 3×3 'same' (also on one position); and a 'same' stride-2 layer (Conv2DBackpropInput).
  it.each([
    { side: 30, k: 7, inputs: 3, outputs: 5, stride: 2, pad: 'valid', relu: true },
    { side: 13, k: 3, inputs: 4, outputs: 6, stride: 2, pad: 'valid', relu: true },
    { side: 9, k: 3, inputs: 6, outputs: 6, stride: 1, pad: 'same', relu: false },
    { side: 10, k: 3, inputs: 2, outputs: 3, stride: 2, pad: 'same', relu: true },
    // dlib's last layer: one position, where only the centre tap counts (a matrix product).
    { side: 1, k: 3, inputs: 5, outputs: 4, stride: 1, pad: 'same', relu: true },
  ] as const)('$k×$k stride $stride $pad on $side px: the gradient and the value are tfjs\'s', ({ side, k, inputs, outputs, stride, pad, relu }) => {
    const x = tf.randomNormal([2, side, side, inputs], 0, 1, 'float32', 1) as tf.Tensor4D;
    const layer: FixedConv = {
      filters: tf.randomNormal([k, k, inputs, outputs], 0, 1, 'float32', 2) as tf.Tensor4D,
      bias: tf.randomNormal([outputs], 0, 1, 'float32', 3) as tf.Tensor1D, stride, pad, relu,
    };
    const kernels = gradientKernels(layer);
    const centre = centreTap(layer);
    const reference = (v: tf.Tensor4D) => {
      const y = tf.add(tf.conv2d(v, layer.filters, stride, pad), layer.bias);
      return relu ? tf.relu(y) : y;
    };
    const weights = tf.tidy(() => tf.randomNormal(reference(x).shape, 0, 1, 'float32', 4));
    const [ours, theirs, ourValue, theirValue] = tf.tidy(() => [
      tf.grad((v) => tf.sum(tf.mul(convWithInputGradient(v as tf.Tensor4D, layer, () => kernels, () => centre), weights)))(x),
      tf.grad((v) => tf.sum(tf.mul(reference(v as tf.Tensor4D), weights)))(x),
      convWithInputGradient(x, layer, () => kernels, () => centre),
      reference(x),
    ]);
    expect(ours!.shape).toEqual(x.shape);
    const largestDifference = (p: tf.Tensor, q: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(p, q))).dataSync()[0]!);
    expect(largestDifference(ours!, theirs!)).toBeLessThan(1e-3);
    expect(largestDifference(ourValue!, theirValue!)).toBeLessThan(1e-3);
    tf.dispose([x, layer.filters, layer.bias, weights, ours!, theirs!, ourValue!, theirValue!, centre, ...kernels]);
  });
});
