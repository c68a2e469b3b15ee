// FaceRecognizer.fit in a page: refuses a backend that cannot train, reports progress, keeps the page responsive.
import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '@facerec/core';
import type { BatchLog, FaceImage, FaceRecognizer, FitOptions, LabeledImage, TrainingResult } from '@facerec/core';
import { TRAINING_KERNEL } from '../backends/options.js';

/** Progress of {@link trainRecognizer}, after every batch. */
export interface TrainingProgress extends BatchLog {
  /** Fraction of all batches done, 0..1. */
  readonly fraction: number;
}

/** Options of {@link trainRecognizer}: core's fit options plus progress. */
export interface TrainRecognizerOptions extends FitOptions {
  /** Called after every batch (the page gets a chance to repaint right after). */
  readonly onProgress?: (progress: TrainingProgress) => void;
}

/** Lets the browser paint and handle input between batches. */
function yieldToBrowser(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (typeof scheduler?.yield === 'function') return scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Throws BackendError when the active tfjs backend has no kernels to train a CNN with. */
export function assertCanTrain(): void {
  const backend = tf.getBackend();
  if (tf.getKernel(TRAINING_KERNEL, backend) === undefined) {
    throw new BackendError(`the active backend "${backend}" cannot train (no ${TRAINING_KERNEL} kernel)`, [
      { backend, reason: `use initBackend('auto', { task: 'training' }), which picks WebGPU or CPU` },
    ]);
  }
}

/**
 * Trains `recognizer` on `dataset` with {@link FaceRecognizer.fit}, first checking that the active backend can
 * train, calling `onProgress` after every batch and yielding to the browser so the page stays responsive.
 * Cancel with `options.signal`.
 *
 * @throws BackendError when the active backend cannot train; whatever `fit` throws otherwise.
 */
export async function trainRecognizer(
  recognizer: FaceRecognizer,
  dataset: ReadonlyArray<LabeledImage<FaceImage>>,
  options: TrainRecognizerOptions = {},
): Promise<TrainingResult> {
  assertCanTrain();
  const { onProgress, onBatchEnd, ...fit } = options;
  return recognizer.fit(dataset, {
    ...fit,
    onBatchEnd: async (log) => {
      await onBatchEnd?.(log);
      onProgress?.({ ...log, fraction: ((log.epoch - 1) * log.batches + log.batch) / (log.epochs * log.batches) });
      await yieldToBrowser();
    },
  });
}
