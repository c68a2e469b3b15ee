// Few-shot recognition on a pretrained embedder: class means (cosine) or a softmax head trained on embeddings.
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, firstNonFinite, requireFinite, throwIfAborted, type AbortSignalLike } from '../errors/index.js';
import type { FaceImage, LabeledImage } from '../image/types.js';
import type { FacePipeline } from '../faces/pipeline.js';
import { checkLabel, compareLabels, distinctLabels } from './labels.js';
import { recognitionOf, type Candidate, type Recognition } from './result.js';

/** How {@link EmbeddingClassifier} decides between people. */
export interface EmbeddingClassifierOptions {
  /**
   * `'class-mean'` (default): the nearest normalised mean embedding per person, by cosine similarity; right
   * for 1–5 photos per person. `'softmax'`: a softmax layer trained with cross-entropy on the embeddings,
   * started from the class means.
   */
  readonly method?: 'class-mean' | 'softmax';
  /** Cosine similarity (class-mean) or probability (softmax) below which a face is unknown. Default: the embedder's threshold for class-mean, 0.5 for softmax. */
  readonly threshold?: number;
  /** Head training: epochs over the embeddings (full batch). Default 100. */
  readonly epochs?: number;
  /** Head training: learning rate of gradient descent with momentum 0.9. Default 0.05. */
  readonly learningRate?: number;
  /** Head training: logit scale applied to cosine similarities. Default 16. */
  readonly scale?: number;
}

/** What a fitted {@link EmbeddingClassifier} learnt, as plain data (for saving in a model's metadata). */
export interface EmbeddingClassifierState {
  readonly method: 'class-mean' | 'softmax';
  /** Embedder the weights belong to. */
  readonly embedder: string;
  readonly labels: readonly string[];
  /** `[labels, dimensions]` row-major. */
  readonly weights: readonly number[];
  readonly bias: readonly number[];
  readonly threshold: number;
}

/** Options of {@link EmbeddingClassifier.fit}. */
export interface EmbeddingFitOptions {
  /** Called after each embedded image. */
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignalLike;
}

/**
 * Recognises people from a few photos each, with a pretrained embedder as frozen backbone: each photo's
 * main face is detected, aligned and embedded once (a photo in which no face is found is treated as an
 * aligned face crop), then either class means or a small softmax head decide. `FaceRecognizer` can
 * delegate to it when given few photos per person.
 */
export class EmbeddingClassifier {
  private labelList: string[] = [];
  private weights: Float32Array | undefined; // [K, d] row-major: class means or head weights
  private bias: Float32Array | undefined;
  private readonly method: 'class-mean' | 'softmax';
  threshold: number;

  constructor(private readonly pipeline: FacePipeline, private readonly options: EmbeddingClassifierOptions = {}) {
    this.method = options.method ?? 'class-mean';
    if (this.method !== 'class-mean' && this.method !== 'softmax') throw new InvalidArgumentError('method', `must be 'class-mean' or 'softmax', got ${String(this.method)}`);
    this.threshold = options.threshold ?? (this.method === 'softmax' ? 0.5 : pipeline.embedder.spec.threshold);
  }

  /** People in class order (after fit). */
  get labels(): readonly string[] {
    return this.labelList;
  }

  /** The L2-normalised embedding of an image's main face (the centre of the image when no face is found). */
  async embed(image: FaceImage): Promise<Float32Array> {
    return (await this.pipeline.embedMainFaceOrCentre(image)).embedding;
  }

  /** Learns the people of `dataset` (at least two). Replaces what was learnt before. */
  async fit(dataset: ReadonlyArray<LabeledImage<FaceImage>>, options: EmbeddingFitOptions = {}): Promise<void> {
    const labels = distinctLabels(dataset);
    if (labels.length < 2) throw new InvalidArgumentError('dataset', `has ${labels.length} person; recognition needs at least 2`);
    const embeddings: Float32Array[] = [];
    for (const [i, item] of dataset.entries()) {
      throwIfAborted(options.signal);
      embeddings.push(await this.embed(item.image));
      options.onProgress?.(i + 1, dataset.length);
    }
    this.fitEmbeddings(embeddings, dataset.map((d) => d.label), labels);
  }

