// FacerecAdamUpdate: one multithreaded pass computing Adam/AdamW's new weights and moments as three new tensors.
import { util, type TensorInfo } from '@tensorflow/tfjs-core';
import { FUSED_ADAM_KERNEL, type FusedAdamAttrs } from '../../../train/optimizers.js';
import { JOB } from '../jobs.js';
import { fallback, parallel, type KernelFactory } from './common.js';

/** Name of the fused optimizer kernel the core trainer looks up with `tf.getKernel`: core's one constant. */
export const ADAM_KERNEL_NAME = FUSED_ADAM_KERNEL;

/** Attributes of {@link ADAM_KERNEL_NAME}. */
export type AdamUpdateAttrs = FusedAdamAttrs;

export const adamUpdate: KernelFactory = (rt, stock) => (call) => {
  const { x, g, m, v } = call.inputs as Record<string, TensorInfo>;
  const shapes = [x, g, m, v].map((t) => t?.shape ?? []);
  if (![x, g, m, v].every((t) => t?.dtype === 'float32') || !shapes.every((s) => util.arraysEqual(s, shapes[0] as number[]))) {
    return fallback(stock, ADAM_KERNEL_NAME, call, 'x, g, m and v must be float32 tensors of one shape');
  }
  const a = (call.attrs ?? {}) as unknown as AdamUpdateAttrs;
  const t = a.step;
  if (!(t >= 1)) return fallback(stock, ADAM_KERNEL_NAME, call, `step must be >= 1 (got ${String(t)})`);
  const xt = x as TensorInfo;
  const n = util.sizeFromShape(xt.shape);
  const xo = rt.output(xt.shape), mo = rt.output(xt.shape), vo = rt.output(xt.shape);
  if (n > 0) {
    // Bias corrections in double precision, as tfjs's optimizer would accumulate them.
    const d1 = 1 - Math.pow(a.beta1, t), d2 = 1 - Math.pow(a.beta2, t);
    rt.run(
      JOB.ADAM,
      [
        rt.offset(xt), rt.offset(g as TensorInfo), rt.offset(m as TensorInfo), rt.offset(v as TensorInfo),
        rt.offset(xo), rt.offset(mo), rt.offset(vo), n,
        { f: a.learningRate }, { f: a.beta1 }, { f: a.beta2 }, { f: a.epsilon }, { f: d1 }, { f: d2 }, { f: a.weightDecay ?? 0 },
      ],
      parallel(n * 4),
    );
  }
  return [xo, mo, vo];
};
