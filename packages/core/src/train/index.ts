// Training: the Trainer, optimizers, schedules and data splits.
export { Trainer, evaluateLoss } from './trainer.js';
export type { BatchLog, EarlyStoppingConfig, EpochLog, TrainerOptions, TrainingData, TrainingResult } from './trainer.js';
export { createOptimizer } from './optimizers.js';
export type { OptimizerConfig, ParameterOptimizer } from './optimizers.js';
export { learningRateAt, validateSchedule } from './schedules.js';
export type { LearningRateSchedule } from './schedules.js';
export { DEFAULT_SPLIT_SEED, holdOut, splitDataset, stratifiedSplit } from './split.js';
export type { WeightAveragingConfig } from './averaging.js';
export type { DatasetSplit, HoldOut, IndexSplit } from './split.js';
