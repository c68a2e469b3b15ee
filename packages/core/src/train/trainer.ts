// The training loop: batches, augmentation, optimizer steps, validation, schedules, early stopping.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { InvalidArgumentError, TrainingError, throwIfAborted } from '../errors/index.js';
import type { AbortSignalLike } from '../errors/index.js';
import { now } from '../clock.js';
import { softmaxCrossEntropy } from '../losses/index.js';
import { createHistory } from '../metrics/index.js';
import type { TrainingHistory } from '../metrics/index.js';
import { forwardLogits } from '../models/architectures.js';
import { augmentBatch } from '../preprocess/index.js';
import type { AugmentationConfig } from '../preprocess/index.js';
import { createRandom } from '../random/index.js';
import type { Random } from '../random/index.js';
import { createOptimizer } from './optimizers.js';
import type { OptimizerConfig, ParameterOptimizer } from './optimizers.js';
import { learningRateAt, validateSchedule } from './schedules.js';
import type { LearningRateSchedule } from './schedules.js';
import { WeightAverager } from './averaging.js';
import type { WeightAveragingConfig } from './averaging.js';
import { BestWeights, PatienceCounter } from './monitor.js';
import { stratifiedSplit } from './split.js';

/** Preprocessed training samples: images [N,H,W,C] and integer class labels. */
export interface TrainingData {
  readonly images: tf.Tensor4D;
  readonly labels: Int32Array;
}

/** Early stopping: stop when the monitored loss has not improved for `patience` epochs. */
export interface EarlyStoppingConfig {
  readonly patience: number;
  /** Smallest decrease that counts as an improvement. Default 1e-4. */
  readonly minDelta?: number;
  /** 'valLoss' (default when there is validation data) or 'loss'. */
  readonly monitor?: 'valLoss' | 'loss';
}

/** What one finished epoch reports. */
export interface EpochLog {
  /** 1-based. */
  readonly epoch: number;
  readonly epochs: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly valLoss?: number;
  readonly valAccuracy?: number;
  readonly learningRate: number;
  readonly seconds: number;
  readonly imagesPerSecond: number;
}

/** What one finished batch reports. */
export interface BatchLog {
  readonly epoch: number;
  readonly epochs: number;
  /** 1-based within the epoch. */
  readonly batch: number;
  readonly batches: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly learningRate: number;
}

/** Settings of a training run. Every field has a default except `numClasses`. */
export interface TrainerOptions {
  readonly numClasses: number;
  /** Default 30. */
  readonly epochs?: number;
  /** Default 32. */
  readonly batchSize?: number;
  /** Base learning rate. Default 1e-3. */
  readonly learningRate?: number;
  /** Default Adam. */
  readonly optimizer?: OptimizerConfig;
  /** Default constant. */
  readonly schedule?: LearningRateSchedule;
  /** Fraction of each person's images held out for validation (0 = none). Default 0. */
  readonly validationSplit?: number;
  /** Explicit validation data (overrides validationSplit). */
  readonly validationData?: TrainingData;
  /** Label smoothing ε for the cross-entropy. Default 0. */
  readonly labelSmoothing?: number;
  /** Random augmentation of every training batch; null/undefined = none. */
  readonly augmentation?: AugmentationConfig | null;
  /**
   * Applied to every training batch after augmentation and to the validation images before the model sees them,
   * e.g. the illumination and normalisation steps of a recipe when augmentation works on raw pixels. Must return
   * a new tensor of the same batch size without disposing its input.
   */
  readonly inputTransform?: (batch: tf.Tensor4D) => tf.Tensor4D;
  /** Default: none. */
  readonly earlyStopping?: EarlyStoppingConfig | null;
  /** Put back the weights of the best epoch (lowest monitored loss) at the end. Default true with validation. */
  readonly restoreBestWeights?: boolean;
  /**
   * Average the weights over the last steps (exponential moving average) and end with the average, which often
   * generalises better on small datasets. Replaces best-weights restoring (which must then not be asked for). Default: off.
   */
  readonly weightAveraging?: WeightAveragingConfig | null;
  /** Seed for shuffling, the validation split, augmentation and dropout. Default 1. */
  readonly seed?: number;
  /** Default true. */
  readonly shuffle?: boolean;
  /** Cancels training between batches; the promise then rejects with AbortError. */
  readonly signal?: AbortSignalLike;
  readonly onEpochEnd?: (log: EpochLog) => void | Promise<void>;
  /**
   * Called after every batch with its loss and accuracy. Without it the batch results stay on the device and are
   * read once per epoch (a NaN loss is then reported at the epoch's end); with it every step waits for a read,
   * which costs a GPU backend a round trip per step.
   */
  readonly onBatchEnd?: (log: BatchLog) => void | Promise<void>;
}

