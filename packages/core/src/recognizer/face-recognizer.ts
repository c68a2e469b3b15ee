// FaceRecognizer: the one obvious way in — fit on labelled faces (a CNN, or a head on a pretrained backbone), predict names, evaluate, save and load.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { InvalidArgumentError, ModelFormatError, throwIfAborted } from '../errors/index.js';
import type { FaceImage, LabeledImage } from '../image/types.js';
import { classificationReport } from '../metrics/index.js';
import type { ClassificationReport } from '../metrics/index.js';
import { createModel } from '../models/index.js';
import type { ArchitectureName } from '../models/index.js';
import { preprocessBatch } from '../preprocess/index.js';
import type { IlluminationStep, PreprocessingConfig } from '../preprocess/index.js';
import { finishPreprocessing, preprocessPixels } from '../preprocess/pipeline.js';
import { Trainer } from '../train/index.js';
import type { TrainingResult } from '../train/index.js';
import { VERSION } from '../version.js';
import { now } from '../clock.js';
import { landmarkSourceOf, type FacePipeline } from '../faces/pipeline.js';
import { checkWeightValues } from '../faces/model-checks.js';
import { EmbeddingClassifier } from './embedding-classifier.js';
import { cropLandmarksOf, headFace, landmarksOnCrop, onCrop, retryIlluminationStep, type CropLandmarks, type HeadFace } from './head-faces.js';
import { DEFAULT_TEXTURE_MATCHING, FACE_IN_SHADOW, TextureGallery, faceTexture, pixelSide, withoutPixelCodes, validateTextureMatching, type TextureMatching } from './face-texture.js';
import { DEFAULT_CNN_TEXTURE_MATCHING, framedFaces, fuseImageTextures, imageTextures } from './cnn-texture.js';
import { pixelCodesHold } from './pixel-code-check.js';
import { trainerOptions, type FitOptions } from './fit-options.js';
import { illuminationStep } from './illumination-default.js';
import { distinctLabels } from './labels.js';
import { METADATA_KEY, MODEL_FORMAT, validateMetadata } from './metadata.js';
import { loadWithMetadata, saveWithMetadata } from './metadata-io.js';
import type { BackboneInfo, ClassifierMetadata, EmbeddingHeadMetadata, HeadKind, RecognizerMetadata } from './metadata.js';
import { recognitionsFromProbabilities } from './probabilities.js';
import type { Recognition, ScoreKind } from './result.js';

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
  /**
   * Illumination normalisation of each resized face before `normalization` (see {@link IlluminationStep}).
   * Default `DEFAULT_ILLUMINATION` (Tan–Triggs, DoG σ 1/4): recognition keeps working when a face is lit from
   * one side (BENCHMARKS.md, lighting). A bare `'tan-triggs'` means the same parameters; other methods and
   * `{ method, ...parameters }` are recorded as given. With a step, `fit` augments pixels (default preset
   * `'lighting'`) and normalises each batch afterwards; `null` trains without one as facerec did before (preset
   * `'faces'` on normalised images). The step is saved with the model, every parameter spelled out, so predict
   * applies exactly it; models that recorded a bare method name keep that method's own defaults.
   */
  readonly illumination?: IlluminationStep | null;
  /**
   * Score below which `predict` answers unknown, on the {@link FaceRecognizer.scoreKind} scale. Default 0.5 for
   * probabilities; the embedder's calibrated threshold for a backbone's class means.
   */
  readonly threshold?: number;
  /** Seed for weight initialisation and training. Default 1. */
  readonly seed?: number;
  /**
   * Transfer learning for a few photos per person: a pretrained face pipeline (`loadFacePipeline()` from
   * `@facerec/node`) used as frozen backbone. `fit` then embeds each photo's main face once (the centre of a
   * photo in which no face is found: a face crop) and learns `head` on the embeddings instead of training a CNN;
   * `architecture`, `inputSize`, `channels`, `normalization` and `crop` are ignored. The caller owns (and
   * disposes) the pipeline.
   */
  readonly backbone?: FacePipeline;
  /**
   * With a `backbone`: `'class-mean'` (default; nearest normalised mean embedding, score = cosine similarity, best
   * for 1–5 photos per person) or `'softmax'` (a linear softmax layer trained on the embeddings, score =
   * probability).
   */
  readonly head?: HeadKind;
  /**
   * With a backbone and the class-mean head: the lighting-invariant texture match fused with the cosines (see
   * {@link TextureMatching}). Default {@link DEFAULT_TEXTURE_MATCHING}: faces half in shadow or lit from the side are
   * named far more often than by the embedding alone, normally lit ones as before (BENCHMARKS.md, lighting). The
   * training faces' textures are saved with the head (about 7.6 kB per photo; 3.8 kB with `'tan-triggs-lbp'`; with
   * crops of one geometry, their textures at the crop as well, 28 kB each with pixel codes and light subspaces), so
   * predict applies the same. `null`: cosines only. Refused with the softmax head.
   *
   * A trained CNN (no backbone) fuses the same match with its log-probabilities, reading each photo whole (its
   * centred square when wider than tall): faces lit from the side or half in shadow are named far more often than by
   * the CNN alone, normally lit ones as before (BENCHMARKS.md, lighting). Default {@link DEFAULT_CNN_TEXTURE_MATCHING};
   * the training photos' textures are saved with the model. A match with pixel codes keeps them only when they hold
   * on the training photos (relit, they are named by the codes at least as often as by the histograms; photos cut
   * alike, as a cropped-face dataset's); else the saved match has none, nor light subspaces. `null`: probabilities only, as facerec
   * answered before.
   */
  readonly texture?: TextureMatching | null;
  /**
   * With a backbone: how the head looks again at a photo in which the backbone finds no face (a face in deep
   * shadow, lit from the side): on a copy normalised by this step, `'clahe'` or `'equalize'` (see
   * {@link IlluminationStep}). Default `DEFAULT_RETRY_ILLUMINATION` (CLAHE, 4×4 tiles, clip limit 2): relit faces are
   * named more often (BENCHMARKS.md, lighting), and photos in which a face is found are read as before. Saved with
   * the head, so predict looks the same way; heads saved before it existed do not look again. `null`: no second look.
   * Refused without a backbone.
   */
  readonly retryIllumination?: IlluminationStep | null;
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
   * accuracy for most seeds. A CNN's texture match then takes, for each person, the nearer of the image's and its
   * mirror image's textures. Default true; ignored with a pretrained backbone.
   */
  readonly flip?: boolean;
}

