// Gallery: enrolled people as embeddings; 1:N identification through a store (exact SIMD scan by default), 1:1 verification, save/load data.
import { InvalidArgumentError, ModelFormatError } from '../errors/index.js';
import { firstNonFinite, requireFinite } from '../errors/finite.js';
import { cosineSimilarity } from '../faces/embedder.js';
import type { DetectOptions } from '../faces/detector.js';
import { FacePipeline, landmarkSourceOf, type LandmarkSource } from '../faces/pipeline.js';
import type { PipelineImage } from '../image/scalable.js';
import { checkLabel } from '../recognizer/labels.js';
import { recognitionOf, type Recognition, type RecognizedFace, type ScoreKind } from '../recognizer/result.js';
import type { GalleryCount, GalleryInfo, GalleryStore } from './gallery-store.js';
import { MemoryGalleryStore } from './memory-store.js';

export type { GalleryInfo } from './gallery-store.js';

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


/** Options of the {@link Gallery} constructor: the embeddings' description for a new in-memory gallery, or a store. */
export interface GalleryOptions extends Partial<GalleryInfo> {
  /**
   * Where the embeddings live; default a new {@link MemoryGalleryStore}. A store already describes its
   * embeddings, so the other fields may only repeat them (a `threshold` overrides the store's for this object).
   */
  readonly store?: GalleryStore;
}

/**
 * People you enrol, each with one or more face embeddings. `identify` names every face in a photo (or
 * answers {@link UNKNOWN}), `verify` compares two photos. Scores are cosine similarities: a person's score
 * is the best similarity to any of their embeddings. The embeddings live in a {@link GalleryStore}: by default
 * in memory, searched exactly by one SIMD scan of the embedding matrix; in Node also a gallery
 * folder, PGlite or PostgreSQL (`openGallery`), in the browser IndexedDB. The gallery works the same on each.
 */
export class Gallery {
  /** Where the embeddings live. */
  readonly store: GalleryStore;
  private currentThreshold: number;
  readonly embedderName: string;
  /** Scores are cosine similarities (−1..1). */
  readonly scoreKind: ScoreKind = 'cosine';
  /** Landmark source of the pipeline the gallery was built with, when known. */
  readonly landmarks: LandmarkSource | undefined;

  /**
   * @param pipeline - Detects and embeds faces for image inputs; may be omitted when only embeddings are used.
   * @param options - A store, or the embedder name, dimensions and threshold of a new in-memory gallery
   *   (default the pipeline's embedder).
   */
  constructor(private readonly pipeline?: FacePipeline, options?: GalleryOptions) {
    const spec = pipeline?.embedder.spec;
    const store = options?.store;
    if (store) {
      for (const key of ['embedder', 'dimensions', 'landmarks'] as const) {
        if (options[key] !== undefined && options[key] !== store.info[key]) {
          throw new InvalidArgumentError(`options.${key}`, `is ${String(options[key])} but the ${store.kind} store holds ${String(store.info[key])}`);
        }
      }
    }
    const info = store?.info ?? options;
    const dimensions = info?.dimensions ?? spec?.dimensions;
    const embedder = info?.embedder ?? spec?.name;
    if (dimensions === undefined || embedder === undefined) throw new InvalidArgumentError('info', 'give a pipeline or the embedder name and dimensions');
    if (spec && (spec.name !== embedder || spec.dimensions !== dimensions)) {
      throw new InvalidArgumentError('info', `gallery holds ${embedder} (${dimensions}-d) embeddings but the pipeline makes ${spec.name} (${spec.dimensions}-d)`);
    }
    this.embedderName = embedder;
    this.landmarks = info?.landmarks ?? (pipeline && !store ? landmarkSourceOf(pipeline) : undefined);
    this.currentThreshold = checkThreshold(options?.threshold ?? info?.threshold ?? spec?.threshold ?? 0.5);
    this.store = store ?? new MemoryGalleryStore({
      embedder, dimensions, threshold: this.currentThreshold, ...(this.landmarks !== undefined ? { landmarks: this.landmarks } : {}),
    });
  }

  /** Cosine similarity at or above which a face is the enrolled person (this object's; the store keeps the one it was created with). */
  get threshold(): number {
    return this.currentThreshold;
  }

  set threshold(value: number) {
    this.currentThreshold = checkThreshold(value);
  }

  /** Embedding length. */
  get dimensions(): number {
    return this.store.info.dimensions;
  }

  /** How many people and embeddings are enrolled. */
  count(): Promise<GalleryCount> {
    return this.store.count();
  }

  /** Enrolled people, in {@link compareLabels} order. */
  labels(): Promise<string[]> {
    return this.store.labels();
  }

