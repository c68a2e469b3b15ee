// Where the faces are for a CNN trained on face crops: a fixed box (the pretrained pipeline's detector is in LiveRecognizer and Gallery).
import { InvalidArgumentError } from '@facerec/core';
import type { Box } from '@facerec/core';
import type { BrowserImageSource, ImageSize } from '../input/index.js';

/**
 * Finds the faces in an image and returns one box per face, in image pixels, for a trained CNN
 * (`recognizeFaces`); {@link centerSquareLocator} assumes the person faces the camera in the middle. To find
 * every face with the pretrained detector, use `LiveRecognizer` / `recognizeVideo` or a `Gallery` instead.
 */
export type FaceLocator = (size: ImageSize, image: BrowserImageSource) => readonly Box[] | Promise<readonly Box[]>;

/** Options of {@link centerSquareLocator}. */
export interface CenterSquareOptions {
  /** Side of the square as a fraction of the image's shorter side, in (0, 1]. Default 0.8. */
  readonly fraction?: number;
  /** Shift of the square's centre, as a fraction of the image's width / height. Default 0. */
  readonly offsetX?: number;
  readonly offsetY?: number;
}

/** The centred square box of {@link centerSquareLocator} for an image of `size`. */
export function centerSquareBox(size: ImageSize, options: CenterSquareOptions = {}): Box {
  const fraction = options.fraction ?? 0.8;
  if (!(fraction > 0 && fraction <= 1)) throw new InvalidArgumentError('fraction', `expected a number in (0, 1], got ${String(fraction)}`);
  const side = Math.max(1, Math.round(Math.min(size.width, size.height) * fraction));
  const x = Math.round((size.width - side) / 2 + (options.offsetX ?? 0) * size.width);
  const y = Math.round((size.height - side) / 2 + (options.offsetY ?? 0) * size.height);
  return { x, y, width: side, height: side };
}

/**
 * The stand-in face "detector": one centred square (see {@link CenterSquareOptions}) in every image. Enrol and
 * recognise through the same locator so training crops and live crops match.
 */
export function centerSquareLocator(options: CenterSquareOptions = {}): FaceLocator {
  centerSquareBox({ width: 1, height: 1 }, options); // validates the options now, not on the first frame
  return (size) => [centerSquareBox(size, options)];
}

/** A locator that reports the whole image as one face (for images that are already face crops). */
export const wholeImageLocator: FaceLocator = (size) => [{ x: 0, y: 0, width: size.width, height: size.height }];
