// Gallery: enrolled people as embeddings; 1:N identification as one matrix product, 1:1 verification, save/load data.
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, ModelFormatError } from '../errors/index.js';
import { firstNonFinite, requireFinite } from '../errors/finite.js';
import { cosineSimilarity } from '../faces/embedder.js';
import type { DetectOptions } from '../faces/detector.js';
import { FacePipeline, landmarkSourceOf, type LandmarkSource } from '../faces/pipeline.js';
import type { PipelineImage } from '../image/scalable.js';
import { checkLabel, compareLabels } from '../recognizer/labels.js';
import { recognitionOf, type Candidate, type Recognition, type RecognizedFace, type ScoreKind } from '../recognizer/result.js';
import { EmbeddingStore } from './store.js';

/** Result of {@link Gallery.verify}. */
export interface VerifyResult {
  /** Cosine similarity of the two faces. */
  readonly score: number;
  /** `score ≥ threshold`. */
  readonly same: boolean;
  readonly threshold: number;
}

/** Options of {@link Gallery.identify}. */
export interface IdentifyOptions extends DetectOptions {
  /** Candidates per face. Default 3. */
  readonly topK?: number;
  /** Overrides the gallery's threshold for this call. */
  readonly threshold?: number;
}

/** What a gallery needs to describe itself when saved. */
export interface GalleryInfo {
  /** Embedder name; a gallery only compares embeddings of the same embedder. */
  readonly embedder: string;
  readonly dimensions: number;
  readonly threshold: number;
  /**
   * Where the landmarks that aligned the enrolled faces came from: the face mesh or the detector (presets
   * `default` and `fast` share an embedder but not this). Absent when unknown (embeddings enrolled directly,
   * galleries saved before it was recorded).
   */
  readonly landmarks?: LandmarkSource;
}

/** The saved form of a gallery: a JSON-able index and the embedding rows. */
export interface GalleryData {
  readonly index: GalleryIndex;
  /** `[rows, dimensions]` row-major float32. */
  readonly embeddings: Float32Array;
}

/** The versioned JSON index of a saved gallery. */
export interface GalleryIndex extends GalleryInfo {
  readonly format: typeof GALLERY_FORMAT;
  readonly formatVersion: typeof GALLERY_FORMAT_VERSION;
  /** Label of each row of the embedding file, in order. */
  readonly rows: readonly string[];
}

/** `format` field of a saved gallery index. */
export const GALLERY_FORMAT = 'facerec-gallery';
/** Current version of the saved gallery index. */
export const GALLERY_FORMAT_VERSION = 1;

function checkThreshold(value: number): number {
  if (!(value >= -1 && value <= 1)) throw new InvalidArgumentError('threshold', `must be a cosine similarity in [-1, 1], got ${value}`);
  return value;
}

function checkTopK(value: number | undefined): number {
  const topK = value ?? 3;
  if (!(Number.isInteger(topK) && topK >= 1)) throw new InvalidArgumentError('topK', `must be a positive integer, got ${String(topK)}`);
  return topK;
}


/**
 * People you enrol, each with one or more face embeddings. `identify` names every face in a photo (or
 * answers {@link UNKNOWN}), `verify` compares two photos. Scores are cosine similarities: a person's score
 * is the best similarity to any of their embeddings. Identification against N embeddings is one `[faces × N]`
 * matrix product; the matrix lives on the backend and is uploaded again only after a change.
 */
export class Gallery {
  private readonly store: EmbeddingStore;
  private cached: { version: number; tensor: tf.Tensor2D } | undefined;
  private currentThreshold: number;
  readonly embedderName: string;
  /** Scores are cosine similarities (−1..1). */
  readonly scoreKind: ScoreKind = 'cosine';
  /** Landmark source of the pipeline the gallery was built with, when known. */
  readonly landmarks: LandmarkSource | undefined;