  /**
   * Adds face embeddings of `label`. Images are detected and embedded (their main face); an image with
   * no face is reported in the result and skipped. Existing embeddings are kept. The faces found are added
   * to the store in one step (all or none).
   * @returns How many embeddings were added and which inputs had no face (by position).
   */
  async enroll(label: string, inputs: ReadonlyArray<PipelineImage | Float32Array>, options: DetectOptions = {}): Promise<{ added: number; noFace: number[] }> {
    checkLabel(label, 'label');
    const noFace: number[] = [];
    const embeddings: Float32Array[] = [];
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i]!;
      let embedding: Float32Array | undefined;
      if (input instanceof Float32Array) embedding = normalized(input, `inputs[${i}]`, this.dimensions);
      else embedding = this.fromPipeline((await this.requirePipeline().embedMainFace(input, options))?.embedding);
      if (embedding === undefined) noFace.push(i);
      else embeddings.push(embedding);
    }
    if (embeddings.length > 0) await this.store.add(label, embeddings);
    return { added: embeddings.length, noFace };
  }

  /** Removes `label` and all its embeddings; resolves whether it was enrolled. */
  remove(label: string): Promise<boolean> {
    return this.store.remove(label);
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
   * Matches L2-normalised embeddings against the gallery: the store's nearest people for each, best first.
   * An empty gallery answers unknown with score −1 and no candidates.
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
    const found = await this.store.search(embeddings, { k: topK });
    return found.map((candidates) => {
      requireFinite(candidates.map((c) => c.score), `the ${this.embedderName} gallery`, 'similarity scores');
      return recognitionOf(candidates, threshold, this.scoreKind);
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

  /** The gallery as a JSON index and a float32 matrix (what `saveGallery` writes), read from its store. */
  async toData(): Promise<GalleryData> {
    const rows: string[] = [];
    const chunks: Float32Array[] = [];
    for await (const entry of this.store.entries()) {
      rows.push(entry.label);
      chunks.push(entry.embedding);
    }
    const embeddings = new Float32Array(rows.length * this.dimensions);
    chunks.forEach((e, r) => embeddings.set(e, r * this.dimensions));
    return {
      index: {
        format: GALLERY_FORMAT,
        formatVersion: GALLERY_FORMAT_VERSION,
        embedder: this.embedderName,
        dimensions: this.dimensions,
        threshold: this.currentThreshold,
        ...(this.landmarks !== undefined ? { landmarks: this.landmarks } : {}),
        rows,
      },
      embeddings,
    };
  }

  /**
   * Rebuilds an in-memory gallery from {@link Gallery.toData}'s output. The pipeline, when given, must make
   * the same embeddings (same embedder name and size).
   * @throws ModelFormatError naming `source` when the data is malformed or from another format version.
   */
  static fromData(data: { index: unknown; embeddings: Float32Array }, pipeline?: FacePipeline, source = 'gallery'): Gallery {
    const index = validateGalleryIndex(data.index, source);
    if (data.embeddings.length !== index.rows.length * index.dimensions) {
      throw new ModelFormatError(source, `embedding file holds ${data.embeddings.length} values, the index needs ${index.rows.length} × ${index.dimensions}`);
    }
    const store = new MemoryGalleryStore(infoOf(index));
    index.rows.forEach((label, r) => store.addSync(label, [data.embeddings.subarray(r * index.dimensions, (r + 1) * index.dimensions)]));
    return new Gallery(pipeline, { store });
  }

  /** Kept for existing callers: the in-memory store holds no tensors any more (nor does it free the pipeline, which the caller owns). */
  dispose(): void {
    if (this.store instanceof MemoryGalleryStore) this.store.dispose();
  }

  /** Closes the store (connections, locks, tensors); not the pipeline, which the caller owns. */
  close(): Promise<void> {
    return this.store.close();
  }

  private requirePipeline(): FacePipeline {
    if (!this.pipeline) throw new InvalidArgumentError('pipeline', 'this gallery has no FacePipeline, so it only accepts embeddings');
    return this.pipeline;
  }

  private async embedOne(input: PipelineImage | Float32Array, name: string, options: DetectOptions): Promise<Float32Array> {
    if (input instanceof Float32Array) return normalized(input, name);
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

/** The store description in a saved index. */
export function infoOf(index: GalleryInfo): GalleryInfo {
  return {
    embedder: index.embedder, dimensions: index.dimensions, threshold: index.threshold,
    ...(index.landmarks !== undefined ? { landmarks: index.landmarks } : {}),
  };
}

/** `e` scaled to unit length. @throws InvalidArgumentError naming `name` for a wrong length, zero or non-finite values. */
function normalized(e: Float32Array, name: string, dimensions?: number): Float32Array {
  if (dimensions !== undefined && e.length !== dimensions) throw new InvalidArgumentError(name, `has ${e.length} values, the gallery holds ${dimensions}-d embeddings`);
  let s = 0;
  for (let i = 0; i < e.length; i++) s += e[i]! * e[i]!;
  const n = Math.sqrt(s);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(name, 'is zero or not finite');
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

