// Softmax cross-entropy from logits, with optional label smoothing.
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors/index.js';

/** Options of {@link softmaxCrossEntropy}. */
export interface CrossEntropyOptions {
  /** Mixes the one-hot target with the uniform distribution: target = (1−ε)·onehot + ε/K. Default 0. */
  readonly labelSmoothing?: number;
}

/**
 * Mean softmax cross-entropy of `logits` [N,K] against integer `labels` [N] (int32 class indices).
 * Computed with log-softmax, so large logits do not overflow. Gradients flow through tfjs autodiff.
 */
export function softmaxCrossEntropy(labels: tf.Tensor1D, logits: tf.Tensor2D, options: CrossEntropyOptions = {}): tf.Scalar {
  const smoothing = options.labelSmoothing ?? 0;
  if (!(smoothing >= 0 && smoothing < 1)) {
    throw new InvalidArgumentError('labelSmoothing', `must be in [0, 1), got ${smoothing}`);
  }
  if (logits.rank !== 2 || labels.rank !== 1 || labels.shape[0] !== logits.shape[0]) {
    throw new InvalidArgumentError('labels/logits', `shapes [${labels.shape}] and [${logits.shape}] do not match ([N] and [N,K])`);
  }
  const numClasses = logits.shape[1];
  return tf.tidy(() => {
    const logProbs = tf.logSoftmax(logits);
    let target: tf.Tensor = tf.cast(tf.oneHot(tf.cast(labels, 'int32'), numClasses), 'float32');
    if (smoothing > 0) target = tf.add(tf.mul(target, 1 - smoothing), smoothing / numClasses);
    return tf.neg(tf.mean(tf.sum(tf.mul(target, logProbs), 1))) as tf.Scalar;
  });
}
