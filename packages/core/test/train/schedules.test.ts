import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, createRandom, learningRateAt, stratifiedSplit, validateSchedule } from '@facerec/core';

describe('learningRateAt', () => {
  it('computes step, cosine (with warm-up) and plateau rates', () => {
    expect(learningRateAt({ type: 'constant' }, 0.1, 5, 10)).toBe(0.1);
    expect(learningRateAt({ type: 'step', everyEpochs: 3, factor: 0.5 }, 0.1, 6.5, 10)).toBeCloseTo(0.025);
    const cosine = { type: 'cosine', warmupEpochs: 2, minFactor: 0.1 } as const;
    expect(learningRateAt(cosine, 1, 1, 12)).toBeCloseTo(0.5);
    expect(learningRateAt(cosine, 1, 2, 12)).toBeCloseTo(1);
    expect(learningRateAt(cosine, 1, 7, 12)).toBeCloseTo(0.1 + 0.9 * 0.5);
    expect(learningRateAt(cosine, 1, 12, 12)).toBeCloseTo(0.1);
    expect(learningRateAt({ type: 'plateau', patience: 2, factor: 0.5, minFactor: 0.2 }, 1, 3, 10, 0.125)).toBe(0.2);
  });

  it('rejects bad schedules', () => {
    expect(() => validateSchedule({ type: 'step', everyEpochs: 0, factor: 0.5 })).toThrow(/schedule.everyEpochs/);
    expect(() => validateSchedule({ type: 'warp' } as never)).toThrow(InvalidArgumentError);
  });
});

describe('stratifiedSplit', () => {
  it('holds out the same fraction of every class, at least one, never all', () => {
    const labels = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 3];
    const { train, validation } = stratifiedSplit(labels, 0.2, createRandom(1));
    const count = (idx: number[], c: number) => idx.filter((i) => labels[i] === c).length;
    expect([0, 1, 2, 3].map((c) => count(validation, c))).toEqual([2, 1, 1, 0]);
    expect([0, 1, 2, 3].map((c) => count(train, c))).toEqual([8, 4, 1, 1]);
    expect([...train, ...validation].sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
  });

  it('is deterministic for a seed and varies with it', () => {
    const labels = Array.from({ length: 100 }, (_, i) => i % 5);
    const a = stratifiedSplit(labels, 0.3, createRandom(7));
    expect(stratifiedSplit(labels, 0.3, createRandom(7))).toEqual(a);
    expect(stratifiedSplit(labels, 0.3, createRandom(8)).validation).not.toEqual(a.validation);
  });

  it('keeps a single-sample class in training', () => {
    expect(stratifiedSplit([0, 1, 1], 0.5, createRandom(1)).validation.length).toBe(1);
  });
});
