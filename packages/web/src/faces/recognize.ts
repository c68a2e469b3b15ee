// Recognises every face a locator finds in a browser image: crop each box, one batched prediction.
import * as tf from '@tensorflow/tfjs-core';
import type { Box, FaceRecognizer, PredictOptions, RawImage, Recognition } from '@facerec/core';
import { browserImageToTensor, readPixels, sourceSize } from '../input/index.js';
import type { BrowserImageSource } from '../input/index.js';
import { centerSquareLocator } from './locate.js';
import type { FaceLocator } from './locate.js';

/** One face a locator found and who it is: the recognizer's {@link Recognition} and the box it was made on. */
export interface LocatedRecognition extends Recognition {
  /** In pixels of the image that was read. */
  readonly box: Box;
}

/** Options of {@link recognizeFaces}. */
export interface RecognizeFacesOptions extends PredictOptions {
  /** Where the faces are. Default {@link centerSquareLocator}(). */
  readonly locate?: FaceLocator;
  /** Names the image in errors. Default 'image'. */
  readonly source?: string;
}

const defaultLocator = /* @__PURE__ */ centerSquareLocator();

/**
 * Finds the faces in `image` with `options.locate` and names each one with `recognizer`. A video gives its
 * current frame. All tensors are freed before this returns.
 *
 * @returns One entry per box, in the locator's order (empty when it finds none).
 * @throws InvalidImageError for an unloaded or empty image; InvalidArgumentError when the recognizer has no model.
 */
export async function recognizeFaces(recognizer: FaceRecognizer, image: BrowserImageSource, options: RecognizeFacesOptions = {}): Promise<LocatedRecognition[]> {
  const source = options.source ?? 'image';
  const size = sourceSize(image, source);
  const boxes = await (options.locate ?? defaultLocator)(size, image);
  if (boxes.length === 0) return [];
  const tensors: tf.Tensor3D[] = [];
  try {
    const channels = recognizer.preprocessing?.channels;
    for (const box of boxes) tensors.push(browserImageToTensor(image, { box, source, ...(channels ? { channels } : {}) }));
    const predictions = await recognizer.predictBatch(tensors, options);
    return boxes.map((box, i) => ({ box, ...predictions[i]! }));
  } finally {
    for (const t of tensors) t.dispose();
  }
}

/**
 * Cuts the faces a locator finds out of `image` as RGBA images, e.g. to enrol a person from a webcam frame or
 * a photo with the same crop that recognition will use.
 */
export async function cropFaces(image: BrowserImageSource, locate: FaceLocator = defaultLocator, source = 'image'): Promise<RawImage[]> {
  const size = sourceSize(image, source);
  const boxes = await locate(size, image);
  return boxes.map((box) => readPixels(image, { box, source }));
}