  /** Learns from precomputed embeddings (one label each). */
  fitEmbeddings(embeddings: readonly Float32Array[], labels: readonly string[], order?: readonly string[]): void {
    if (!Array.isArray(embeddings) || !Array.isArray(labels) || embeddings.length !== labels.length) {
      throw new InvalidArgumentError('labels', 'must be an array with one label per embedding');
    }
    labels.forEach((l, i) => checkLabel(l, `labels[${i}]`));
    const people = order ?? [...new Set(labels)].sort(compareLabels);
    people.forEach((l, i) => checkLabel(l, `order[${i}]`));
    const d = this.pipeline.embedder.spec.dimensions;
    const index = new Map(people.map((l, i) => [l, i]));
    const means = new Float32Array(people.length * d);
    embeddings.forEach((e, i) => {
      const k = index.get(labels[i]!);
      if (k === undefined || !(e instanceof Float32Array) || e.length !== d) throw new InvalidArgumentError('embeddings', `entry ${i} has an unknown label or length ${String(e?.length)} ≠ ${d}`);
      if (firstNonFinite(e) >= 0) throw new InvalidArgumentError('embeddings', `entry ${i} holds NaN or infinite values`);
      for (let j = 0; j < d; j++) means[k * d + j] += e[j]!;
    });
    for (let k = 0; k < people.length; k++) normalizeRow(means, k, d);
    this.labelList = [...people];
    this.weights = means;
    this.bias = new Float32Array(people.length);
    if (this.method === 'softmax') this.trainHead(embeddings, labels.map((l) => index.get(l)!));
  }

  /** The most likely person for `image`, or unknown below the threshold. */
  async predict(image: FaceImage, options: { topK?: number; threshold?: number } = {}): Promise<Recognition> {
    return this.predictEmbedding(await this.embed(image), options);
  }

  /** Like {@link EmbeddingClassifier.predict} for an embedding you already have. */
  predictEmbedding(embedding: Float32Array, options: { topK?: number; threshold?: number } = {}): Recognition {
    const { weights, bias } = this;
    if (!weights || !bias) throw new InvalidArgumentError('classifier', 'call fit() first');
    const d = this.pipeline.embedder.spec.dimensions;
    const topK = options.topK ?? 3;
    if (!(Number.isInteger(topK) && topK >= 1)) throw new InvalidArgumentError('topK', `must be a positive integer, got ${String(topK)}`);
    const threshold = options.threshold ?? this.threshold;
    if (!Number.isFinite(threshold)) throw new InvalidArgumentError('threshold', `must be a finite number, got ${String(threshold)}`);
    if (!(embedding instanceof Float32Array) || embedding.length !== d) throw new InvalidArgumentError('embedding', `must be a Float32Array of ${d} values`);
    if (firstNonFinite(embedding) >= 0) throw new InvalidArgumentError('embedding', 'holds NaN or infinite values');
    const K = this.labelList.length;
    const scores = new Float32Array(K);
    for (let k = 0; k < K; k++) {
      let s = bias[k]!;
      for (let j = 0; j < d; j++) s += weights[k * d + j]! * embedding[j]!;
      scores[k] = s;
    }
    const confidences = this.method === 'softmax' ? softmax(scores, this.options.scale ?? 16) : scores;
    // NaN < threshold is false: a NaN score would be answered with a name.
    requireFinite(confidences, `the ${this.method} classifier`, 'scores');
    const order = Array.from(scores.keys()).sort((a, b) => confidences[b]! - confidences[a]!);
    const candidates: Candidate[] = order.slice(0, topK).map((k) => ({ label: this.labelList[k]!, score: confidences[k]! }));
    return recognitionOf(candidates, threshold, this.method === 'softmax' ? 'probability' : 'cosine');
  }

