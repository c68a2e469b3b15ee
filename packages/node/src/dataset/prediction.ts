// Loads the images named on a predict command line: files, or folders whose image files are taken in order.
import { stat } from 'node:fs/promises';
import { InvalidArgumentError } from '@facerec/core';
import type { DecodeImageOptions } from '../image/decode.js';
import { scanFlatFolder } from './flat-folder.js';
import { decodeFiles } from './decode-files.js';
import { checkOnCorrupt, positiveInt } from './options.js';
import type { SkippedFile, SourcedImage } from './types.js';

/** Options of `loadImagesForPrediction`. */
export interface PredictionImagesOptions {
  /** What a corrupt image does: `error` (default) throws InvalidImageError naming it; `skip` lists it. */
  readonly onCorrupt?: 'error' | 'skip';
  /** Files read and decoded at once (default 8). */
  readonly concurrency?: number;
  /** Cancels loading with an AbortError. */
  readonly signal?: AbortSignal;
  /** Decoder limits (megapixels, JPEG memory). */
  readonly decode?: DecodeImageOptions;
}

/**
 * Decodes the images at `paths`, in the given order. A folder stands for its image files (natural
 * order, not recursive; other files are listed in `skipped`). `source` of each image is its path.
 * @throws InvalidImageError naming a missing or corrupt file (unless `onCorrupt: 'skip'`);
 *   InvalidArgumentError when `paths` is empty.
 */
export async function loadImagesForPrediction(
  paths: readonly string[],
  options: PredictionImagesOptions = {},
): Promise<{ images: SourcedImage[]; skipped: SkippedFile[] }> {
  if (paths.length === 0) throw new InvalidArgumentError('paths', 'no image files given');
  const onCorrupt = checkOnCorrupt(options.onCorrupt);
  const concurrency = positiveInt('concurrency', options.concurrency, 8);
  const skipped: SkippedFile[] = [];
  const files: string[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(() => undefined);
    if (info?.isDirectory()) {
      const listed = await scanFlatFolder(p);
      files.push(...listed.files);
      skipped.push(...listed.skipped);
    } else {
      files.push(p); // a missing file fails (or is skipped) in decoding, with its name
    }
  }
  const decoded = await decodeFiles(files, { concurrency, onCorrupt, signal: options.signal, decode: options.decode });
  skipped.push(...decoded.skipped);
  const images: SourcedImage[] = [];
  decoded.images.forEach((image, i) => {
    if (image) images.push({ source: files[i]!, image });
  });
  return { images, skipped };
}