/** The outcome of {@link Trainer.fit}. */
export interface TrainingResult {
  readonly history: TrainingHistory;
  readonly epochsRun: number;
  /** Epoch (1-based) whose weights the model holds at the end. */
  readonly bestEpoch: number;
  readonly stoppedEarly: boolean;
  readonly seconds: number;
  /** Training images processed per second, averaged over the run. */
  readonly imagesPerSecond: number;
}

interface Resolved {
  numClasses: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerConfig;
  schedule: LearningRateSchedule;
  validationSplit: number;
  labelSmoothing: number;
  augmentation: AugmentationConfig | null;
  earlyStopping: EarlyStoppingConfig | null;
  restoreBestWeights: boolean | undefined;
  weightAveraging: WeightAveragingConfig | null;
  seed: number;
  shuffle: boolean;
}

function resolve(options: TrainerOptions): Resolved {
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(name, `must be a positive integer, got ${v}`);
    return v;
  };
  const learningRate = options.learningRate ?? 1e-3;
  if (!(learningRate > 0 && Number.isFinite(learningRate))) {
    throw new InvalidArgumentError('learningRate', `must be a positive number, got ${learningRate}`);
  }
  const validationSplit = options.validationSplit ?? 0;
  if (!(validationSplit >= 0 && validationSplit < 1)) {
    throw new InvalidArgumentError('validationSplit', `must be in [0, 1), got ${validationSplit}`);
  }
  if (options.earlyStopping) positiveInt('earlyStopping.patience', options.earlyStopping.patience);
  const decay = options.weightAveraging?.decay;
  if (decay !== undefined && !(decay > 0 && decay < 1)) {
    throw new InvalidArgumentError('weightAveraging.decay', `must be in (0, 1), got ${decay}`);
  }
  if (options.weightAveraging && options.restoreBestWeights) {
    throw new InvalidArgumentError('restoreBestWeights', 'cannot be combined with weightAveraging: both choose the final weights');
  }
  return {
    numClasses: positiveInt('numClasses', options.numClasses),
    epochs: positiveInt('epochs', options.epochs ?? 30),
    batchSize: positiveInt('batchSize', options.batchSize ?? 32),
    learningRate,
    optimizer: options.optimizer ?? { type: 'adam' },
    schedule: validateSchedule(options.schedule ?? { type: 'constant' }),
    validationSplit,
    labelSmoothing: options.labelSmoothing ?? 0,
    augmentation: options.augmentation ?? null,
    earlyStopping: options.earlyStopping ?? null,
    restoreBestWeights: options.restoreBestWeights,
    weightAveraging: options.weightAveraging ?? null,
    seed: options.seed ?? 1,
    shuffle: options.shuffle ?? true,
  };
}

interface BatchStats {
  lossSum: number;
  correct: number;
  count: number;
}

/** Dropout layers draw their masks from their `seed`; advancing it per step keeps runs repeatable. */
function reseedDropout(model: tfl.LayersModel, stepSeed: number): void {
  for (const layer of model.layers) {
    if (layer.getClassName() === 'Dropout') (layer as unknown as { seed?: number }).seed = stepSeed;
  }
}

/** Trains a classification model (logits → softmax cross-entropy) on in-memory tensors. */
export class Trainer {
  private readonly options: Resolved;