/** Options of {@link FaceRecognizer.load}. */
export interface FaceRecognizerLoadOptions {
  /** Overrides the threshold saved with the model. */
  readonly threshold?: number;
  /** Names the model in errors when `source` is an IOHandler. Default "model". */
  readonly source?: string;
  /**
   * The pretrained pipeline a saved backbone head was fitted on (same embedder and landmark source, e.g.
   * `loadFacePipeline({ embedder: 'dlib' })`); required for such a model, refused for a trained CNN. The caller
   * owns (and disposes) it.
   */
  readonly backbone?: FacePipeline;
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

const HEADS: readonly HeadKind[] = ['class-mean', 'softmax'];

function checkThreshold(name: string, value: number, kind: ScoreKind): number {
  const low = kind === 'cosine' ? -1 : 0;
  if (!(value >= low && value <= 1)) throw new InvalidArgumentError(name, `must be ${kind === 'cosine' ? 'a cosine similarity' : 'a probability'} in [${low}, 1], got ${value}`);
  return value;
}

/** A positive integer option or its default. @throws InvalidArgumentError naming it otherwise. */
function checkTopK(value: number | undefined, fallback = 3): number {
  if (value === undefined) return fallback;
  if (!(Number.isInteger(value) && value >= 1)) throw new InvalidArgumentError('topK', `must be a positive integer, got ${String(value)}`);
  return value;
}

/** What a pipeline's embeddings are, as recorded with a head fitted on them. */
function backboneInfo(pipeline: FacePipeline): BackboneInfo {
  return { embedder: pipeline.embedder.spec.name, dimensions: pipeline.embedder.spec.dimensions, landmarks: landmarkSourceOf(pipeline) };
}

/**
 * Recognises the people it was trained on, in one of two ways: a CNN trained on face crops (the default), or, with
 * a pretrained `backbone`, a small head on the backbone's embeddings (a few photos per person are enough). Train
 * with {@link FaceRecognizer.fit}, then call {@link FaceRecognizer.predict}; both kinds save with
 * {@link FaceRecognizer.save} and load with {@link FaceRecognizer.load}.
 */
export class FaceRecognizer {
  /** The CNN, or the head's one-layer model. */
  private model: tfl.LayersModel | undefined;
  private metadata: RecognizerMetadata | undefined;
  private readonly options: FaceRecognizerOptions;
  private currentThreshold: number;
  /** Set with a backbone after fit/load: the head on the embeddings (owns `model`). */
  private head: EmbeddingClassifier | undefined;
  /** The training faces' textures a class-mean head fuses with its cosines, when it has them. */
  private textures: TextureGallery | undefined;
  /** Where the faces of a head's training crops were, for photos in which the backbone finds none. */
  private crop: CropLandmarks | undefined;
  /** A head's training textures read where its crops have their faces, for faces in shadow (`FACE_IN_SHADOW`): on a face half in shadow the detector's landmarks drift, while a cropped-face dataset aligned its faces once, in full light. */
  private cropTextures: TextureGallery | undefined;
  /** A head's second look at a photo without a found face (see {@link FaceRecognizerOptions.retryIllumination}). */
  private retry: IlluminationStep | undefined;
  /** Names the model in errors: the folder or URL it was loaded from. */
  private source = 'the trained model';

