// The per-epoch record of a training run, kept as parallel arrays so it plots and serialises directly.
/**
 * Per-epoch training history: entry i of every array belongs to epoch `epoch[i]`. Plain JSON.
 * Fields not measured in an epoch (e.g. validation without a validation set) hold NaN.
 */
export interface TrainingHistory {
  /** Epoch numbers. */
  epoch: number[];
  /** Mean training loss. */
  loss: number[];
  /** Training accuracy, 0..1. */
  accuracy: number[];
  /** Validation loss. */
  valLoss: number[];
  /** Validation accuracy, 0..1. */
  valAccuracy: number[];
  /** Learning rate used. */
  learningRate: number[];
  /** Wall-clock seconds the epoch took. */
  seconds: number[];
}

/** Returns an empty {@link TrainingHistory} (every array empty). */
export function createHistory(): TrainingHistory {
  return { epoch: [], loss: [], accuracy: [], valLoss: [], valAccuracy: [], learningRate: [], seconds: [] };
}
