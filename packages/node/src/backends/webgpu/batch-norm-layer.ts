// Routes tfjs-layers' BatchNormalization in training mode to facerec's fused WebGPU kernel while it is registered.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { BATCH_NORM_TRAIN_KERNEL } from './kernels/batch-norm-train.js';

/** The fields of tfjs-layers 4.x's BatchNormalization layer the fused path reads. */
interface BatchNormLayer {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma: { read(): tf.Tensor } | null;
  beta: { read(): tf.Tensor } | null;
  movingMean: { read(): tf.Tensor; write(value: tf.Tensor): void };
  movingVariance: { read(): tf.Tensor; write(value: tf.Tensor): void };
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor | tf.Tensor[];
}

let installed = false;

/** The layer's class, from tfjs-layers' serialization registry (building a layer would shift later layers' names). */
function batchNormClass(): { prototype: BatchNormLayer } | null {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap['BatchNormalization'] as unknown as [unknown] | undefined;
  const cls = entry?.[0] as { prototype?: BatchNormLayer } | undefined;
  return typeof cls?.prototype?.call === 'function' ? (cls as { prototype: BatchNormLayer }) : null;
}

/**
 * Wraps BatchNormalization.call once: in training mode, on 'webgpu' with the fused kernel registered, over the last
 * axis and with both gamma and beta, it runs {@link BATCH_NORM_TRAIN_KERNEL} (the same function: batch statistics,
 * the biased variance, the moving averages updated with the layer's momentum); everything else runs tfjs's own code.
 */
export function installFusedBatchNorm(): void {
  if (installed) return;
  const cls = batchNormClass();
  if (!cls) return;
  installed = true;
  const stock = cls.prototype.call;
  cls.prototype.call = function (this: BatchNormLayer, inputs, kwargs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const usable =
      kwargs?.training === true && x !== undefined && (!Array.isArray(inputs) || inputs.length === 1) && x.dtype === 'float32' && x.rank >= 2 &&
      (this.axis === -1 || this.axis === x.rank - 1) && this.gamma !== null && this.beta !== null &&
      tf.getBackend() === 'webgpu' && tf.getKernel(BATCH_NORM_TRAIN_KERNEL, 'webgpu') !== undefined;
    if (!usable) return stock.call(this, inputs, kwargs);
    return tf.tidy(() => {
      const inputsMap = {
        x: x!, gamma: this.gamma!.read(), beta: this.beta!.read(), movingMean: this.movingMean.read(), movingVariance: this.movingVariance.read(),
      };
      const [y, , mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAIN_KERNEL, inputsMap, { epsilon: this.epsilon, momentum: this.momentum }) as tf.Tensor[];
      this.movingMean.write(mean!);
      this.movingVariance.write(variance!);
      return y!;
    });
  };
}