  constructor(options: FaceRecognizerOptions = {}) {
    this.options = options;
    if (options.head !== undefined && !HEADS.includes(options.head)) {
      throw new InvalidArgumentError('head', `must be 'class-mean' or 'softmax', got ${String(options.head)}`);
    }
    if (options.head !== undefined && !options.backbone) {
      throw new InvalidArgumentError('head', 'is a head on a pretrained backbone: give the backbone too (a FacePipeline)');
    }
    if (options.texture) {
      if (options.head === 'softmax') throw new InvalidArgumentError('texture', 'is matched by a trained CNN or the class-mean head on a backbone, not by a softmax head; give texture: null');
      validateTextureMatching(options.texture, 'texture');
    }
    if (options.retryIllumination !== undefined && !options.backbone) {
      throw new InvalidArgumentError('retryIllumination', 'is how a head on a pretrained backbone looks again at a photo without a found face: give the backbone too, or leave it out');
    }
    this.retry = options.backbone ? (retryIlluminationStep(options.retryIllumination) ?? undefined) : undefined;
    const pretrainedDefault = options.backbone && this.scoreKind === 'cosine' ? options.backbone.embedder.spec.threshold : 0.5;
    this.currentThreshold = checkThreshold('threshold', options.threshold ?? pretrainedDefault, this.scoreKind);
  }

  /**
   * What scores mean: `'probability'` (a CNN, or a softmax head on a backbone) or `'cosine'` (the class-mean head on
   * a backbone). The threshold is on the same scale.
   */
  get scoreKind(): ScoreKind {
    return this.options.backbone && this.options.head !== 'softmax' ? 'cosine' : 'probability';
  }

  /** People the recognizer knows, in class-index order (empty before fit/load). */
  get labels(): readonly string[] {
    return this.metadata?.labels ?? [];
  }

  /** Score below which a face is reported as unknown (on the {@link FaceRecognizer.scoreKind} scale). */
  get threshold(): number {
    return this.currentThreshold;
  }

  set threshold(value: number) {
    this.currentThreshold = checkThreshold('threshold', value, this.scoreKind);
  }

  /** The preprocessing applied to every image by a CNN (known after fit/load; undefined with a backbone). */
  get preprocessing(): PreprocessingConfig | undefined {
    return this.metadata && 'preprocessing' in this.metadata ? this.metadata.preprocessing : undefined;
  }

