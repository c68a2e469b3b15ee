// FaceRecognizer: the one obvious way in — fit on labelled faces, predict names, evaluate, save and load.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { InvalidArgumentError, ModelFormatError, firstNonFinite, requireFinite, throwIfAborted } from '../errors/index.js';
import type { FaceImage, LabeledImage } from '../image/types.js';
import { classificationReport } from '../metrics/index.js';
import type { ClassificationReport } from '../metrics/index.js';
import { createModel } from '../models/index.js';
import type { ArchitectureName } from '../models/index.js';
import { augmentationPresets, preprocessBatch } from '../preprocess/index.js';
import type { AugmentationConfig, PreprocessingConfig } from '../preprocess/index.js';
import { Trainer } from '../train/index.js';
import type { TrainerOptions, TrainingResult } from '../train/index.js';
import { VERSION } from '../version.js';
import { now } from '../clock.js';
import type { FacePipeline } from '../faces/pipeline.js';
import { checkWeightValues } from '../faces/model-checks.js';
import { EmbeddingClassifier } from './embedding-classifier.js';
import { distinctLabels } from './labels.js';
import { recognitionOf, type Candidate, type Recognition, type ScoreKind } from './result.js';
import { METADATA_KEY, MODEL_FORMAT, MODEL_FORMAT_VERSION, validateMetadata } from './metadata.js';
import type { RecognizerMetadata } from './metadata.js';

/** How to build a recognizer. All fields are optional. */
export interface FaceRecognizerOptions {
  /** Default 'seed-cnn'. */
  readonly architecture?: ArchitectureName;
  /** Model input [height, width]. Default [64, 64]. */
  readonly inputSize?: readonly [number, number];
  /** 1 (grayscale, default) or 3 (RGB). */
  readonly channels?: 1 | 3;
  /** Default 'standardize' (per image), which makes the model indifferent to overall brightness. */
  readonly normalization?: PreprocessingConfig['normalization'];
  /** Optional centre crop applied before resizing. */
  readonly crop?: PreprocessingConfig['crop'];
  /** Confidence below which `predict` answers unknown. Default 0.5. */
  readonly threshold?: number;
  /** Seed for weight initialisation and training. Default 1. */
  readonly seed?: number;
  /**
   * Transfer learning for a few photos per person: a pretrained face pipeline (`loadFacePipeline()` from
   * `@facerec/node`) used as frozen backbone. `fit` then embeds each photo's main face once and learns
   * `head` on the embeddings instead of training the CNN; `architecture`, `inputSize`, `channels`,
   * `normalization` and `crop` are ignored. The caller owns (and disposes) the pipeline.
   */
  readonly backbone?: FacePipeline;
  /**
   * With a `backbone`: `'class-mean'` (default; nearest normalised mean embedding, confidence = cosine
   * similarity, best for 1–5 photos per person) or `'softmax'` (a linear softmax layer trained on the
   * embeddings, confidence = probability). The threshold defaults to the embedder's calibrated cosine
   * threshold for class means and 0.5 for softmax.
   */
  readonly head?: 'class-mean' | 'softmax';
}

/** Training settings for {@link FaceRecognizer.fit}; defaults are a recipe that works on small face sets. */
export interface FitOptions extends Omit<TrainerOptions, 'numClasses' | 'validationData' | 'augmentation'> {
  /** A config, the name of a preset ('faces'), or null for none. Default 'faces'. */
  readonly augmentation?: AugmentationConfig | keyof typeof augmentationPresets | null;
}

/** Options of {@link FaceRecognizer.predict}. */
export interface PredictOptions {
  /** Overrides the recognizer's threshold for this call. */
  readonly threshold?: number;
  /** Number of candidates to return. Default 3. */
  readonly topK?: number;
  /**
   * Average the probabilities of each image and its mirror image. Faces are close to symmetric and training
   * flips them, so this is a cheap second opinion (one more forward pass): on ORL it added 0.5–1 point of
   * accuracy for most seeds. Default true; ignored with a pretrained backbone.
   */
  readonly flip?: boolean;
}