  /**
   * @param pipeline - Detects and embeds faces for image inputs; may be omitted when only embeddings are used.
   * @param info - Embedder name, dimensions and threshold; default the pipeline's embedder.
   */
  constructor(private readonly pipeline?: FacePipeline, info?: Partial<GalleryInfo>) {
    const spec = pipeline?.embedder.spec;
    const dimensions = info?.dimensions ?? spec?.dimensions;
    const embedder = info?.embedder ?? spec?.name;
    if (dimensions === undefined || embedder === undefined) throw new InvalidArgumentError('info', 'give a pipeline or the embedder name and dimensions');
    if (spec && (spec.name !== embedder || spec.dimensions !== dimensions)) {
      throw new InvalidArgumentError('info', `gallery holds ${embedder} (${dimensions}-d) embeddings but the pipeline makes ${spec.name} (${spec.dimensions}-d)`);
    }
    this.embedderName = embedder;
    this.landmarks = info?.landmarks ?? (pipeline ? landmarkSourceOf(pipeline) : undefined);
    this.store = new EmbeddingStore(dimensions);
    this.currentThreshold = checkThreshold(info?.threshold ?? spec?.threshold ?? 0.5);
  }

  /** Cosine similarity at or above which a face is the enrolled person. */
  get threshold(): number {
    return this.currentThreshold;
  }

  set threshold(value: number) {
    this.currentThreshold = checkThreshold(value);
  }

  /** Embedding length. */
  get dimensions(): number {
    return this.store.dimensions;
  }

  /** Number of enrolled embeddings. */
  get size(): number {
    return this.store.size;
  }

  /** Enrolled people, in {@link compareLabels} order. */
  labels(): string[] {
    return [...new Set(this.store.labels)].sort(compareLabels);
  }

