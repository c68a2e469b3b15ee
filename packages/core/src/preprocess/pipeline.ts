// Runs a model's whole preprocessing recipe on one image or on a batch, so training and inference agree.
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors/index.js';
import { imageToTensor } from '../image/convert.js';
import type { RawImage } from '../image/types.js';
import { toChannels } from './color.js';
import { validatePreprocessingConfig, type PreprocessingConfig } from './config.js';
import { centerCrop } from './crop.js';
import { normalizeIllumination } from './illumination.js';
import { normalize } from './normalize.js';
import { resize } from './resize.js';

// The geometric half of a recipe: crop → channels → resize, giving 0..255 pixels at the input size.
function pixels(image: RawImage | tf.Tensor3D, config: PreprocessingConfig, source: string): tf.Tensor3D {
  return tf.tidy(() => {
    let t = imageToTensor(image, source);
    // Crop and reduce channels before resizing: less work, and the crop uses the original resolution.
    if (config.crop) t = centerCrop(t, { fraction: config.crop.fraction });
    t = toChannels(t, config.channels);
    return resize(t, config.inputSize, { antialias: true });
  });
}

/**
 * The photometric half of a (validated) recipe on pixels at the input size: illumination → normalize. Also run
 * per batch by training, after augmentation, when the recipe has an illumination step. Returns a new tensor.
 * @internal
 */
export function finishPreprocessing<T extends tf.Tensor3D | tf.Tensor4D>(t: T, config: PreprocessingConfig): T {
  return tf.tidy(() => normalize(config.illumination ? normalizeIllumination(t, config.illumination) : t, config.normalization));
}

// Assumes a validated config; the exported functions validate once per call.
function run(image: RawImage | tf.Tensor3D, config: PreprocessingConfig, source: string): tf.Tensor3D {
  return tf.tidy(() => finishPreprocessing(pixels(image, config, source), config));
}

/**
 * The images of `images` as 0..255 pixels at the recipe's input size (crop → channels → resize), stacked, for a
 * training run that augments pixels before {@link finishPreprocessing}.
 * @internal
 */
export function preprocessPixels(images: ReadonlyArray<RawImage | tf.Tensor3D>, config: PreprocessingConfig): tf.Tensor4D {
  const valid = validatePreprocessingConfig(config, 'config');
  if (!Array.isArray(images) || images.length === 0) {
    throw new InvalidArgumentError('images', 'expected a non-empty array of images');
  }
  return tf.tidy(() => tf.stack(images.map((image, i) => pixels(image, valid, `images[${i}]`))) as tf.Tensor4D);
}

/**
 * Turns one image into a network input: crop → channels → resize (bilinear, box-filtered first when shrinking
 * 2× or more: see {@link ResizeOptions.antialias}) → illumination (when the recipe has one) → normalize, as
 * `config` says.
 * A tensor input is not disposed.
 *
 * @param image - A decoded image or a `[height, width, channels]` tensor with values in 0..255.
 * @param config - The model's preprocessing recipe.
 * @param source - Names the image in error messages; defaults to `'image'`.
 * @returns A new float32 `[inputHeight, inputWidth, channels]` tensor.
 * @throws InvalidImageError for an unusable image; InvalidArgumentError for a bad config.
 */
export function preprocessImage(image: RawImage | tf.Tensor3D, config: PreprocessingConfig, source = 'image'): tf.Tensor3D {
  return run(image, validatePreprocessingConfig(config, 'config'), source);
}

/**
 * Preprocesses images of any sizes (see {@link preprocessImage}) and stacks them into one batch.
 * Errors name the image by its index, e.g. `images[3]`. Tensor inputs are not disposed.
 *
 * @returns A new float32 `[images.length, inputHeight, inputWidth, channels]` tensor.
 * @throws InvalidArgumentError for an empty list or a bad config; InvalidImageError for an unusable image.
 */
export function preprocessBatch(images: ReadonlyArray<RawImage | tf.Tensor3D>, config: PreprocessingConfig): tf.Tensor4D {
  const valid = validatePreprocessingConfig(config, 'config');
  if (!Array.isArray(images) || images.length === 0) {
    throw new InvalidArgumentError('images', 'expected a non-empty array of images');
  }
  return tf.tidy(() => tf.stack(images.map((image, i) => run(image, valid, `images[${i}]`))) as tf.Tensor4D);
}