  constructor(
    private readonly model: tfl.LayersModel,
    private readonly settings: TrainerOptions,
  ) {
    this.options = resolve(settings);
  }

  /** Runs the training loop. The model's weights are updated in place. */
  async fit(data: TrainingData): Promise<TrainingResult> {
    const o = this.options;
    const n = data.labels.length;
    if (data.images.shape[0] !== n) {
      throw new InvalidArgumentError('data', `${data.images.shape[0]} images but ${n} labels`);
    }
    for (const label of data.labels) {
      if (!(label >= 0 && label < o.numClasses)) throw new InvalidArgumentError('data.labels', `label ${label} outside [0, ${o.numClasses})`);
    }
    const random = createRandom(o.seed);
    const splitRandom = random.fork();
    const shuffleRandom = random.fork();
    const augmentRandom = random.fork();
    const dropoutRandom = random.fork();

    let trainIdx = Array.from({ length: n }, (_, i) => i);
    let validation: TrainingData | undefined = this.settings.validationData;
    let ownedValidation: tf.Tensor | undefined;
    if (!validation && o.validationSplit > 0) {
      const split = stratifiedSplit(data.labels, o.validationSplit, splitRandom);
      trainIdx = split.train;
      if (split.validation.length > 0) {
        ownedValidation = tf.gather(data.images, split.validation);
        validation = { images: ownedValidation as tf.Tensor4D, labels: Int32Array.from(split.validation, (i) => data.labels[i]!) };
      }
    }
    if (trainIdx.length === 0) throw new InvalidArgumentError('data', 'no training images left after the validation split');

    const monitor = o.earlyStopping?.monitor ?? (validation ? 'valLoss' : 'loss');
    if (monitor === 'valLoss' && !validation) {
      throw new InvalidArgumentError('earlyStopping.monitor', '"valLoss" needs validationSplit > 0 or validationData');
    }
    const restoreBest = o.weightAveraging ? false : (o.restoreBestWeights ?? (validation !== undefined || o.earlyStopping !== null));

    const params = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
    const optimizer = createOptimizer(o.optimizer);
    const averager = o.weightAveraging ? new WeightAverager(this.model.weights.map((w) => w.read() as tf.Variable), o.weightAveraging.decay) : undefined;
    const history = createHistory();
    const batchesPerEpoch = Math.ceil(trainIdx.length / o.batchSize);
    const minDelta = o.earlyStopping?.minDelta ?? 1e-4;
    const best = new BestWeights(restoreBest);
    const patience = new PatienceCounter(minDelta);
    const plateau = new PatienceCounter(minDelta);
    let plateauFactor = 1;
    let stoppedEarly = false;
    let epochsRun = 0;
    let trainedImages = 0;
    const started = now();

    try {
      for (let epoch = 1; epoch <= o.epochs; epoch++) {
        throwIfAborted(this.settings.signal);
        const epochStart = now();
        const order = o.shuffle ? shuffleRandom.shuffle(trainIdx.slice()) : trainIdx;
        const stats: BatchStats = { lossSum: 0, correct: 0, count: 0 };
        // Without a per-batch callback the batch results stay on the device and are read once at the epoch's end:
        // a read is a CPU round trip that stalls a GPU's queue every step.
        const pending: PendingBatch[] = [];
        let learningRate = o.learningRate;
        try {
          for (let b = 0; b < batchesPerEpoch; b++) {
            throwIfAborted(this.settings.signal);
            const idx = order.slice(b * o.batchSize, (b + 1) * o.batchSize);
            const position = epoch - 1 + b / batchesPerEpoch;
            learningRate = learningRateAt(o.schedule, o.learningRate, position, o.epochs, plateauFactor);
            reseedDropout(this.model, dropoutRandom.int(2147483647));
            const batch = this.step(data, idx, params, optimizer, learningRate, augmentRandom);
            averager?.update();
            trainedImages += idx.length;
            if (!this.settings.onBatchEnd) {
              pending.push(batch);
              // Lets an abort (a signal handler, a timer) run between steps, as a read would have.
              if (this.settings.signal) await yieldToEventLoop();
              continue;
            }
            const [loss, correct] = await readBatches([batch]);
            tf.dispose([batch.loss, batch.correct]);
            checkFinite(loss[0]!, epoch, b + 1, learningRate);
            addBatch(stats, loss[0]!, correct[0]!, idx.length);
            await this.settings.onBatchEnd({
              epoch, epochs: o.epochs, batch: b + 1, batches: batchesPerEpoch,
              loss: loss[0]!, accuracy: correct[0]! / idx.length, learningRate,
            });
          }
          if (pending.length > 0) {
            const [losses, corrects] = await readBatches(pending);
            pending.forEach((batch, i) => {
              checkFinite(losses[i]!, epoch, i + 1, batch.learningRate);
              addBatch(stats, losses[i]!, corrects[i]!, batch.size);
            });
          }
        } finally {
          for (const batch of pending) tf.dispose([batch.loss, batch.correct]);
        }
        const val = validation ? await evaluateLoss(this.model, validation, o.batchSize, o.numClasses, this.settings.inputTransform) : undefined;
        const seconds = (now() - epochStart) / 1000;
        const log: EpochLog = {
          epoch, epochs: o.epochs,
          loss: stats.lossSum / stats.count, accuracy: stats.correct / stats.count,
          ...(val ? { valLoss: val.loss, valAccuracy: val.accuracy } : {}),
          learningRate, seconds, imagesPerSecond: stats.count / seconds,
        };
        history.epoch.push(epoch);
        history.loss.push(log.loss);
        history.accuracy.push(log.accuracy);
        history.valLoss.push(log.valLoss ?? Number.NaN);
        history.valAccuracy.push(log.valAccuracy ?? Number.NaN);
        history.learningRate.push(learningRate);
        history.seconds.push(seconds);
        epochsRun = epoch;

        const monitored = monitor === 'valLoss' ? log.valLoss! : log.loss;
        best.offer(monitored, epoch, params);
        const sinceImproved = patience.update(monitored);
        if (o.schedule.type === 'plateau' && plateau.update(monitored) >= o.schedule.patience) {
          plateauFactor *= o.schedule.factor;
          plateau.reset();
        }
        await this.settings.onEpochEnd?.(log);
        if (o.earlyStopping && sinceImproved >= o.earlyStopping.patience) {
          stoppedEarly = true;
          break;
        }
      }
      best.restore(params, epochsRun);
      averager?.apply();
    } finally {
      best.dispose();
      averager?.dispose();
      tf.dispose(ownedValidation);
      optimizer.dispose();
    }
    const seconds = (now() - started) / 1000;
    return {
      history, epochsRun,
      bestEpoch: restoreBest && best.epoch > 0 ? best.epoch : epochsRun,
      stoppedEarly, seconds, imagesPerSecond: trainedImages / seconds,
    };
  }