  /**
   * Adds face embeddings of `label`. Images are detected and embedded (their main face); an image with
   * no face is reported in the result and skipped. Existing embeddings are kept.
   * @returns How many embeddings were added and which inputs had no face (by position).
   */
  async enroll(label: string, inputs: ReadonlyArray<PipelineImage | Float32Array>, options: DetectOptions = {}): Promise<{ added: number; noFace: number[] }> {
    checkLabel(label, 'label');
    const noFace: number[] = [];
    let added = 0;
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i]!;
      let embedding: Float32Array | undefined;
      if (input instanceof Float32Array) embedding = normalized(input);
      else embedding = this.fromPipeline((await this.requirePipeline().embedMainFace(input, options))?.embedding);
      if (embedding === undefined) {
        noFace.push(i);
        continue;
      }
      this.store.add(label, embedding);
      added++;
    }
    return { added, noFace };
  }

  /** Removes `label` and all its embeddings; returns whether it was enrolled. */
  remove(label: string): boolean {
    return this.store.remove(label) > 0;
  }

  /** Names every face in `image`. */
  async identify(image: PipelineImage, options: IdentifyOptions = {}): Promise<RecognizedFace[]> {
    // Match options are checked before the (slow) detection, not after it.
    checkTopK(options.topK);
    if (options.threshold !== undefined) checkThreshold(options.threshold);
    const faces = await this.requirePipeline().embedFaces(image, options);
    const matches = await this.match(faces.map((f) => this.fromPipeline(f.embedding)!), options);
    return faces.map((f, i) => ({ box: f.box, landmarks: f.landmarks, detectionScore: f.score, ...matches[i]! }));
  }

  /**
   * Matches L2-normalised embeddings against the gallery: one matrix product for all of them, then the
   * best score per person. Asynchronous because the scores are read back from the backend (a GPU's memory
   * cannot be read synchronously everywhere). An empty gallery answers unknown with score −1 and no candidates.
   */
  async match(embeddings: readonly Float32Array[], options: Pick<IdentifyOptions, 'topK' | 'threshold'> = {}): Promise<Recognition[]> {
    const topK = checkTopK(options.topK);
    const threshold = options.threshold === undefined ? this.currentThreshold : checkThreshold(options.threshold);
    if (!Array.isArray(embeddings)) throw new InvalidArgumentError('embeddings', 'must be an array of Float32Array');
    const d = this.dimensions;
    embeddings.forEach((e, i) => {
      if (!(e instanceof Float32Array) || e.length !== d) throw new InvalidArgumentError(`embeddings[${i}]`, `has ${String(e?.length)} values, the gallery holds ${d}-d embeddings`);
      // A NaN query scores NaN against everyone, and NaN compares as neither better nor worse than a name.
      if (firstNonFinite(e) >= 0) throw new InvalidArgumentError(`embeddings[${i}]`, 'holds NaN or infinite values');
    });
    if (embeddings.length === 0) return [];
    if (this.store.size === 0) return embeddings.map(() => recognitionOf([], threshold, this.scoreKind));
    const queries = new Float32Array(embeddings.length * d);
    embeddings.forEach((e, i) => queries.set(e, i * d));
    const matrix = this.matrixTensor();
    const scores = tf.tidy(() => tf.matMul(tf.tensor2d(queries, [embeddings.length, d]), matrix, false, true));
    let values: Float32Array;
    try {
      values = (await scores.data()) as Float32Array;
    } finally {
      scores.dispose();
    }
    requireFinite(values, `the ${this.embedderName} gallery`, 'similarity scores');
    const n = this.store.size;
    const ids = this.store.ids;
    const names = this.store.labelNames;
    const best = new Float32Array(names.length);
    return embeddings.map((_, q) => {
      // Best score per person in one pass over the row scores, then a small top-k selection.
      best.fill(-Infinity);
      for (let r = 0; r < n; r++) {
        const s = values[q * n + r]!;
        const id = ids[r]!;
        if (s > best[id]!) best[id] = s;
      }
      return recognitionOf(topCandidates(best, names, topK), threshold, this.scoreKind);
    });
  }

  /** Compares the main faces of two images (or two embeddings). @throws InvalidArgumentError when an image has no face. */
  async verify(a: PipelineImage | Float32Array, b: PipelineImage | Float32Array, options: Pick<IdentifyOptions, 'threshold'> & DetectOptions = {}): Promise<VerifyResult> {
    const threshold = options.threshold === undefined ? this.currentThreshold : checkThreshold(options.threshold);
    const [ea, eb] = await Promise.all([this.embedOne(a, 'a', options), this.embedOne(b, 'b', options)]);
    const score = cosineSimilarity(ea, eb);
    // NaN >= threshold is false: a NaN score would say "different" about anyone.
    requireFinite([score], `the ${this.embedderName} embedder`, 'similarity score');
    return { score, same: score >= threshold, threshold };
  }

  /** The gallery as a JSON index and a float32 matrix (what `saveGallery` writes). */
  toData(): GalleryData {
    return {
      index: {
        format: GALLERY_FORMAT,
        formatVersion: GALLERY_FORMAT_VERSION,
        embedder: this.embedderName,
        dimensions: this.dimensions,
        threshold: this.currentThreshold,
        ...(this.landmarks !== undefined ? { landmarks: this.landmarks } : {}),
        rows: [...this.store.labels],
      },
      embeddings: this.store.matrix().slice(),
    };
  }

  /**
   * Rebuilds a gallery from {@link Gallery.toData}'s output. The pipeline, when given, must make the same
   * embeddings (same embedder name and size).
   * @throws ModelFormatError naming `source` when the data is malformed or from another format version.
   */
  static fromData(data: { index: unknown; embeddings: Float32Array }, pipeline?: FacePipeline, source = 'gallery'): Gallery {
    const index = validateGalleryIndex(data.index, source);
    if (data.embeddings.length !== index.rows.length * index.dimensions) {
      throw new ModelFormatError(source, `embedding file holds ${data.embeddings.length} values, the index needs ${index.rows.length} × ${index.dimensions}`);
    }
    const gallery = new Gallery(pipeline, index);
    index.rows.forEach((label, r) => gallery.store.add(label, data.embeddings.subarray(r * index.dimensions, (r + 1) * index.dimensions)));
    return gallery;
  }

  /** Frees the cached matrix tensor (not the pipeline, which the caller owns). */
  dispose(): void {
    this.cached?.tensor.dispose();
    this.cached = undefined;
  }

  private matrixTensor(): tf.Tensor2D {
    if (this.cached?.version !== this.store.version) {
      this.cached?.tensor.dispose();
      this.cached = { version: this.store.version, tensor: tf.tensor2d(this.store.matrix(), [this.store.size, this.dimensions]) };
    }
    return this.cached.tensor;
  }

  private requirePipeline(): FacePipeline {
    if (!this.pipeline) throw new InvalidArgumentError('pipeline', 'this gallery has no FacePipeline, so it only accepts embeddings');
    return this.pipeline;
  }

  private async embedOne(input: PipelineImage | Float32Array, name: string, options: DetectOptions): Promise<Float32Array> {
    if (input instanceof Float32Array) return normalized(input);
    const face = await this.requirePipeline().embedMainFace(input, options);
    if (!face) throw new InvalidArgumentError(name, 'no face found in the image');
    return this.fromPipeline(face.embedding)!;
  }

  /**
   * Checks an embedding the pipeline made: NaN there comes from broken weights or a broken input, and
   * would match nobody (or, compared with `<`, anybody), so it is a NumericError, never an answer.
   */
  private fromPipeline(embedding: Float32Array | undefined): Float32Array | undefined {
    if (embedding) requireFinite(embedding, `the ${this.embedderName} embedder`, 'face embedding');
    return embedding;
  }
}

