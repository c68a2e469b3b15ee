// Exponential moving average of the weights over training steps (Polyak averaging), used as the final model.
import * as tf from '@tensorflow/tfjs-core';

/** Settings of weight averaging: `decay` close to 1 averages over about 1/(1−decay) steps. */
export interface WeightAveragingConfig {
  readonly decay: number;
}

/** Keeps a running average of `variables`; small step counts warm the decay up so early weights fade fast. */
export class WeightAverager {
  private readonly averages: tf.Variable[];
  private steps = 0;

  constructor(
    private readonly variables: readonly tf.Variable[],
    private readonly decay: number,
  ) {
    this.averages = variables.map((v) => tf.tidy(() => tf.variable(tf.clone(v), false)));
  }

  /** Folds the variables' current values into the average (call after each optimizer step). */
  update(): void {
    this.steps += 1;
    const d = Math.min(this.decay, (1 + this.steps) / (10 + this.steps));
    tf.tidy(() => {
      this.averages.forEach((avg, i) => avg.assign(tf.add(tf.mul(avg, d), tf.mul(this.variables[i]!, 1 - d))));
    });
  }

  /** Replaces the variables' values with their averages. */
  apply(): void {
    this.variables.forEach((v, i) => v.assign(this.averages[i]!));
  }

  dispose(): void {
    tf.dispose(this.averages);
  }
}