  /** The pretrained pipeline that embeds faces for the head, when there is one. */
  get backbone(): FacePipeline | undefined {
    return this.options.backbone;
  }

  /** The underlying tfjs-layers model (after fit/load): the CNN, or the head's one dense layer, for inspection or export. */
  get layersModel(): tfl.LayersModel | undefined {
    return this.model;
  }

  /** True once the recognizer has been trained or loaded. */
  get ready(): boolean {
    return this.model !== undefined;
  }

  /**
   * Learns the people of `dataset` (at least two). Replaces any previous model. A CNN: images are preprocessed once
   * up front, augmentation then varies them every batch. With a backbone: each photo is embedded once and the head
   * is learnt on the embeddings.
   */
  async fit(dataset: ReadonlyArray<LabeledImage<FaceImage>>, options: FitOptions = {}): Promise<TrainingResult> {
    if (!Array.isArray(dataset) || dataset.length === 0) throw new InvalidArgumentError('dataset', 'is empty');
    const labels = distinctLabels(dataset);
    if (labels.length < 2) throw new InvalidArgumentError('dataset', `has ${labels.length} person; recognition needs at least 2`);
    if (this.options.backbone) return this.fitHead(this.options.backbone, dataset, labels, options);
    const preprocessing: PreprocessingConfig = {
      inputSize: [...(this.options.inputSize ?? [64, 64])] as [number, number],
      channels: this.options.channels ?? 1,
      normalization: this.options.normalization ?? 'standardize',
      ...(this.options.crop ? { crop: this.options.crop } : {}),
    };
    const illumination = illuminationStep(this.options.illumination);
    if (illumination !== null) preprocessing.illumination = illumination;
    const architecture = this.options.architecture ?? 'seed-cnn';
    const seed = options.seed ?? this.options.seed ?? 1;
    const index = new Map(labels.map((l, i) => [l, i]));
    // Options are checked before any tensor exists, so a typo leaks nothing.
    // With an illumination step, augmentation changes the light on pixels, and each batch is then normalised
    // as predict will normalise it; without one, the images are normalised once up front as before.
    const pixelsFirst = preprocessing.illumination !== undefined;
    const settings = {
      ...trainerOptions(options, labels.length, seed, pixelsFirst ? 'lighting' : 'faces'),
      ...(pixelsFirst ? { inputTransform: (x: tf.Tensor4D) => finishPreprocessing(x, preprocessing) } : {}),
    };
    const sources = dataset.map((d) => d.image);
    const images = pixelsFirst ? preprocessPixels(sources, preprocessing) : preprocessBatch(sources, preprocessing);
    let model: tfl.LayersModel | undefined;
    let result: TrainingResult;
    let textures: TextureGallery | undefined;
    try {
      model = createModel(architecture, {
        inputShape: [preprocessing.inputSize[0], preprocessing.inputSize[1], preprocessing.channels],
        numClasses: labels.length,
        seed,
      });
      result = await new Trainer(model, settings).fit({ images, labels: Int32Array.from(dataset, (d) => index.get(d.label)!) });
      throwIfAborted(options.signal);
      textures = await this.cnnTextures(sources, dataset.map((d) => index.get(d.label)!), labels.length, preprocessing);
    } catch (error) {
      model?.dispose();
      throw error;
    } finally {
      images.dispose();
    }
    const last = result.history.loss.length - 1;
    const metadata: ClassifierMetadata = {
      // Version 1: every facerec reads a trained CNN.
      format: MODEL_FORMAT,
      formatVersion: 1,
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
      ...(textures ? { texture: textures.toSaved() } : {}),
    };
    this.replace(model, metadata, undefined, 'the trained model', textures);
    return result;
  }