/** Classification metrics on a labelled set plus how many faces fell below the threshold. */
export interface EvaluationReport extends ClassificationReport {
  readonly threshold: number;
  /** Fraction of images reported as unknown. */
  readonly unknownRate: number;
  /** Accuracy when unknown answers count as wrong. */
  readonly accuracyWithThreshold: number;
  /** One entry per image: file (when known), true person, best match (even when unknown) and its score. */
  readonly images: ReadonlyArray<{ source?: string; label: string; predicted: string; score: number; unknown: boolean }>;
}

const DEFAULT_FIT: Required<Pick<FitOptions, 'epochs' | 'batchSize' | 'learningRate' | 'labelSmoothing'>> & Pick<FitOptions, 'optimizer' | 'schedule'> = {
  epochs: 60,
  batchSize: 32,
  learningRate: 2e-3,
  labelSmoothing: 0.1,
  optimizer: { type: 'adam', weightDecay: 1e-4 },
  schedule: { type: 'cosine', warmupEpochs: 2 },
};
/** Ends on the average of the last ~10% of steps: never worse and up to 1 point better on ORL seeds. */
const DEFAULT_AVERAGING = { decay: 0.999 } as const;

function checkThreshold(name: string, value: number, kind: ScoreKind = 'probability'): number {
  const low = kind === 'cosine' ? -1 : 0;
  if (!(value >= low && value <= 1)) throw new InvalidArgumentError(name, `must be ${kind === 'cosine' ? 'a cosine similarity' : 'a probability'} in [${low}, 1], got ${value}`);
  return value;
}

/** The augmentation `fit` asked for: a config, a preset's config, or null. @throws InvalidArgumentError for an unknown preset. */
function resolveAugmentation(value: FitOptions['augmentation']): AugmentationConfig | null {
  if (value === undefined) return augmentationPresets.faces;
  if (typeof value !== 'string') return value;
  if (!Object.hasOwn(augmentationPresets, value)) {
    throw new InvalidArgumentError('augmentation', `unknown preset "${value}"; use one of ${Object.keys(augmentationPresets).join(', ')}`);
  }
  return augmentationPresets[value];
}

/** A positive integer option or its default. @throws InvalidArgumentError naming it otherwise. */
function checkTopK(value: number | undefined, fallback = 3): number {
  if (value === undefined) return fallback;
  if (!(Number.isInteger(value) && value >= 1)) throw new InvalidArgumentError('topK', `must be a positive integer, got ${String(value)}`);
  return value;
}

/**
 * Recognises the people it was trained on. Train with {@link FaceRecognizer.fit}, then call
 * {@link FaceRecognizer.predict}; save with {@link FaceRecognizer.save} and restore with {@link FaceRecognizer.load}.
 */
export class FaceRecognizer {
  private model: tfl.LayersModel | undefined;
  private metadata: RecognizerMetadata | undefined;
  private readonly options: FaceRecognizerOptions;
  private currentThreshold: number;
  /** Set after `fit` with a backbone: the few-shot classifier on pretrained embeddings. */
  private pretrained: EmbeddingClassifier | undefined;
  /** Names the model in errors: the folder or URL it was loaded from. */
  private source = 'the trained model';

  constructor(options: FaceRecognizerOptions = {}) {
    this.options = options;
    if (options.head !== undefined && options.head !== 'class-mean' && options.head !== 'softmax') {
      throw new InvalidArgumentError('head', `must be 'class-mean' or 'softmax', got ${String(options.head)}`);
    }
    const pretrainedDefault = options.backbone ? (options.head === 'softmax' ? 0.5 : options.backbone.embedder.spec.threshold) : 0.5;
    this.currentThreshold = checkThreshold('threshold', options.threshold ?? pretrainedDefault, this.scoreKind);
  }

  /**
   * What scores mean: `'probability'` (a CNN, or a softmax head on a backbone) or `'cosine'` (the class-mean
   * head on a backbone). The threshold is on the same scale.
   */
  get scoreKind(): ScoreKind {
    return this.options.backbone && this.options.head !== 'softmax' ? 'cosine' : 'probability';
  }

  /** People the recognizer knows, in class-index order (empty before fit/load). */
  get labels(): readonly string[] {
    return this.pretrained?.labels ?? this.metadata?.labels ?? [];
  }

  /** Score below which a face is reported as unknown (on the {@link FaceRecognizer.scoreKind} scale). */
  get threshold(): number {
    return this.currentThreshold;
  }

