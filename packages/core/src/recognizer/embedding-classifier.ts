// Internal: the few-shot head of FaceRecognizer on a pretrained backbone — class means (matched by a Gallery) or a softmax layer — kept as a one-layer tfjs model so it saves and loads like any recognizer.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { InvalidArgumentError, ModelFormatError } from '../errors/index.js';
import { firstNonFinite } from '../errors/finite.js';
import { Gallery } from '../gallery/gallery.js';
import { checkLabel, compareLabels } from './labels.js';
import { fuseTextureScores, type TextureGallery } from './face-texture.js';
import type { BackboneInfo, HeadKind } from './metadata.js';
import { recognitionsFromProbabilities } from './probabilities.js';
import { recognitionOf, type Recognition, type ScoreKind } from './result.js';

/** Each face's texture and the training textures' gallery it is matched against, in the order of the embeddings. */
export interface FaceTextures {
  readonly faces: readonly Float32Array[];
  readonly galleries: readonly TextureGallery[];
}

/** How the softmax head is trained; the defaults work for 1–10 photos per person. */
export interface HeadTraining {
  /** Epochs over the embeddings (full batch). Default 100. */
  readonly epochs?: number;
  /** Learning rate of gradient descent with momentum 0.9. Default 0.05. */
  readonly learningRate?: number;
  /** Logit scale applied to cosine similarities. Default 16. */
  readonly scale?: number;
}

/** Name of the head's one layer in the saved model. */
const LAYER = 'embedding_head';

/**
 * People learnt from embeddings of a frozen pretrained embedder. `'class-mean'`: each person's L2-normalised mean
 * embedding, and a face's score for them is the cosine similarity (the matching is a `Gallery`'s, one row per
 * person). `'softmax'`: a linear layer trained with cross-entropy on the embeddings, started from the class means;
 * scores are probabilities. Either way the head is a one-layer tfjs model: input an embedding, output a score per
 * person, which is what `FaceRecognizer.save` writes.
 */
export class EmbeddingClassifier {
  private constructor(
    readonly head: HeadKind,
    readonly labels: readonly string[],
    readonly backbone: BackboneInfo,
    /** Dense layer, `[dimensions] → [labels]`. */
    readonly model: tfl.LayersModel,
    /** The class means as a gallery (class-mean only). */
    private readonly gallery: Gallery | undefined,
  ) {}

  /** The scale of the scores: cosine similarities for class means, probabilities for the softmax head. */
  get scoreKind(): ScoreKind {
    return this.head === 'class-mean' ? 'cosine' : 'probability';
  }

  /**
   * Learns the people of `labels` (one per embedding) from L2-normalised embeddings. `order` fixes the class order
   * (default: the distinct labels in compareLabels order).
   * @throws InvalidArgumentError for mismatched lengths, a bad label, or embeddings of the wrong size or with NaN.
   */
  static async fit(
    embeddings: readonly Float32Array[],
    labels: readonly string[],
    head: HeadKind,
    backbone: BackboneInfo,
    options: HeadTraining & { readonly order?: readonly string[] } = {},
  ): Promise<EmbeddingClassifier> {
    if (!Array.isArray(embeddings) || !Array.isArray(labels) || embeddings.length !== labels.length) {
      throw new InvalidArgumentError('labels', 'must be an array with one label per embedding');
    }
    labels.forEach((l, i) => checkLabel(l, `labels[${i}]`));
    const people = options.order ?? [...new Set(labels)].sort(compareLabels);
    people.forEach((l, i) => checkLabel(l, `order[${i}]`));
    const d = backbone.dimensions;
    const index = new Map(people.map((l, i) => [l, i]));
    const means = new Float32Array(people.length * d);
    embeddings.forEach((e, i) => {
      const k = index.get(labels[i]!);
      if (k === undefined || !(e instanceof Float32Array) || e.length !== d) throw new InvalidArgumentError('embeddings', `entry ${i} has an unknown label or length ${String(e?.length)} ≠ ${d}`);
      if (firstNonFinite(e) >= 0) throw new InvalidArgumentError('embeddings', `entry ${i} holds NaN or infinite values`);
      for (let j = 0; j < d; j++) means[k * d + j] += e[j]!;
    });
    for (let k = 0; k < people.length; k++) normalizeRow(means, k, d);
    const model = headModel(head, d, people.length);
    try {
      if (head === 'class-mean') {
        tf.tidy(() => model.setWeights([tf.transpose(tf.tensor2d(means, [people.length, d]))]));
      } else {
        const targets = labels.map((l) => index.get(l)!);
        tf.tidy(() => model.setWeights(trainSoftmax(embeddings, targets, means, people.length, d, options)));
      }
      return new EmbeddingClassifier(head, [...people], backbone, model, head === 'class-mean' ? meansGallery(means, people, backbone) : undefined);
    } catch (error) {
      model.dispose();
      throw error;
    }
  }

