// Epoch-level bookkeeping of the monitored loss: patience counters and the best weights seen so far.
import * as tf from '@tensorflow/tfjs-core';

/** Counts epochs since the monitored loss last improved by more than `minDelta`. */
export class PatienceCounter {
  private best = Infinity;
  private waited = 0;

  constructor(private readonly minDelta: number) {}

  /** Records this epoch's loss and returns how many epochs have passed without an improvement. */
  update(loss: number): number {
    if (loss < this.best - this.minDelta) {
      this.best = loss;
      this.waited = 0;
    } else {
      this.waited += 1;
    }
    return this.waited;
  }

  /** Starts the wait over (after acting on it, e.g. lowering the learning rate). */
  reset(): void {
    this.waited = 0;
  }
}

/** Keeps a copy of the weights of the epoch with the lowest monitored loss (when `enabled`). */
export class BestWeights {
  private loss = Infinity;
  private epochValue = 0;
  private snapshot: tf.Tensor[] | undefined;

  constructor(private readonly enabled: boolean) {}

  /** The 1-based epoch of the lowest loss so far, 0 before any. */
  get epoch(): number {
    return this.epochValue;
  }

  /** Remembers `params` if `loss` is the lowest so far. */
  offer(loss: number, epoch: number, params: readonly tf.Variable[]): void {
    if (!(loss < this.loss)) return;
    this.loss = loss;
    this.epochValue = epoch;
    if (!this.enabled) return;
    tf.dispose(this.snapshot);
    // Clones share storage with the variables' current values; optimizer steps assign new values, so the clones keep these.
    this.snapshot = params.map((p) => tf.clone(p));
  }

  /** Puts the remembered weights back unless they are the current ones. */
  restore(params: readonly tf.Variable[], lastEpoch: number): void {
    if (!this.snapshot || this.epochValue === lastEpoch) return;
    params.forEach((p, i) => p.assign(this.snapshot![i]!));
  }

  dispose(): void {
    tf.dispose(this.snapshot);
    this.snapshot = undefined;
  }
}
