// The relu gradient dy * step(x) in one pass. tfjs's gradient runs Step then Multiply, two full passes
// over activations that do not fit in cache; facerec overrides the Relu gradient with one that calls
// FacerecReluGrad when the active backend has it, and tfjs's own gradient otherwise.
import * as tf from '@tensorflow/tfjs-core';
import { util, type GradConfig, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { JOB } from '../jobs.js';
import { fallback, parallel, type KernelFactory } from './common.js';

export const RELU_GRAD_KERNEL_NAME = 'FacerecReluGrad';

export const reluGrad: KernelFactory = (rt, stock) => (call) => {
  const { dy, x } = call.inputs as { dy: TensorInfo; x: TensorInfo };
  if (dy.dtype !== 'float32' || x.dtype !== 'float32' || !util.arraysEqual(dy.shape, x.shape)) {
    return fallback(stock, RELU_GRAD_KERNEL_NAME, call, 'dy and x must be float32 tensors of one shape');
  }
  const n = util.sizeFromShape(x.shape);
  const out = rt.output(x.shape);
  if (n > 0) rt.run(JOB.STEP_MUL, [rt.offset(dy), rt.offset(x), rt.offset(out), n], parallel(n));
  return out;
};

let installed = false;

/** Replaces the Relu gradient (once) with one that uses FacerecReluGrad on backends registering it. */
export function installReluGradient(): void {
  if (installed) return;
  const stock = tf.getGradient('Relu');
  if (stock === undefined) return;
  installed = true;
  const fused: GradConfig = {
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0] as tf.Tensor;
      const d = dy as tf.Tensor;
      if (
        x.dtype === 'float32' &&
        d.dtype === 'float32' &&
        util.arraysEqual(d.shape, x.shape) &&
        tf.getKernel(RELU_GRAD_KERNEL_NAME, tf.getBackend()) !== undefined
      ) {
        return { x: () => tf.engine().runKernel(RELU_GRAD_KERNEL_NAME, { dy: d, x }, {}) as tf.Tensor };
      }
      return stock.gradFunc(dy, saved, attrs as NamedAttrMap);
    },
  };
  tf.registerGradient(fused);
  // Second-order gradients see FacerecReluGrad as mul(dy, step(x)), like tfjs's own formulation.
  tf.registerGradient({
    kernelName: RELU_GRAD_KERNEL_NAME,
    inputsToSave: ['dy', 'x'],
    gradFunc: (ddy, saved) => {
      const x = saved[1] as tf.Tensor;
      const g = ddy as tf.Tensor;
      return { dy: () => tf.mul(g, tf.step(x)), x: () => tf.zerosLike(x) };
    },
  });
}