  /**
   * The training photos' textures a CNN fuses with its probabilities (see {@link FaceRecognizerOptions.texture}), or
   * undefined with `texture: null`; pixel codes only when they hold on these photos ({@link pixelCodesHold}), whose
   * textures the check read are kept. The other photos go in batches of 64, so a large dataset never holds all crops
   * at once.
   */
  private async cnnTextures(images: readonly FaceImage[], people: readonly number[], count: number, preprocessing: PreprocessingConfig): Promise<TextureGallery | undefined> {
    if (this.options.texture === null) return undefined;
    let matching = this.options.texture ?? DEFAULT_CNN_TEXTURE_MATCHING;
    let read: ReadonlyMap<number, Float32Array> = new Map();
    if (pixelSide(matching) !== undefined) {
      const check = await pixelCodesHold(images, people, matching, (photos, size) => framedFaces(photos, preprocessing, size));
      if (check.holds) read = check.textures;
      else matching = withoutPixelCodes(matching);
    }
    const textures = images.map((_, i) => read.get(i));
    // The photos the check did not already read, in batches.
    const rest = textures.flatMap((t, i) => (t ? [] : [i]));
    for (let start = 0; start < rest.length; start += 64) {
      const batch = rest.slice(start, start + 64);
      const batchTextures = await imageTextures(batch.map((i) => images[i]!), preprocessing, matching);
      batch.forEach((i, k) => (textures[i] = batchTextures[k]));
    }
    return TextureGallery.fromTextures(matching, textures as Float32Array[], people, count);
  }

  /** Names the person in `image` (a face crop, or with a backbone any photo of one person), or answers unknown below the threshold. */
  async predict(image: FaceImage, options: PredictOptions = {}): Promise<Recognition> {
    const [recognition] = await this.predictBatch([image], options);
    return recognition!;
  }

  /** {@link FaceRecognizer.predict} for many images at once (a CNN runs one batched forward pass per 64 images). */
  async predictBatch(images: readonly FaceImage[], options: PredictOptions = {}): Promise<Recognition[]> {
    const threshold = checkThreshold('threshold', options.threshold ?? this.currentThreshold, this.scoreKind);
    const topK = checkTopK(options.topK);
    if (!Array.isArray(images)) throw new InvalidArgumentError('images', 'must be an array of images');
    const { model, metadata } = this.requireModel();
    if (this.head) {
      const embeddings: Float32Array[] = [];
      const faces: Float32Array[] = [];
      const galleries: TextureGallery[] = [];
      for (const image of images) {
        const face = await headFace(this.options.backbone!, image, this.crop, this.retry);
        embeddings.push(face.embedding);
        if (!this.textures) continue;
        const texture = await faceTexture(image, face.landmarks, this.textures.matching);
        if (this.cropTextures && this.crop && this.textures.shadowOf(texture) > FACE_IN_SHADOW) {
          // Read again as the crop textures code theirs (with pixel codes), at the crop's landmarks; a face the
          // detector did not find has those already.
          faces.push(await faceTexture(image, face.found ? landmarksOnCrop(image, this.crop) : face.landmarks, this.cropTextures.matching));
          galleries.push(this.cropTextures);
        } else {
          faces.push(texture);
          galleries.push(this.textures);
        }
      }
      return this.head.recognize(embeddings, { topK, threshold }, this.textures ? { faces, galleries } : undefined);
    }
    const { preprocessing } = metadata as ClassifierMetadata;
    const flip = options.flip ?? true;
    const out: Recognition[] = [];
    for (let start = 0; start < images.length; start += 64) {
      const chunk = images.slice(start, start + 64);
      const probs = tf.tidy(() => {
        const x = preprocessBatch(chunk, preprocessing);
        const p = model.predict(x) as tf.Tensor2D;
        // NHWC: axis 2 is the width, so this is each image's mirror image.
        return flip ? tf.mul(tf.add(p, model.predict(tf.reverse(x, 2)) as tf.Tensor2D), 0.5) : p;
      });
      let values: Float32Array;
      try {
        values = (await probs.data()) as Float32Array;
      } finally {
        probs.dispose();
      }
      if (this.textures) values = await fuseImageTextures(values, chunk, preprocessing, this.textures, flip);
      out.push(...recognitionsFromProbabilities(values, metadata.labels, topK, threshold, this.source, { offset: start, total: images.length }));
    }
    return out;
  }

