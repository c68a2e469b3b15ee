// Holds out part of each person's images for testing, so a browser user can see real accuracy.
import { createRandom, stratifiedSplit } from '@facerec/core';
import type { LabeledImage } from '@facerec/core';

/** A dataset split into training and test images. */
export interface DatasetSplit<I> {
  readonly train: LabeledImage<I>[];
  readonly test: LabeledImage<I>[];
}

/**
 * Puts about `testFraction` of each person's images into `test` (at least one when the person has two or
 * more, never all), chosen at random with `seed`; the rest go to `train`.
 */
export function splitDataset<I>(dataset: readonly LabeledImage<I>[], testFraction = 0.2, seed = 1): DatasetSplit<I> {
  const names = [...new Set(dataset.map((d) => d.label))];
  const index = new Map(names.map((n, i) => [n, i]));
  const { train, validation } = stratifiedSplit(dataset.map((d) => index.get(d.label)!), testFraction, createRandom(seed));
  return { train: train.map((i) => dataset[i]!), test: validation.map((i) => dataset[i]!) };
}
