// Splits of labelled data: stratified train/validation for the Trainer, and the one train/test split of datasets (Node and browser).
import { InvalidArgumentError } from '../errors/index.js';
import type { LabeledImage } from '../image/types.js';
import { createRandom, type Random } from '../random/index.js';

/** Indices of the training and validation samples. */
export interface IndexSplit {
  readonly train: number[];
  readonly validation: number[];
}

/**
 * Splits sample indices so that about `fraction` of each class's samples go to validation, at least one
 * when a class has two or more samples and never all of them. Deterministic for a given random source.
 */
export function stratifiedSplit(labels: ArrayLike<number>, fraction: number, random: Random): IndexSplit {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = byClass.get(labels[i]!) ?? [];
    list.push(i);
    byClass.set(labels[i]!, list);
  }
  const train: number[] = [];
  const validation: number[] = [];
  for (const cls of [...byClass.keys()].sort((a, b) => a - b)) {
    const indices = random.shuffle(byClass.get(cls)!.slice());
    let count = fraction > 0 && indices.length >= 2 ? Math.max(1, Math.round(indices.length * fraction)) : 0;
    count = Math.min(count, indices.length - 1);
    validation.push(...indices.slice(0, count));
    train.push(...indices.slice(count));
  }
  return { train: train.sort((a, b) => a - b), validation: validation.sort((a, b) => a - b) };
}

/** The seed of a train/test split when none is given, in Node's loaders and the browser's alike. */
export const DEFAULT_SPLIT_SEED = 1;

/** Indices of one person's training and test images, each ascending. */
export interface HoldOut {
  readonly train: number[];
  readonly test: number[];
}

/**
 * Holds out about `fraction` of a person's `count` images for testing: at least one when the person has two or
 * more, never all of them. The choice is random, seeded by `seed` and the person's `label` together, so it is the
 * same on every platform, and adding a person never reshuffles the others.
 */
export function holdOut(count: number, fraction: number, seed: number, label: string): HoldOut {
  const shuffled = createRandom((Math.floor(seed) ^ hashLabel(label)) >>> 0).shuffle(Array.from({ length: count }, (_, i) => i));
  const wanted = count >= 2 ? Math.max(1, Math.round(count * fraction)) : 0;
  const testCount = Math.max(0, Math.min(wanted, count - 1));
  return { train: shuffled.slice(testCount).sort((a, b) => a - b), test: shuffled.slice(0, testCount).sort((a, b) => a - b) };
}

/** A dataset split into training and test images. */
export interface DatasetSplit<I> {
  readonly train: LabeledImage<I>[];
  readonly test: LabeledImage<I>[];
}

/**
 * Puts about `testFraction` of each person's images into `test` with {@link holdOut} (each person's images in the
 * order given, as `loadImageFolder` and `loadLabeledFiles` list them); the rest go to `train`. Both keep the
 * dataset's order. The same dataset, fraction and seed give the same split as `loadImageFolder`'s
 * `{ type: 'fraction' }` split, on every platform.
 * @throws InvalidArgumentError when `testFraction` is not in [0, 1).
 */
export function splitDataset<I>(dataset: readonly LabeledImage<I>[], testFraction = 0.2, seed = DEFAULT_SPLIT_SEED): DatasetSplit<I> {
  if (!(testFraction >= 0 && testFraction < 1)) throw new InvalidArgumentError('testFraction', `must be in [0, 1), got ${String(testFraction)}`);
  const byPerson = new Map<string, number[]>();
  dataset.forEach((d, i) => byPerson.set(d.label, [...(byPerson.get(d.label) ?? []), i]));
  const inTest = new Set<number>();
  for (const [label, indices] of byPerson) for (const k of holdOut(indices.length, testFraction, seed, label).test) inTest.add(indices[k]!);
  return { train: dataset.filter((_, i) => !inTest.has(i)), test: dataset.filter((_, i) => inTest.has(i)) };
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
