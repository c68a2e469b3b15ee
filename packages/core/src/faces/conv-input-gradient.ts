// A fused convolution whose gradient is taken with respect to its input only, computed with forward convolutions.
import * as tf from '@tensorflow/tfjs-core';
import { RELU_GRAD_KERNEL_NAME } from '../backends/wasm-kernels/kernels/relu-grad.js';

/** One convolution layer with fixed weights: y = act(conv(x, filters) + bias). */
export interface FixedConv {
  readonly filters: tf.Tensor4D;
  readonly bias: tf.Tensor1D;
  readonly stride: 1 | 2;
  readonly pad: 'same' | 'valid';
  readonly relu: boolean;
}

/**
 * The layer as one fused convolution, differentiable with respect to `x` only (the weights are constants).
 * tfjs's own gradient of a fused convolution also computes the filters' gradient (a kernel tfjs's WASM backend
 * lacks, and wasted work here), and Conv2DBackpropInput is slow on WASM (dlib's 7×7 stem: ~140 ms for two
 * faces, more than the whole forward pass). The input gradient is itself a convolution: for stride 1 ('same',
 * odd kernel), of dy with the filters turned 180° and their channels swapped; for stride 2 ('valid'), four
 * such convolutions with every other tap, one per output phase, interleaved. `kernels` gives those filters
 * ({@link gradientKernels}), kept by the caller: backends pack a filter tensor once and reuse it.
 */
export function convWithInputGradient(x: tf.Tensor4D, layer: FixedConv, kernels: () => readonly tf.Tensor4D[], centre?: () => tf.Tensor2D): tf.Tensor4D {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
    // The fused kernel itself: under a gradient tape tf.fused.conv2d runs the convolution, the bias add and the relu
    // as three kernels, for the sake of a filter gradient that this layer never takes.
    const attrs = { strides: layer.stride, pad: layer.pad, dataFormat: 'NHWC', dilations: 1, activation: layer.relu ? 'relu' : 'linear' };
    const y = tf.engine().runKernel(tf.FusedConv2D, { x: input, filter: layer.filters, bias: layer.bias }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
    save(layer.relu ? [y] : []);
    return {
      value: y,
      gradFunc: (dy, saved) => inputGradient((layer.relu ? reluMask(dy, saved[0]!) : dy) as tf.Tensor4D, layer, input.shape, kernels, centre),
    };
  });
  return op(x) as tf.Tensor4D;
}

/**
 * The layer's input gradient for `g`, the gradient at its output before the activation (dy already masked by the
 * relu), for an input of `inputShape`: see {@link convWithInputGradient}.
 */
export function inputGradient(g: tf.Tensor4D, layer: FixedConv, inputShape: readonly number[], kernels: () => readonly tf.Tensor4D[], centre?: () => tf.Tensor2D): tf.Tensor4D {
  const [n, h, w, c] = inputShape as [number, number, number, number];
  if (!hasForwardGradient(layer)) return tf.conv2dTranspose(g, layer.filters, [n, h, w, c], layer.stride, layer.pad);
  if (layer.stride === 1 && h === 1 && w === 1 && centre) {
    // One position: only the centre tap meets the input, so the convolution is a matrix product.
    return tf.reshape(tf.matMul(tf.reshape(g, [n, layer.filters.shape[3]]), centre(), false, true), [n, 1, 1, c]);
  }
  const ks = kernels();
  if (layer.stride === 1) return tf.conv2d(g, ks[0]!, 1, 'same');
  // Phase (a, b) holds dx[2m + a, 2l + b]: a stride-1 convolution of dy padded by its sub-kernel's reach.
  const [, oh, ow] = g.shape;
  const mh = Math.ceil(h / 2), mw = Math.ceil(w / 2);
  const phase = (a: number, b: number) => {
    const k = ks[a * 2 + b]!;
    const [jh, jw] = [k.shape[0] - 1, k.shape[1] - 1];
    return tf.conv2d(tf.pad(g, [[0, 0], [jh, mh - oh], [jw, mw - ow], [0, 0]]), k, 1, 'valid');
  };
  const rows = [0, 1].map((a) => tf.reshape(tf.stack([phase(a, 0), phase(a, 1)], 3), [n, mh, 2 * mw, c]));
  const dx = tf.reshape(tf.stack(rows, 2), [n, 2 * mh, 2 * mw, c]) as tf.Tensor4D;
  return 2 * mh === h && 2 * mw === w ? dx : tf.slice(dx, [0, 0, 0, 0], [n, h, w, c]);
}

/** dy where the relu's output y is positive, else 0: one pass with facerec's WASM kernel where the backend has it. */
export function reluMask<T extends tf.Tensor>(dy: T, y: tf.Tensor): T {
  if (tf.getKernel(RELU_GRAD_KERNEL_NAME, tf.getBackend()) !== undefined) return tf.engine().runKernel(RELU_GRAD_KERNEL_NAME, { dy, x: y }, {}) as T;
  return tf.mul(dy, tf.step(y)) as T;
}

/**
 * The layer's centre tap `[in, out]`, which {@link convWithInputGradient} multiplies by when its input is a single
 * position ('same', stride 1). Slicing it out of the filters costs more than the product (about 10 ms for 3×3 × 256 ×
 * 256 on tfjs's WASM backend), so callers make it once and keep it.
 */
export function centreTap(layer: FixedConv): tf.Tensor2D {
  const [kh, kw, cin, cout] = layer.filters.shape;
  return tf.tidy(() => tf.reshape(tf.slice(layer.filters, [kh >> 1, kw >> 1, 0, 0], [1, 1, cin, cout]), [cin, cout]) as tf.Tensor2D);
}

/** Whether the layer's input gradient runs as forward convolutions (else Conv2DBackpropInput). */
function hasForwardGradient(layer: FixedConv): boolean {
  const [kh, kw] = layer.filters.shape;
  return layer.stride === 1 ? layer.pad === 'same' && kh % 2 === 1 && kw % 2 === 1 : layer.pad === 'valid';
}

/**
 * The filters {@link convWithInputGradient} convolves dy with: `[kh, kw, out, in]`, turned 180°; for stride 2
 * one per output phase (a, b), the taps a, a+2, … and b, b+2, … Empty when the layer uses Conv2DBackpropInput.
 */
export function gradientKernels(layer: FixedConv): tf.Tensor4D[] {
  if (!hasForwardGradient(layer)) return [];
  return tf.tidy(() => {
    const flipped = (f: tf.Tensor4D) => tf.transpose(tf.reverse(f, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    if (layer.stride === 1) return [flipped(layer.filters)];
    const [kh, kw] = layer.filters.shape;
    const taps = (k: number, a: number) => Array.from({ length: Math.ceil((k - a) / 2) }, (_, j) => a + 2 * j);
    return [0, 1].flatMap((a) => [0, 1].map((b) => flipped(tf.gather(tf.gather(layer.filters, taps(kh, a), 0), taps(kw, b), 1) as tf.Tensor4D)));
  });
}
