// Divides one person's images into train and test according to an ImageFolderSplit.
import { createRandom, DatasetError } from '@facerec/core';
import type { ImageFolderSplit } from './types.js';

/** Indices (into the person's naturally ordered images) of train and test images, each ascending. */
export interface PersonSplit {
  readonly train: number[];
  readonly test: number[];
}

/**
 * Splits `count` images of person `label` (folder `dir`, named in errors).
 * `fraction` seeds each person from (seed, label), so adding a person never reshuffles the others.
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
    case 'fraction': {
      const random = createRandom(((split.seed ?? 0) ^ hashLabel(label)) >>> 0);
      const shuffled = random.shuffle(all.slice());
      const wanted = count >= 2 ? Math.max(1, Math.round(count * split.test)) : 0;
      const testCount = Math.max(0, Math.min(wanted, count - 1));
      const test = shuffled.slice(0, testCount).sort((a, b) => a - b);
      const train = shuffled.slice(testCount).sort((a, b) => a - b);
      return { train, test };
    }
  }
}

/** FNV-1a over UTF-16 code units: a stable per-person seed component. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