  set threshold(value: number) {
    this.currentThreshold = checkThreshold('threshold', value, this.scoreKind);
  }

  /** The preprocessing applied to every image (known after fit/load). */
  get preprocessing(): PreprocessingConfig | undefined {
    return this.metadata?.preprocessing;
  }

  /** The underlying tfjs-layers model (after fit/load), for inspection or export. */
  get layersModel(): tfl.LayersModel | undefined {
    return this.model;
  }

  /** True once the recognizer has been trained or loaded. */
  get ready(): boolean {
    return this.model !== undefined || this.pretrained !== undefined;
  }

  /**
   * Trains a new model on `dataset` (at least two people). Replaces any previous model. Images are
   * preprocessed once up front; augmentation then varies them every batch.
   */
  async fit(dataset: ReadonlyArray<LabeledImage<FaceImage>>, options: FitOptions = {}): Promise<TrainingResult> {
    if (!Array.isArray(dataset) || dataset.length === 0) throw new InvalidArgumentError('dataset', 'is empty');
    const labels = distinctLabels(dataset);
    if (labels.length < 2) throw new InvalidArgumentError('dataset', `has ${labels.length} person; recognition needs at least 2`);
    if (this.options.backbone) return this.fitPretrained(this.options.backbone, dataset, labels, options);
    const preprocessing: PreprocessingConfig = {
      inputSize: [...(this.options.inputSize ?? [64, 64])] as [number, number],
      channels: this.options.channels ?? 1,
      normalization: this.options.normalization ?? 'standardize',
      ...(this.options.crop ? { crop: this.options.crop } : {}),
    };
    const architecture = this.options.architecture ?? 'seed-cnn';
    const seed = options.seed ?? this.options.seed ?? 1;
    const index = new Map(labels.map((l, i) => [l, i]));
    // Options are checked before any tensor exists, so a typo leaks nothing.
    const augmentation = resolveAugmentation(options.augmentation);
    const images = preprocessBatch(dataset.map((d) => d.image), preprocessing);
    let model: tfl.LayersModel | undefined;
    let result: TrainingResult;
    try {
      model = createModel(architecture, {
        inputShape: [preprocessing.inputSize[0], preprocessing.inputSize[1], preprocessing.channels],
        numClasses: labels.length,
        seed,
      });
      // Averaging is the default only when the caller does not ask for validation-based best weights instead.
      const weightAveraging = options.weightAveraging !== undefined ? options.weightAveraging
        : options.validationSplit || options.earlyStopping || options.restoreBestWeights ? null : DEFAULT_AVERAGING;
      const trainer = new Trainer(model, { ...DEFAULT_FIT, ...options, weightAveraging, seed, augmentation, numClasses: labels.length });
      result = await trainer.fit({ images, labels: Int32Array.from(dataset, (d) => index.get(d.label)!) });
    } catch (error) {
      model?.dispose();
      throw error;
    } finally {
      images.dispose();
    }
    this.model?.dispose();
    this.model = model;
    this.source = 'the trained model';
    const last = result.history.loss.length - 1;
    this.metadata = {
      format: MODEL_FORMAT,
      formatVersion: MODEL_FORMAT_VERSION,
      library: VERSION,
      architecture,
      labels,
      preprocessing,
      threshold: this.currentThreshold,
      createdAt: new Date().toISOString(),
      training: {
        epochs: result.epochsRun,
        seconds: result.seconds,
        finalLoss: result.history.loss[last] ?? Number.NaN,
        finalAccuracy: result.history.accuracy[last] ?? Number.NaN,
        seed,
      },
    };
    return result;
  }

  /** Names the person in `image` (a face crop), or answers unknown below the threshold. */
  async predict(image: FaceImage, options: PredictOptions = {}): Promise<Recognition> {
    const [prediction] = await this.predictBatch([image], options);
    return prediction!;
  }

