// The training settings of FaceRecognizer.fit, documented with fit's own defaults, and their translation for the Trainer.
import { InvalidArgumentError } from '../errors/index.js';
import { augmentationPresets } from '../preprocess/index.js';
import type { AugmentationConfig } from '../preprocess/index.js';
import type { LearningRateSchedule, OptimizerConfig, TrainerOptions, WeightAveragingConfig } from '../train/index.js';

/**
 * Training settings for {@link FaceRecognizer.fit}: a recipe that works on small face sets (99% on ORL with 5 photos
 * per person, and faces lit from the side with the default illumination step). With a `backbone`, photos are embedded instead of training a CNN, and only `signal` applies.
 */
export interface FitOptions extends Pick<TrainerOptions, 'validationSplit' | 'earlyStopping' | 'seed' | 'shuffle' | 'signal' | 'onEpochEnd' | 'onBatchEnd'> {
  /** Passes over the training set. Default 60. */
  readonly epochs?: number;
  /** Images per step. Default 32. */
  readonly batchSize?: number;
  /** Base learning rate of the schedule. Default 2e-3. */
  readonly learningRate?: number;
  /** Default AdamW: `{ type: 'adam', weightDecay: 1e-4 }`. */
  readonly optimizer?: OptimizerConfig;
  /** Default cosine decay after two warm-up epochs: `{ type: 'cosine', warmupEpochs: 2 }`. */
  readonly schedule?: LearningRateSchedule;
  /** Label smoothing ε of the cross-entropy. Default 0.1. */
  readonly labelSmoothing?: number;
  /**
   * A config, the name of a preset (`'faces'`, `'lighting'`, `'harsh-light'`), or null for none. Default `'lighting'` when the
   * recipe has an illumination step (the default: augmentation then runs on pixels, before it), else `'faces'`.
   */
  readonly augmentation?: AugmentationConfig | keyof typeof augmentationPresets | null;
  /**
   * Average the weights over the last steps and end with the average: never worse and up to 1 point better on
   * ORL. Default `{ decay: 0.999 }` (about the last 10% of steps), or none (null) when validation is asked for
   * (`validationSplit`, `earlyStopping` or `restoreBestWeights`), which keeps the best epoch's weights instead.
   */
  readonly weightAveraging?: WeightAveragingConfig | null;
  /** Put back the weights of the best validation epoch at the end. Default true with validation. */
  readonly restoreBestWeights?: boolean;
}

/** `fit`'s defaults for the Trainer's settings. */
const DEFAULT_FIT = {
  epochs: 60,
  batchSize: 32,
  learningRate: 2e-3,
  labelSmoothing: 0.1,
  optimizer: { type: 'adam', weightDecay: 1e-4 },
  schedule: { type: 'cosine', warmupEpochs: 2 },
} as const satisfies Partial<TrainerOptions>;
const DEFAULT_AVERAGING: WeightAveragingConfig = { decay: 0.999 };

/** The augmentation `fit` asked for: a config, a preset's config, or null. @throws InvalidArgumentError for an unknown preset. */
function resolveAugmentation(value: FitOptions['augmentation'], fallback: keyof typeof augmentationPresets): AugmentationConfig | null {
  if (value === undefined) return augmentationPresets[fallback];
  if (typeof value !== 'string') return value;
  if (!Object.hasOwn(augmentationPresets, value)) {
    throw new InvalidArgumentError('augmentation', `unknown preset "${value}"; use one of ${Object.keys(augmentationPresets).join(', ')}`);
  }
  return augmentationPresets[value];
}

/**
 * The Trainer's options for `fit(…, options)` on `numClasses` people: fit's defaults under the caller's settings,
 * with `defaultAugmentation` when the caller names none. Checked before any tensor exists, so a typo leaks nothing.
 */
export function trainerOptions(
  options: FitOptions, numClasses: number, seed: number, defaultAugmentation: keyof typeof augmentationPresets = 'faces',
): TrainerOptions {
  const augmentation = resolveAugmentation(options.augmentation, defaultAugmentation);
  const validating = Boolean(options.validationSplit || options.earlyStopping || options.restoreBestWeights);
  const weightAveraging = options.weightAveraging !== undefined ? options.weightAveraging : validating ? null : DEFAULT_AVERAGING;
  // An option given as undefined keeps fit's default, not the Trainer's.
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as FitOptions;
  return { ...DEFAULT_FIT, ...given, weightAveraging, seed, augmentation, numClasses };
}