  /** Scores the recognizer on labelled images of people it knows. */
  async evaluate(dataset: ReadonlyArray<LabeledImage<FaceImage>>, options: { threshold?: number; topK?: number; flip?: boolean } = {}): Promise<EvaluationReport> {
    const known = this.requireModel().metadata.labels;
    if (dataset.length === 0) throw new InvalidArgumentError('dataset', 'is empty');
    const index = new Map(known.map((l, i) => [l, i]));
    for (const d of dataset) {
      if (!index.has(d.label)) {
        throw new InvalidArgumentError('dataset', `person "${d.label}"${d.source ? ` (${d.source})` : ''} is not one the model was trained on`);
      }
    }
    const threshold = checkThreshold('threshold', options.threshold ?? this.currentThreshold, this.scoreKind);
    const k = known.length;
    const predictions = await this.predictBatch(dataset.map((d) => d.image), { threshold, topK: k, ...(options.flip !== undefined ? { flip: options.flip } : {}) });
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
   * Saves the model and facerec's metadata through a tfjs IOHandler or URL ('indexeddb://name', 'downloads://',
   * or a folder handler from @facerec/node). A CNN saves its layers; a backbone head saves as a one-layer model
   * (embedding in, a score per person out) whose metadata names the backbone's embedder and landmark source.
   */
  async save(destination: tf.io.IOHandler | string): Promise<tf.io.SaveResult> {
    const { model, metadata } = this.requireModel();
    return saveWithMetadata(model, destination, { [METADATA_KEY]: { ...metadata, threshold: this.currentThreshold } });
  }

  /**
   * Loads a recognizer saved by {@link FaceRecognizer.save}: a trained CNN, or a head on a pretrained backbone (give
   * that backbone as `options.backbone`).
   * @throws ModelFormatError when it is not a valid facerec model (its weights included: NaN or infinite values are
   *   refused); InvalidArgumentError naming `backbone` when a head's backbone is missing or makes other embeddings,
   *   or a backbone is given for a CNN.
   */
  static async load(source: tf.io.IOHandler | string, options: FaceRecognizerLoadOptions = {}): Promise<FaceRecognizer> {
    const name = typeof source === 'string' ? source : (options.source ?? 'model');
    let model: tfl.LayersModel;
    let saved: Record<string, unknown> | undefined;
    try {
      ({ model, metadata: saved } = await loadWithMetadata(source));
    } catch (error) {
      if (error instanceof ModelFormatError) throw error;
      throw new ModelFormatError(name, error instanceof Error ? error.message : String(error), { cause: error });
    }
    let head: EmbeddingClassifier | undefined;
    let textures: TextureGallery | undefined;
    let cropTextures: TextureGallery | undefined;
    try {
      const raw = saved?.[METADATA_KEY];
      const metadata = validateMetadata(raw, name);
      await checkWeightValues(model.weights.map((w) => ({ name: w.originalName, tensor: w.read() })), name);
      let recognizer: FaceRecognizer;
      if (metadata.architecture === 'embedding-head') {
        const backbone = checkBackbone(options.backbone, metadata, name);
        head = await EmbeddingClassifier.fromModel(model, metadata.head, metadata.labels, metadata.backbone, name);
        textures = metadata.texture === undefined ? undefined : TextureGallery.fromSaved(metadata.texture, metadata.labels.length, name);
        if (textures && metadata.head !== 'class-mean') throw new ModelFormatError(name, 'metadata.texture belongs to a class-mean head, not a softmax one');
        cropTextures = metadata.cropTexture === undefined ? undefined : TextureGallery.fromSaved(metadata.cropTexture, metadata.labels.length, name);
        if (cropTextures && !textures?.sameMatching(cropTextures)) throw new ModelFormatError(name, 'metadata.cropTexture must be coded as metadata.texture is');
        recognizer = new FaceRecognizer({
          backbone, head: metadata.head, threshold: options.threshold ?? metadata.threshold, texture: cropTextures?.matching ?? textures?.matching ?? null,
          retryIllumination: metadata.retryIllumination ?? null,
        });
      } else {
        await checkClassifier(model, metadata, name);
        if (options.backbone) {
          throw new InvalidArgumentError('backbone', `${name} is a CNN trained on face crops (${metadata.architecture}); it takes no backbone`);
        }
        textures = metadata.texture === undefined ? undefined : TextureGallery.fromSaved(metadata.texture, metadata.labels.length, name);
        recognizer = new FaceRecognizer({ threshold: options.threshold ?? metadata.threshold, texture: textures?.matching ?? null });
      }
      recognizer.replace(model, metadata, head, name, textures, cropTextures);
      return recognizer;
    } catch (error) {
      if (head) head.dispose();
      else model.dispose();
      throw error;
    }
  }