  /**
   * The head of a saved recognizer: checks that `model` is the one dense layer the metadata describes and rebuilds
   * the class means' gallery from its kernel. Takes ownership of `model`.
   * @throws ModelFormatError naming `source` when the model's shapes or layers do not match.
   */
  static async fromModel(model: tfl.LayersModel, head: HeadKind, labels: readonly string[], backbone: BackboneInfo, source: string): Promise<EmbeddingClassifier> {
    const d = backbone.dimensions;
    const input = model.inputs[0]?.shape ?? [];
    const output = model.outputs[0]?.shape ?? [];
    if (model.inputs.length !== 1 || input.length !== 2 || input[1] !== d) {
      throw new ModelFormatError(source, `the head takes input [${input.slice(1)}], but metadata.backbone makes ${d}-d embeddings`);
    }
    if (output[output.length - 1] !== labels.length) {
      throw new ModelFormatError(source, `the head outputs ${output[output.length - 1]} scores but metadata lists ${labels.length} people`);
    }
    const layer = model.layers.length === 1 ? model.layers[0] : undefined;
    const activation = layer?.getClassName() === 'Dense' ? (layer.getConfig() as { activation?: unknown }).activation : undefined;
    if (activation !== (head === 'softmax' ? 'softmax' : 'linear')) {
      throw new ModelFormatError(source, `a ${head} head is one Dense layer with ${head === 'softmax' ? 'a softmax' : 'no'} activation; this model is not`);
    }
    const weights = model.getWeights();
    const expected = head === 'class-mean' ? 1 : 2;
    if (weights.length !== expected) {
      throw new ModelFormatError(source, `a ${head} head has ${expected === 1 ? 'a kernel and no bias' : 'a kernel and a bias'}, this model has ${weights.length} weight tensors`);
    }
    if (head === 'class-mean') {
      // Rows are normalised again so that scores stay cosine similarities whatever the file holds.
      const kernel = tf.tidy(() => tf.transpose(weights[0]!));
      let means: Float32Array;
      try {
        means = Float32Array.from(await kernel.data());
      } finally {
        kernel.dispose();
      }
      for (let k = 0; k < labels.length; k++) normalizeRow(means, k, d);
      return new EmbeddingClassifier(head, labels, backbone, model, meansGallery(means, labels, backbone));
    }
    return new EmbeddingClassifier(head, labels, backbone, model, undefined);
  }

  /**
   * One recognition per embedding (L2-normalised, as the backbone makes them). With `textures` (class means only:
   * each face's texture, in order, and the training textures' gallery it is matched against), every person's cosine
   * is moved by the texture evidence ({@link fuseTextureScores}) before ranking.
   */
  async recognize(
    embeddings: readonly Float32Array[],
    options: { readonly topK: number; readonly threshold: number },
    textures?: FaceTextures,
  ): Promise<Recognition[]> {
    if (this.gallery && textures) return this.recognizeFused(this.gallery, embeddings, options, textures);
    if (this.gallery) return this.gallery.match(embeddings, options);
    const d = this.backbone.dimensions;
    embeddings.forEach((e, i) => {
      if (!(e instanceof Float32Array) || e.length !== d) throw new InvalidArgumentError(`embeddings[${i}]`, `must be a Float32Array of ${d} values`);
    });
    if (embeddings.length === 0) return [];
    const batch = new Float32Array(embeddings.length * d);
    embeddings.forEach((e, i) => batch.set(e, i * d));
    const probabilities = tf.tidy(() => this.model.predict(tf.tensor2d(batch, [embeddings.length, d])) as tf.Tensor2D);
    let values: Float32Array;
    try {
      values = (await probabilities.data()) as Float32Array;
    } finally {
      probabilities.dispose();
    }
    return recognitionsFromProbabilities(values, this.labels, options.topK, options.threshold, `the softmax head on ${this.backbone.embedder} embeddings`);
  }