  /** One optimizer step on the samples `idx`; returns the batch loss and the number classified right, on the device. */
  private step(
    data: TrainingData, idx: number[], params: tf.Variable[], optimizer: ParameterOptimizer,
    learningRate: number, augmentRandom: Random,
  ): PendingBatch {
    const o = this.options;
    const model = this.model;
    const idxTensor = tf.tensor1d(idx, 'int32');
    let correctTensor: tf.Scalar | undefined;
    let lossTensor: tf.Scalar | undefined;
    let grads: tf.Tensor[] = [];
    try {
      grads = tf.tidy(() => {
        let x = tf.gather(data.images, idxTensor) as tf.Tensor4D;
        if (o.augmentation) x = augmentBatch(x, o.augmentation, augmentRandom);
        if (this.settings.inputTransform) x = this.settings.inputTransform(x);
        const y = tf.tensor1d(Int32Array.from(idx, (i) => data.labels[i]!), 'int32');
        const { value, grads: g } = tf.variableGrads(() => {
          const logits = forwardLogits(model, x, true) as tf.Tensor2D;
          let loss = softmaxCrossEntropy(y, logits, { labelSmoothing: o.labelSmoothing });
          // Per layer: the Sequential's own calculateLosses() is empty until predict() has built its inner model.
          const regularization = model.layers.flatMap((layer) => layer.calculateLosses());
          if (regularization.length > 0) loss = tf.add(loss, tf.addN(regularization)) as tf.Scalar;
          correctTensor = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32')) as tf.Scalar);
          return loss;
        }, params);
        lossTensor = tf.keep(value);
        return params.map((p) => g[p.name]!);
      });
      optimizer.step(params, grads, learningRate);
      return { loss: lossTensor!, correct: correctTensor!, size: idx.length, learningRate };
    } catch (error) {
      tf.dispose([lossTensor, correctTensor].filter((t): t is tf.Scalar => t !== undefined));
      throw error;
    } finally {
      tf.dispose([...grads, idxTensor]);
    }
  }
}