  /** Frees the model's tensors. The recognizer can be fitted or loaded again afterwards. */
  dispose(): void {
    if (this.head) this.head.dispose();
    else this.model?.dispose();
    this.model = undefined;
    this.metadata = undefined;
    this.head = undefined;
    this.textures = undefined;
    this.crop = undefined;
    this.cropTextures = undefined;
  }

  /** Installs a new model (and head), disposing the previous one. */
  private replace(model: tfl.LayersModel, metadata: RecognizerMetadata, head: EmbeddingClassifier | undefined, source: string, textures?: TextureGallery, cropTextures?: TextureGallery): void {
    this.dispose();
    this.model = model;
    this.metadata = metadata;
    this.head = head;
    this.source = source;
    this.textures = textures;
    this.crop = metadata.architecture === 'embedding-head' ? metadata.cropLandmarks : undefined;
    this.cropTextures = cropTextures;
  }

  /**
   * Few-shot fit on a frozen pretrained embedder: embeds every photo's main face once (the centre of a face crop
   * in which none is found), then learns class means or a softmax head (see {@link FaceRecognizerOptions.backbone}).
   * The history holds one entry: the accuracy of the head on its own training embeddings.
   */
  private async fitHead(backbone: FacePipeline, dataset: ReadonlyArray<LabeledImage<FaceImage>>, labels: readonly string[], options: FitOptions): Promise<TrainingResult> {
    const started = now();
    const kind = this.options.head ?? 'class-mean';
    const matching = kind === 'class-mean' && this.options.texture !== null ? (this.options.texture ?? DEFAULT_TEXTURE_MATCHING) : undefined;
    // Pixel codes only for the crop textures: faces at the detector's landmarks do not line up pixel for pixel.
    const landmarkMatching = matching && withoutPixelCodes(matching);
    // Two passes: when the photos are crops of one geometry (a cropped-face dataset whose darkest photos the detector
    // misses), photos without a found face, or with one far from the others', are read where the others' faces were.
    const read: HeadFace[] = [];
    for (const item of dataset) {
      throwIfAborted(options.signal);
      read.push(await headFace(backbone, item.image, undefined, this.retry));
    }
    const crop = cropLandmarksOf(dataset.map((d, i) => ({ image: d.image, face: read[i]! })));
    for (let i = 0; i < dataset.length && crop; i++) {
      throwIfAborted(options.signal);
      read[i] = await onCrop(backbone, dataset[i]!.image, read[i]!, crop);
    }
    const embeddings = read.map((f) => f.embedding);
    const faces: Float32Array[] = [];
    // In crops of one geometry each texture is also read where the crops have their faces, for faces in shadow.
    const cropFaces: Float32Array[] = [];
    for (let i = 0; i < dataset.length && matching; i++) {
      const image = dataset[i]!.image;
      faces.push(await faceTexture(image, read[i]!.landmarks, landmarkMatching!));
      if (crop) cropFaces.push(await faceTexture(image, landmarksOnCrop(image, crop), matching));
    }
    const info = backboneInfo(backbone);
    const head = await EmbeddingClassifier.fit(embeddings, dataset.map((d) => d.label), kind, info, { order: labels });
    const personOf = new Map(head.labels.map((l, i) => [l, i]));
    const people = dataset.map((d) => personOf.get(d.label)!);
    const textures = landmarkMatching ? TextureGallery.fromTextures(landmarkMatching, faces, people, head.labels.length) : undefined;
    const cropTextures = matching && crop ? TextureGallery.fromTextures(matching, cropFaces, people, head.labels.length) : undefined;
    let correct: number;
    try {
      const answers = await head.recognize(embeddings, { topK: 1, threshold: -1 }, textures ? { faces, galleries: faces.map(() => textures) } : undefined);
      correct = answers.filter((a, i) => a.candidates[0]!.label === dataset[i]!.label).length;
    } catch (error) {
      head.dispose();
      throw error;
    }
    const metadata: EmbeddingHeadMetadata = {
      format: MODEL_FORMAT,
      formatVersion: 2,
      library: VERSION,
      architecture: 'embedding-head',
      head: kind,
      backbone: info,
      labels: head.labels,
      threshold: this.currentThreshold,
      createdAt: new Date().toISOString(),
      ...(textures ? { texture: textures.toSaved() } : {}),
      ...(crop ? { cropLandmarks: crop.map(([x, y]) => [x, y] as const) } : {}),
      ...(cropTextures ? { cropTexture: cropTextures.toSaved() } : {}),
      ...(this.retry ? { retryIllumination: this.retry } : {}),
    };
    this.replace(head.model, metadata, head, 'the trained model', textures, cropTextures);
    const seconds = (now() - started) / 1000;
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

/** The pipeline a saved head needs: present, and making the embeddings the head was fitted on. */
function checkBackbone(backbone: FacePipeline | undefined, metadata: EmbeddingHeadMetadata, name: string): FacePipeline {
  const want = metadata.backbone;
  const described = `${want.embedder} (${want.dimensions}-d, ${want.landmarks} landmarks)`;
  if (!backbone) {
    throw new InvalidArgumentError('backbone', `${name} is a ${metadata.head} head on ${described} embeddings: load it with the pipeline that makes them, e.g. { backbone: await loadFacePipeline({ embedder: '${want.embedder}', mesh: ${want.landmarks === 'mesh'} }) }`);
  }
  const have = backboneInfo(backbone);
  if (have.embedder !== want.embedder || have.dimensions !== want.dimensions || have.landmarks !== want.landmarks) {
    throw new InvalidArgumentError('backbone', `makes ${have.embedder} (${have.dimensions}-d, ${have.landmarks} landmarks) embeddings, but ${name} was fitted on ${described} ones`);
  }
  return backbone;
}

/** A CNN's input and output must match its metadata's preprocessing and people. */
async function checkClassifier(model: tfl.LayersModel, metadata: ClassifierMetadata, name: string): Promise<void> {
  const outputs = (model.outputs[0]?.shape ?? []) as number[];
  if (outputs[outputs.length - 1] !== metadata.labels.length) {
    throw new ModelFormatError(name, `the model outputs ${outputs[outputs.length - 1]} classes but metadata lists ${metadata.labels.length} people`);
  }
  const [h, w] = metadata.preprocessing.inputSize;
  const input = model.inputs[0]?.shape ?? [];
  if (input[1] !== h || input[2] !== w || input[3] !== metadata.preprocessing.channels) {
    throw new ModelFormatError(name, `the model input [${input.slice(1)}] does not match preprocessing ${h}×${w}×${metadata.preprocessing.channels}`);
  }
  const dtype = model.inputs[0]?.dtype;
  if (dtype !== 'float32') throw new ModelFormatError(name, `the model input has dtype ${JSON.stringify(dtype)}; expected "float32"`);
  // A config can pass every shape check and still fail in tfjs at the first predict: run it once here, so a
  // broken file is a ModelFormatError at load and never a raw tfjs error later.
  let out: tf.Tensor | undefined;
  try {
    out = tf.tidy(() => model.predict(tf.zeros([1, h, w, metadata.preprocessing.channels])) as tf.Tensor);
  } catch (error) {
    throw new ModelFormatError(name, `the model cannot run: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const values = await out.data();
  out.dispose();
  if (values.length !== metadata.labels.length || !values.every(Number.isFinite)) {
    throw new ModelFormatError(name, `the model's output on a blank image is not ${metadata.labels.length} finite scores`);
  }
}
