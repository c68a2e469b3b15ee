// Shapes shared by the dataset loaders: options, split rules and results.
import type { LabeledImage, RawImage } from '@facerec/core';
import type { DecodeImageOptions } from '../image/decode.js';

/**
 * How each person's images are divided into train and test:
 * - `first`: the first `count` images (natural file-name order) train, the rest test;
 * - `fraction`: a seeded random `test` fraction of each person tests (at least one when the person
 *   has two or more images, never all; `seed` default 1, the same split as the browser's `splitDataset`);
 * - `none`: everything trains.
 */
export type ImageFolderSplit =
  | { readonly type: 'first'; readonly count: number }
  | { readonly type: 'fraction'; readonly test: number; readonly seed?: number }
  | { readonly type: 'none' };

/** A file the loader left out, and why. */
export interface SkippedFile {
  readonly file: string;
  readonly reason: string;
  /** True for an image file that could not be read or decoded (left out by `onCorrupt: 'skip'`). */
  readonly corrupt?: boolean;
}

/** Options of `loadImageFolder`. */
export interface ImageFolderOptions {
  /** Train/test split; default `{ type: 'none' }`. */
  readonly split?: ImageFolderSplit;
  /**
   * What corrupt images do: `error` (default) throws one InvalidImageError naming them all (every file is
   * decoded first, so one run lists every bad file); `skip` lists each in `skipped` with `corrupt: true`.
   */
  readonly onCorrupt?: 'error' | 'skip';
  /** Files read and decoded at once (default 8). */
  readonly concurrency?: number;
  /**
   * Drop people with fewer usable images (they are listed in `skipped`), like LFW's min_faces_per_person.
   * When set, empty person folders are dropped too instead of being an error.
   */
  readonly minImagesPerPerson?: number;
  /** Cancels loading with an AbortError. */
  readonly signal?: AbortSignal;
  /** Decoder limits (megapixels, JPEG memory). */
  readonly decode?: DecodeImageOptions;
}

/** A folder-per-person dataset, decoded and split. */
export interface ImageFolderDataset {
  /** The folder that was loaded, as given. */
  readonly root: string;
  /** Person names (folder names), in natural order. */
  readonly labels: string[];
  /** Training images, by person then file name; `source` is the file path. */
  readonly train: LabeledImage[];
  /** Test images, same order rules. */
  readonly test: LabeledImage[];
  /** Non-image, hidden or corrupt (with `onCorrupt: 'skip'`) files and dropped people. */
  readonly skipped: SkippedFile[];
  /** Images per person in each part. */
  readonly counts: Record<string, { train: number; test: number }>;
}

/** One decoded image and the file it came from. */
export interface SourcedImage {
  readonly source: string;
  readonly image: RawImage;
}