  /** {@link predict} for many images at once (one batched forward pass per 64 images). */
  async predictBatch(images: readonly FaceImage[], options: PredictOptions = {}): Promise<Recognition[]> {
    const threshold = checkThreshold('threshold', options.threshold ?? this.currentThreshold, this.scoreKind);
    const requestedTopK = checkTopK(options.topK);
    if (!Array.isArray(images)) throw new InvalidArgumentError('images', 'must be an array of images');
    if (this.pretrained) {
      const out: Recognition[] = [];
      for (const image of images) out.push(await this.pretrained.predict(image, { threshold, topK: requestedTopK }));
      return out;
    }
    const { model, metadata } = this.requireModel();
    const topK = Math.min(requestedTopK, metadata.labels.length);
    const flip = options.flip ?? true;
    const out: Recognition[] = [];
    for (let start = 0; start < images.length; start += 64) {
      const chunk = images.slice(start, start + 64);
      const probs = tf.tidy(() => {
        const x = preprocessBatch(chunk, metadata.preprocessing);
        const p = model.predict(x) as tf.Tensor2D;
        // NHWC: axis 2 is the width, so this is each image's mirror image.
        return flip ? tf.mul(tf.add(p, model.predict(tf.reverse(x, 2)) as tf.Tensor2D), 0.5) : p;
      });
      const values = await probs.data();
      probs.dispose();
      // NaN < threshold is false: a NaN probability would be answered with a name, so it is an error.
      const bad = firstNonFinite(values);
      if (bad >= 0) {
        const image = start + Math.floor(bad / metadata.labels.length);
        requireFinite(values, this.source, `class probabilities of image ${image}${images.length > 1 ? ` (of ${images.length})` : ''}`);
      }
      const k = metadata.labels.length;
      for (let i = 0; i < chunk.length; i++) {
        const row: Candidate[] = Array.from(values.subarray(i * k, (i + 1) * k), (score, c) => ({ label: metadata.labels[c]!, score }));
        row.sort((a, b) => b.score - a.score);
        out.push(recognitionOf(row.slice(0, topK), threshold, 'probability'));
      }
    }
    return out;
  }

  /** Scores the recognizer on labelled images of people it knows. */
  async evaluate(dataset: ReadonlyArray<LabeledImage<FaceImage>>, options: { threshold?: number; topK?: number; flip?: boolean } = {}): Promise<EvaluationReport> {
    const known = this.pretrained ? this.pretrained.labels : this.requireModel().metadata.labels;
    if (dataset.length === 0) throw new InvalidArgumentError('dataset', 'is empty');
    const index = new Map(known.map((l, i) => [l, i]));
    for (const d of dataset) {
      if (!index.has(d.label)) {
        throw new InvalidArgumentError('dataset', `person "${d.label}"${d.source ? ` (${d.source})` : ''} is not one the model was trained on`);
      }
    }
    const threshold = checkThreshold('threshold', options.threshold ?? this.currentThreshold, this.scoreKind);
    const k = known.length;
    const predictions = await this.predictBatch(dataset.map((d) => d.image), { threshold, topK: k, flip: options.flip });
    const scores = new Float32Array(dataset.length * k);
    predictions.forEach((p, i) => p.candidates.forEach((c) => { scores[i * k + index.get(c.label)!] = c.score; }));
    const yTrue = dataset.map((d) => index.get(d.label)!);
    const yPred = predictions.map((p) => index.get(p.candidates[0]!.label)!);
    const report = classificationReport({ yTrue, yPred, labels: known, scores, topK: [1, 3, 5].filter((t) => t <= k) });
    const unknown = predictions.filter((p) => p.unknown).length;
    const rightAndKnown = predictions.filter((p, i) => !p.unknown && yPred[i] === yTrue[i]).length;
    return {
      ...report,
      threshold,
      unknownRate: unknown / dataset.length,
      accuracyWithThreshold: rightAndKnown / dataset.length,
      images: dataset.map((d, i) => ({
        ...(d.source ? { source: d.source } : {}),
        label: d.label, predicted: predictions[i]!.candidates[0]!.label, score: predictions[i]!.score, unknown: predictions[i]!.unknown,
      })),
    };
  }

  /**
   * Saves the model and facerec's metadata through a tfjs IOHandler or URL ('indexeddb://name',
   * 'downloads://', or a folder handler from @facerec/node).
   */
  async save(destination: tf.io.IOHandler | string): Promise<tf.io.SaveResult> {
    if (this.pretrained) {
      throw new InvalidArgumentError('recognizer', 'was fitted on a pretrained backbone, which is not a tfjs model to save; keep people on a pretrained embedder in a Gallery (saveGallery) instead');
    }
    const { model, metadata } = this.requireModel();
    model.setUserDefinedMetadata({ [METADATA_KEY]: { ...metadata, threshold: this.currentThreshold } as unknown as Record<string, unknown> });
    return model.save(destination);
  }

