// Divides one person's images into train and test according to an ImageFolderSplit.
import { DEFAULT_SPLIT_SEED, DatasetError, holdOut } from '@facerec/core';
import type { ImageFolderSplit } from './types.js';

/** Indices (into the person's naturally ordered images) of train and test images, each ascending. */
export interface PersonSplit {
  readonly train: number[];
  readonly test: number[];
}

/**
 * Splits `count` images of person `label` (folder `dir`, named in errors).
 * `fraction` is core's `holdOut` (seeded by (seed, label): adding a person never reshuffles the others, and
 * the browser's `splitDataset` splits the same images the same way).
 * @throws DatasetError naming `dir` when a `first` split leaves the person without test images.
 */
export function splitPerson(count: number, split: ImageFolderSplit, label: string, dir: string): PersonSplit {
  const all = Array.from({ length: count }, (_, i) => i);
  switch (split.type) {
    case 'none':
      return { train: all, test: [] };
    case 'first':
      if (count <= split.count) {
        throw new DatasetError(
          dir,
          `person "${label}" has ${count} image(s); split 'first' ${split.count} leaves no test images ` +
            `(use a smaller count, or minImagesPerPerson ${split.count + 1} to drop such people)`,
        );
      }
      return { train: all.slice(0, split.count), test: all.slice(split.count) };
    case 'fraction':
      return holdOut(count, split.test, split.seed ?? DEFAULT_SPLIT_SEED, label);
  }
}
