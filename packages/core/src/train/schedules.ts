// Learning-rate schedules, evaluated per step from the epoch position.
import { InvalidArgumentError } from '../errors/index.js';

/** How the learning rate changes over training. */
export type LearningRateSchedule =
  | { readonly type: 'constant' }
  | { readonly type: 'step'; readonly everyEpochs: number; readonly factor: number }
  | { readonly type: 'cosine'; readonly warmupEpochs?: number; readonly minFactor?: number }
  | { readonly type: 'plateau'; readonly patience: number; readonly factor: number; readonly minFactor?: number };

/** Checks a schedule's fields, naming the wrong one. */
export function validateSchedule(schedule: LearningRateSchedule): LearningRateSchedule {
  const positive = (name: string, v: number | undefined) => {
    if (v !== undefined && !(v > 0)) throw new InvalidArgumentError(`schedule.${name}`, `must be > 0, got ${v}`);
  };
  switch (schedule.type) {
    case 'constant':
      return schedule;
    case 'step':
      positive('everyEpochs', schedule.everyEpochs);
      positive('factor', schedule.factor);
      return schedule;
    case 'cosine':
      if (schedule.warmupEpochs !== undefined && !(schedule.warmupEpochs >= 0)) {
        throw new InvalidArgumentError('schedule.warmupEpochs', `must be ≥ 0, got ${schedule.warmupEpochs}`);
      }
      return schedule;
    case 'plateau':
      positive('patience', schedule.patience);
      positive('factor', schedule.factor);
      return schedule;
    default:
      throw new InvalidArgumentError('schedule.type', `unknown "${String((schedule as { type: unknown }).type)}"`);
  }
}

/**
 * The learning rate at fractional epoch `position` (0 at the start, `totalEpochs` at the end) for the
 * time-based schedules; 'plateau' is driven by the trainer and returns `base × plateauFactor`.
 */
export function learningRateAt(
  schedule: LearningRateSchedule,
  base: number,
  position: number,
  totalEpochs: number,
  plateauFactor = 1,
): number {
  switch (schedule.type) {
    case 'constant':
      return base;
    case 'step':
      return base * schedule.factor ** Math.floor(position / schedule.everyEpochs);
    case 'cosine': {
      const warmup = schedule.warmupEpochs ?? 0;
      const minFactor = schedule.minFactor ?? 0;
      if (position < warmup) return base * Math.max(position / warmup, 0.01);
      const progress = Math.min(1, (position - warmup) / Math.max(totalEpochs - warmup, 1e-9));
      return base * (minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
    case 'plateau':
      return base * Math.max(plateauFactor, schedule.minFactor ?? 0);
  }
}
