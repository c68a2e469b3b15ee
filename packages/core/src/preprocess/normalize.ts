// Scales pixel values (0..255) to the range a network trains best on.
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors/index.js';
import { imageDims, type ImageTensor } from './tensor.js';

/**
 * How pixel values are scaled before they reach a network:
 * - `'unit'`: divide by 255, giving 0..1;
 * - `'standardize'`: per image, `(x − mean) / max(std, 1/√N)` over all N samples of the image, as
 *   `tf.image.per_image_standardization`; removes global brightness and contrast differences;
 * - `'none'`: keep 0..255.
 */
export type NormalizationMode = 'unit' | 'standardize' | 'none';

/** The accepted {@link NormalizationMode} values, for validation and CLI help. */
export const NORMALIZATION_MODES: readonly NormalizationMode[] = ['unit', 'standardize', 'none'];

/**
 * Normalises an image or batch (see {@link NormalizationMode}). For a batch, `'standardize'` uses each image's
 * own mean and standard deviation. Returns a new float32 tensor; the input is not disposed.
 *
 * @throws InvalidArgumentError for an unknown mode or a tensor that is not an image.
 */
export function normalize<T extends ImageTensor>(t: T, mode: NormalizationMode): T {
  const { height, width, channels } = imageDims(t, 'tensor');
  if (!NORMALIZATION_MODES.includes(mode)) {
    throw new InvalidArgumentError('normalization', `expected one of ${NORMALIZATION_MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  }
  return tf.tidy(() => {
    const float = tf.cast(t, 'float32') as T;
    if (mode === 'none') return float;
    if (mode === 'unit') return tf.div(float, 255) as T;
    // Mean of row means rather than one long sum: float32 accumulators (wasm, webgl) lose ~1e-3 over a
    // whole image, and innermost-axis reductions need no transpose. For one image the statistics are scalars,
    // which every backend broadcasts cheaply.
    const n = t.rank === 3 ? 1 : t.shape[0];
    const statShape = t.rank === 3 ? [] : [n, 1, 1, 1];
    const imageMean = (x: tf.Tensor): tf.Tensor =>
      tf.reshape(tf.mean(tf.mean(tf.reshape(x, [n, height, width * channels]), 2), 1), statShape);
    const centered = tf.sub(float, imageMean(float));
    const std = tf.sqrt(imageMean(tf.square(centered)));
    // The floor keeps a flat image (std 0) finite, exactly as TF does.
    const floor = 1 / Math.sqrt(height * width * channels);
    return tf.div(centered, tf.maximum(std, floor)) as T;
  });
}