  /** Class means with texture evidence: every person's cosine, fused, then the best `topK`. */
  private async recognizeFused(
    gallery: Gallery,
    embeddings: readonly Float32Array[],
    options: { readonly topK: number; readonly threshold: number },
    textures: FaceTextures,
  ): Promise<Recognition[]> {
    if (textures.faces.length !== embeddings.length || textures.galleries.length !== embeddings.length) {
      throw new InvalidArgumentError('textures', `has ${textures.faces.length} faces and ${textures.galleries.length} galleries for ${embeddings.length} embeddings`);
    }
    const all = await gallery.match(embeddings, { topK: this.labels.length, threshold: -1 });
    const index = new Map(this.labels.map((l, i) => [l, i]));
    return all.map((recognition, i) => {
      const cosines = new Float32Array(this.labels.length);
      for (const c of recognition.candidates) cosines[index.get(c.label)!] = c.score;
      const face = textures.faces[i]!;
      const gallery = textures.galleries[i]!;
      const fused = fuseTextureScores(cosines, gallery.distances(face), gallery.weightOf(face));
      const ranked = this.labels
        .map((label, k) => ({ label, score: fused[k]! }))
        .sort((a, b) => b.score - a.score || compareLabels(a.label, b.label))
        .slice(0, options.topK);
      return recognitionOf(ranked, options.threshold, 'cosine');
    });
  }

  /** Frees the model's weights and the gallery's matrix. */
  dispose(): void {
    this.model.dispose();
    this.gallery?.dispose();
  }
}

/** The one-layer model of a head: `[d] → [k]`, a kernel only (class means) or kernel, bias and softmax. */
function headModel(head: HeadKind, d: number, k: number): tfl.LayersModel {
  const softmax = head === 'softmax';
  return tfl.sequential({
    name: `facerec_${head.replace('-', '_')}_head`,
    layers: [tfl.layers.dense({ name: LAYER, inputShape: [d], units: k, useBias: softmax, activation: softmax ? 'softmax' : 'linear', kernelInitializer: 'zeros' })],
  });
}

/** The class means as a gallery with one row per person: its matching gives each person's cosine similarity. */
function meansGallery(means: Float32Array, labels: readonly string[], backbone: BackboneInfo): Gallery {
  return Gallery.fromData({
    index: { format: 'facerec-gallery', formatVersion: 1, embedder: backbone.embedder, dimensions: backbone.dimensions, threshold: 0, landmarks: backbone.landmarks, rows: labels },
    embeddings: means,
  });
}

/**
 * Trains the softmax head: cross-entropy of softmax(scale·xW + b), its gradient in closed form (no autodiff needed),
 * gradient descent with momentum, started from the class means so the head begins as the nearest-mean classifier
 * and only refines it. Returns the dense layer's `[kernel, bias]` (kernel = scale·W, so the layer computes the
 * same logits). Call inside tf.tidy: intermediate tensors are left to it.
 */
function trainSoftmax(embeddings: readonly Float32Array[], targets: readonly number[], means: Float32Array, k: number, d: number, options: HeadTraining): [tf.Tensor, tf.Tensor] {
  const n = embeddings.length;
  const scale = options.scale ?? 16;
  const lr = options.learningRate ?? 0.05;
  const x = tf.tensor2d(Float32Array.from(embeddings.flatMap((e) => Array.from(e))), [n, d]);
  const y = tf.oneHot(tf.tensor1d(Int32Array.from(targets), 'int32'), k);
  let w: tf.Tensor = tf.transpose(tf.tensor2d(means, [k, d]));
  let b: tf.Tensor = tf.zeros([k]);
  let vw: tf.Tensor = tf.zerosLike(w);
  let vb: tf.Tensor = tf.zerosLike(b);
  for (let epoch = 0; epoch < (options.epochs ?? 100); epoch++) {
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
  return [tf.mul(w, scale), b];
}

function normalizeRow(m: Float32Array, k: number, d: number): void {
  let s = 0;
  for (let j = 0; j < d; j++) s += m[k * d + j]! ** 2;
  const n = Math.sqrt(s) || 1;
  for (let j = 0; j < d; j++) m[k * d + j] /= n;
}