/** The `k` best finite scores with their labels, best first (insertion into a k-long sorted list). */
function topCandidates(best: Float32Array, names: readonly string[], k: number): Candidate[] {
  const top: Candidate[] = [];
  for (let id = 0; id < best.length; id++) {
    const score = best[id]!;
    if (score === -Infinity || (top.length >= k && score <= top[top.length - 1]!.score)) continue;
    let at = top.length;
    while (at > 0 && top[at - 1]!.score < score) at--;
    top.splice(at, 0, { label: names[id]!, score });
    if (top.length > k) top.pop();
  }
  return top;
}

function normalized(e: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < e.length; i++) s += e[i]! * e[i]!;
  const n = Math.sqrt(s);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('embedding', 'is zero or not finite');
  return Float32Array.from(e, (v) => v / n);
}

/** Checks a parsed gallery index; throws ModelFormatError naming `source` and the problem. */
export function validateGalleryIndex(value: unknown, source: string): GalleryIndex {
  const v = value as Partial<GalleryIndex> | null;
  if (v === null || typeof v !== 'object' || v.format !== GALLERY_FORMAT) throw new ModelFormatError(source, `not a facerec gallery index (format should be "${GALLERY_FORMAT}")`);
  if (v.formatVersion !== GALLERY_FORMAT_VERSION) throw new ModelFormatError(source, `gallery format version ${String(v.formatVersion)} is not supported (this facerec reads ${GALLERY_FORMAT_VERSION})`);
  if (typeof v.embedder !== 'string' || !Number.isInteger(v.dimensions) || typeof v.threshold !== 'number' || !Array.isArray(v.rows) || !v.rows.every((r) => typeof r === 'string')) {
    throw new ModelFormatError(source, 'gallery index lacks embedder, dimensions, threshold or rows');
  }
  if (v.landmarks !== undefined && v.landmarks !== 'mesh' && v.landmarks !== 'detector') {
    throw new ModelFormatError(source, `gallery index has landmarks "${String(v.landmarks)}"; expected "mesh" or "detector"`);
  }
  return v as GalleryIndex;
}

