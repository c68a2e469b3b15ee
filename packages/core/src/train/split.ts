// Stratified train/validation split: each person contributes the same fraction to validation.
import type { Random } from '../random/index.js';

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