  /**
   * Loads a model saved by {@link save}; throws ModelFormatError when it is not a valid facerec model
   * (its weights included: NaN or infinite values are refused). `options.source` names the model in
   * errors when `source` is an IOHandler (default "model").
   */
  static async load(source: tf.io.IOHandler | string, options: { threshold?: number; source?: string } = {}): Promise<FaceRecognizer> {
    const name = typeof source === 'string' ? source : (options.source ?? 'model');
    let model: tfl.LayersModel;
    try {
      model = await tfl.loadLayersModel(source);
    } catch (error) {
      if (error instanceof ModelFormatError) throw error;
      throw new ModelFormatError(name, error instanceof Error ? error.message : String(error), { cause: error });
    }
    try {
      const raw = (model.getUserDefinedMetadata() as Record<string, unknown> | undefined)?.[METADATA_KEY];
      const metadata = validateMetadata(raw, name);
      const outputs = (model.outputs[0]?.shape ?? []) as number[];
      if (outputs[outputs.length - 1] !== metadata.labels.length) {
        throw new ModelFormatError(name, `the model outputs ${outputs[outputs.length - 1]} classes but metadata lists ${metadata.labels.length} people`);
      }
      const [h, w] = metadata.preprocessing.inputSize;
      const input = model.inputs[0]?.shape ?? [];
      if (input[1] !== h || input[2] !== w || input[3] !== metadata.preprocessing.channels) {
        throw new ModelFormatError(name, `the model input [${input.slice(1)}] does not match preprocessing ${h}×${w}×${metadata.preprocessing.channels}`);
      }
      await checkWeightValues(model.weights.map((w) => ({ name: w.originalName, tensor: w.read() })), name);
      const recognizer = new FaceRecognizer({ threshold: options.threshold ?? metadata.threshold });
      recognizer.model = model;
      recognizer.metadata = metadata;
      recognizer.source = name;
      return recognizer;
    } catch (error) {
      model.dispose();
      throw error;
    }
  }

  /** Frees the model's tensors. The recognizer can be fitted or loaded again afterwards. */
  dispose(): void {
    this.model?.dispose();
    this.model = undefined;
    this.metadata = undefined;
    this.pretrained = undefined;
  }

  /**
   * Few-shot fit on a frozen pretrained embedder: embeds every photo's main face once, then learns class
   * means or a softmax head (see {@link FaceRecognizerOptions.backbone}). The history holds one entry: the
   * accuracy of the learnt classifier on its own training embeddings.
   */
  private async fitPretrained(backbone: FacePipeline, dataset: ReadonlyArray<LabeledImage<FaceImage>>, labels: readonly string[], options: FitOptions): Promise<TrainingResult> {
    const started = now();
    const method = this.options.head ?? 'class-mean';
    const classifier = new EmbeddingClassifier(backbone, { method, threshold: this.currentThreshold });
    const embeddings: Float32Array[] = [];
    for (const item of dataset) {
      throwIfAborted(options.signal);
      embeddings.push(await classifier.embed(item.image));
    }
    classifier.fitEmbeddings(embeddings, dataset.map((d) => d.label), labels);
    const correct = embeddings.filter((e, i) => classifier.predictEmbedding(e).candidates[0]!.label === dataset[i]!.label).length;
    const seconds = (now() - started) / 1000;
    this.model?.dispose();
    this.model = undefined;
    this.metadata = undefined;
    this.pretrained = classifier;
    return {
      history: { epoch: [1], loss: [Number.NaN], accuracy: [correct / dataset.length], valLoss: [], valAccuracy: [], learningRate: [], seconds: [seconds] },
      epochsRun: 1,
      bestEpoch: 1,
      stoppedEarly: false,
      seconds,
      imagesPerSecond: dataset.length / Math.max(seconds, 1e-9),
    };
  }

  private requireModel(): { model: tfl.LayersModel; metadata: RecognizerMetadata } {
    if (!this.model || !this.metadata) {
      throw new InvalidArgumentError('recognizer', 'has no model yet: call fit() or FaceRecognizer.load() first');
    }
    return { model: this.model, metadata: this.metadata };
  }
}
