// Reads and decodes many image files concurrently, failing on or collecting the corrupt ones.
import { InvalidImageError, type RawImage } from '@facerec/core';
import type { DecodeImageOptions } from '../image/decode.js';
import { readImage } from '../image/files.js';
import { mapWithConcurrency } from './pool.js';
import type { SkippedFile } from './types.js';

/** Options of `decodeFiles`. */
export interface DecodeFilesOptions {
  readonly concurrency: number;
  readonly onCorrupt: 'error' | 'skip';
  readonly signal?: AbortSignal;
  readonly decode?: DecodeImageOptions;
}

/**
 * Decodes `files`; the result has one entry per file, undefined where a corrupt file was skipped
 * (and listed in `skipped`, in input order). With `onCorrupt: 'error'` the first InvalidImageError is thrown.
 */
export async function decodeFiles(
  files: readonly string[],
  options: DecodeFilesOptions,
): Promise<{ images: Array<RawImage | undefined>; skipped: SkippedFile[] }> {
  const reasons = new Array<string | undefined>(files.length);
  const images = await mapWithConcurrency(
    files,
    options.concurrency,
    async (file, index) => {
      try {
        return await readImage(file, options.decode);
      } catch (error) {
        if (options.onCorrupt === 'skip' && error instanceof InvalidImageError) {
          // The file is listed beside the reason, so drop the "Invalid image <file>: " prefix.
          reasons[index] = error.message.replace(`Invalid image ${error.source}: `, '');
          return undefined;
        }
        throw error;
      }
    },
    options.signal,
  );
  const skipped: SkippedFile[] = [];
  reasons.forEach((reason, i) => {
    if (reason !== undefined) skipped.push({ file: files[i]!, reason });
  });
  return { images, skipped };
}