/** One finished step's results, still on the device: the batch loss and the number classified right. */
interface PendingBatch {
  readonly loss: tf.Scalar;
  readonly correct: tf.Scalar;
  readonly size: number;
  readonly learningRate: number;
}

/** Reads the losses and correct counts of `batches` with a single `data()` call. */
async function readBatches(batches: readonly PendingBatch[]): Promise<[Float32Array, Float32Array]> {
  const packed = tf.tidy(() => tf.stack([...batches.map((b) => b.loss), ...batches.map((b) => b.correct)]));
  try {
    const values = (await packed.data()) as Float32Array;
    return [values.subarray(0, batches.length), values.subarray(batches.length)];
  } finally {
    packed.dispose();
  }
}

function checkFinite(loss: number, epoch: number, batch: number, learningRate: number): void {
  if (!Number.isFinite(loss)) {
    throw new TrainingError(
      `the loss became ${loss} at epoch ${epoch}, batch ${batch}; lower the learning rate (now ${learningRate.toPrecision(3)}) or check the input data`,
    );
  }
}

function addBatch(stats: BatchStats, loss: number, correct: number, size: number): void {
  stats.lossSum += loss * size;
  stats.correct += correct;
  stats.count += size;
}

/** A macrotask turn (setImmediate where there is one): lets timers and signal handlers run without a device read. */
function yieldToEventLoop(): Promise<void> {
  type Schedule = (callback: () => void, ms?: number) => unknown;
  const timers = globalThis as { setImmediate?: Schedule; setTimeout?: Schedule };
  const schedule = timers.setImmediate ?? timers.setTimeout;
  return new Promise((resolve) => {
    if (schedule) schedule(resolve, 0);
    else resolve();
  });
}

/**
 * Mean loss and accuracy of `model` on `data` in inference mode, each batch passed through `transform` first when
 * given. Reads results with `data()` (never `dataSync`).
 */
export async function evaluateLoss(
  model: tfl.LayersModel, data: TrainingData, batchSize: number, numClasses: number,
  transform?: (batch: tf.Tensor4D) => tf.Tensor4D,
): Promise<{ loss: number; accuracy: number }> {
  const n = data.labels.length;
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const stats = tf.tidy(() => {
      const slice = tf.slice(data.images, [start, 0, 0, 0], [end - start, -1, -1, -1]);
      const x = transform ? transform(slice) : slice;
      const y = tf.tensor1d(data.labels.subarray(start, end), 'int32');
      const logits = forwardLogits(model, x, false) as tf.Tensor2D;
      if (logits.shape[1] !== numClasses) throw new InvalidArgumentError('model', `outputs ${logits.shape[1]} classes, expected ${numClasses}`);
      const loss = tf.mul(softmaxCrossEntropy(y, logits), end - start);
      const right = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32'));
      return tf.stack([loss, right]);
    });
    const values = await stats.data();
    stats.dispose();
    lossSum += values[0]!;
    correct += values[1]!;
  }
  return { loss: lossSum / n, accuracy: correct / n };
}
