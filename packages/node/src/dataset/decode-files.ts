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

/** How many corrupt files an error message lists by name before summing up the rest. */
const LISTED = 50;

/**
 * Decodes `files`; the result has one entry per file, undefined where a corrupt file was skipped
 * (and listed in `skipped` with `corrupt: true`, in input order). Every file is decoded even after a
 * corrupt one, so with `onCorrupt: 'error'` the InvalidImageError (naming the first file) lists them all.
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
        if (!(error instanceof InvalidImageError)) throw error;
        // The file is listed beside the reason, so drop the "Invalid image <file>: " prefix.
        reasons[index] = error.message.replace(`Invalid image ${error.source}: `, '');
        return undefined;
      }
    },
    options.signal,
  );
  const skipped: SkippedFile[] = [];
  reasons.forEach((reason, i) => {
    if (reason !== undefined) skipped.push({ file: files[i]!, reason, corrupt: true });
  });
  if (options.onCorrupt === 'error' && skipped.length > 0) throw corruptImagesError(skipped);
  return { images, skipped };
}

/** One error for all corrupt files: the first is its `source`, the message lists them all (up to {@link LISTED}). */
function corruptImagesError(corrupt: readonly SkippedFile[]): InvalidImageError {
  const [first, ...rest] = corrupt as [SkippedFile, ...SkippedFile[]];
  if (rest.length === 0) return new InvalidImageError(first.file, first.reason);
  const listed = rest.slice(0, LISTED - 1).map((s) => `\n  ${s.file}: ${s.reason}`).join('');
  const more = rest.length > LISTED - 1 ? `\n  ... and ${rest.length - (LISTED - 1)} more` : '';
  return new InvalidImageError(first.file, `${first.reason}; ${rest.length} more corrupt image(s):${listed}${more}`);
}