  /** The learnt weights as plain data. @throws InvalidArgumentError before fit. */
  exportState(): EmbeddingClassifierState {
    if (!this.weights || !this.bias) throw new InvalidArgumentError('classifier', 'call fit() first');
    return {
      method: this.method, embedder: this.pipeline.embedder.spec.name, labels: [...this.labelList],
      weights: Array.from(this.weights), bias: Array.from(this.bias), threshold: this.threshold,
    };
  }

  /**
   * A classifier restored from {@link EmbeddingClassifier.exportState}.
   * @throws InvalidArgumentError when the state belongs to another embedder or its sizes disagree.
   */
  static fromState(pipeline: FacePipeline, state: EmbeddingClassifierState): EmbeddingClassifier {
    const { name, dimensions } = pipeline.embedder.spec;
    if (state.embedder !== name) throw new InvalidArgumentError('state', `was learnt with embedder ${state.embedder}, the pipeline has ${name}`);
    if (state.weights.length !== state.labels.length * dimensions || state.bias.length !== state.labels.length) {
      throw new InvalidArgumentError('state', `holds ${state.weights.length} weights for ${state.labels.length} labels of ${dimensions}-d embeddings`);
    }
    state.labels.forEach((l, i) => checkLabel(l, `state.labels[${i}]`));
    if (firstNonFinite(state.weights) >= 0 || firstNonFinite(state.bias) >= 0) throw new InvalidArgumentError('state', 'holds NaN or infinite weights');
    const c = new EmbeddingClassifier(pipeline, { method: state.method, threshold: state.threshold });
    c.labelList = [...state.labels];
    c.weights = Float32Array.from(state.weights);
    c.bias = Float32Array.from(state.bias);
    return c;
  }

  private trainHead(embeddings: readonly Float32Array[], targets: readonly number[]): void {
    const d = this.pipeline.embedder.spec.dimensions;
    const K = this.labelList.length;
    const n = embeddings.length;
    const scale = this.options.scale ?? 16;
    const lr = this.options.learningRate ?? 0.05;
    const x = tf.tensor2d(Float32Array.from(embeddings.flatMap((e) => Array.from(e))), [n, d]);
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(targets), 'int32'), K));
    // Start from the class means: the head begins as the nearest-mean classifier and only refines it.
    let w: tf.Tensor = tf.tidy(() => tf.transpose(tf.tensor2d(this.weights!, [K, d])));
    let b: tf.Tensor = tf.zeros([K]);
    let vw: tf.Tensor = tf.zerosLike(w);
    let vb: tf.Tensor = tf.zerosLike(b);
    try {
      for (let epoch = 0; epoch < (this.options.epochs ?? 100); epoch++) {
        // Cross-entropy of softmax(scale·xW + b): its gradient in closed form, so no autodiff registry is needed.
        const next = tf.tidy(() => {
          const p = tf.softmax(tf.add(tf.mul(tf.matMul(x, w), scale), b));
          const delta = tf.div(tf.sub(p, y), n);
          const gw = tf.mul(tf.matMul(x, delta, true, false), scale);
          const gb = tf.sum(delta, 0);
          const nvw = tf.add(tf.mul(vw, 0.9), gw);
          const nvb = tf.add(tf.mul(vb, 0.9), gb);
          return [tf.sub(w, tf.mul(nvw, lr)), tf.sub(b, tf.mul(nvb, lr)), nvw, nvb] as const;
        });
        tf.dispose([w, b, vw, vb]);
        [w, b, vw, vb] = next;
      }
      this.weights = tf.tidy(() => tf.transpose(w).dataSync() as Float32Array).slice();
      this.bias = tf.tidy(() => tf.div(b, scale).dataSync() as Float32Array).slice();
    } finally {
      tf.dispose([x, y, w, b, vw, vb]);
    }
  }
}

function normalizeRow(m: Float32Array, k: number, d: number): void {
  let s = 0;
  for (let j = 0; j < d; j++) s += m[k * d + j]! ** 2;
  const n = Math.sqrt(s) || 1;
  for (let j = 0; j < d; j++) m[k * d + j] /= n;
}

function softmax(scores: Float32Array, scale: number): Float32Array {
  const max = Math.max(...scores);
  const e = scores.map((s) => Math.exp((s - max) * scale));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}
