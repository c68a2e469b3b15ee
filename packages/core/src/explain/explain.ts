// explainMatch: heat maps of which regions of two aligned faces (or a face and an enrolled person) made their similarity.
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors/index.js';
import { requireFinite } from '../errors/finite.js';
import { imageToTensor } from '../image/convert.js';
import type { FaceImage, RawImage } from '../image/types.js';
import { grayscaleToRgb } from '../preprocess/color.js';
import type { DetectOptions } from '../faces/detector.js';
import { FaceEmbedder, inputScaling, scaleInput, type EmbeddingNetSplit } from '../faces/embedder.js';
import type { Point } from '../faces/geometry.js';
import { mainFace, type FacePipeline } from '../faces/pipeline.js';
import { warpAffine } from '../faces/warp.js';
import { gradcamMaps } from './gradcam.js';
import { heatMapOf, type HeatMap } from './heatmap.js';
import { inputGradientMaps, integrationPoints, PIXEL_GEOMETRY, type LayerGeometry } from './input-gradient.js';
import { DEFAULT_OCCLUSION_ROUNDS, DEFAULT_PATCH_CELLS, occlusionMaps, type OcclusionLayout } from './occlusion.js';

/**
 * How a map is computed:
 * - `'integrated-gradients'`: integrated gradients from grey at an inner layer ({@link INTEGRATED_GRADIENTS_STAGES};
 *   `stage: 'input'` for the pixels): each activation's difference from the all-grey face's times the similarity's
 *   gradient averaged along the way from the grey face's activations to the face's (`steps` points, batched into
 *   one forward and one backward pass of the network after the layer over `2 × steps` rows, after a forward pass
 *   of the two faces themselves), summed per cell; the cells share out how far the similarity falls when the whole face
 *   is greyed (dlib only);
 * - `'gradient-x-input'`: each pixel's gradient of the similarity times its difference from grey, summed per
 *   cell: the first-order estimate of how much the similarity falls when the cell alone is greyed (one forward
 *   and one backward pass of the whole network; dlib only);
 * - `'gradcam'`: Grad-CAM at an inner layer (one forward and backward pass; for faceres the exact per-cell split
 *   of the similarity);
 * - `'occlusion'`: grey patches over the cells, re-embedded (any embedder). By default in 4 greedy rounds: each
 *   round greys the quarter of the cells whose patch lowers the similarity most on the face the earlier rounds
 *   left, and a cell's value is its place in that order (1 first); with `rounds: 1`, the fall in similarity when a
 *   patch covers the cell.
 */
export type ExplainMethod = 'integrated-gradients' | 'gradient-x-input' | 'gradcam' | 'occlusion';

/** The methods {@link explainMatch} knows. */
export const EXPLAIN_METHODS: readonly ExplainMethod[] = ['integrated-gradients', 'gradient-x-input', 'gradcam', 'occlusion'];

/** Methods that take the gradient of the network with respect to its pixels or an inner layer's activations. */
const INPUT_GRADIENT_METHODS: readonly ExplainMethod[] = ['integrated-gradients', 'gradient-x-input'];

/**
 * The method {@link explainMatch} uses when none is asked for, per embedder (others: `'occlusion'`).
 * dlib: integrated gradients (2 steps, at `conv64_2`), the most faithful of its gradient methods in the deletion
 * test, ahead of integrated gradients at the pixels, gradient × input and Grad-CAM at any of its layers (BENCHMARKS.md).
 * faceres: Grad-CAM at its last layer, which is the exact split of the similarity over the cells (its
 * depthwise convolutions have no input gradient on tfjs's WASM backend, so gradient × input is not offered).
 */
export const DEFAULT_EXPLAIN_METHODS: Readonly<Record<string, ExplainMethod>> = { dlib: 'integrated-gradients', faceres: 'gradcam' };

/** Embedders whose network runs differentiably from its pixels (cut at `'input'`), as the input-gradient methods need. */
const INPUT_GRADIENT_EMBEDDERS: readonly string[] = ['dlib'];

/**
 * The layer integrated gradients is taken at by default, per embedder. dlib: `conv64_2`, 17×17 × 64 (~9 px
 * steps, about the 16×16 cells): on 16 lfw-dev pairs disjoint from the measured 40 its maps were more faithful
 * in the deletion test than at the pixels (0.63× random against 0.72–0.75×, 4 steps) and cost about half as
 * much (the pixels' backward pass through dlib's 7×7 stem and max pool is gone, and the layers before run once).
 * `conv64_3` and `conv32_3` gave 0.67–0.69×, 2 steps 0.72×.
 */
export const INTEGRATED_GRADIENTS_STAGES: Readonly<Record<string, string>> = { dlib: 'conv64_2' };

/**
 * Where the positions of dlib's layers lie over its 150-pixel crop: the stem (7×7 stride-2 convolution, 3×3
 * stride-2 max pool, both unpadded) puts position i of the 35×35 blocks at pixel 4i + 5, and each unpadded
 * stride-2 block after it doubles the step (17×17: 8i + 9, 8×8: 16i + 17, ...).
 */
function dlibGeometry(stage: string): LayerGeometry {
  if (stage === 'input') return PIXEL_GEOMETRY;
  const level = ['conv32', 'conv64', 'conv128', 'conv256'].findIndex((p) => stage.startsWith(`${p}_`)) + (stage === 'conv256_down_out' ? 1 : 0);
  const stride = 4 * 2 ** level;
  return { stride, offset: stride + 1 };
}

/** The grey that deleting a region leaves, 0..255: occlusion's patches and the input-gradient methods' reference. */
const GREY = 128;

/**
 * Integrated gradients' default number of points on the way from grey to the face. On the 40 lfw-dev pairs of
 * `bench:explain`, 2 and 4 steps were equally faithful (deletion AUC 0.65× and 0.66× random in one run; 16 dev pairs:
 * 0.72× and 0.69×), and each step adds two rows to the forward and backward pass after the layer.
 */
const DEFAULT_STEPS = 2;

/** A face to explain: an image (its main face is used) or an image with the face's five landmarks (in image pixels). */
export type ExplainFace = FaceImage | { readonly image: FaceImage; readonly landmarks: readonly Point[] };

/** An enrolled person: their embeddings (from a `Gallery`); the one most similar to the face is explained, as the gallery scores it. */
export interface EnrolledPerson {
  readonly label: string;
  readonly embeddings: readonly Float32Array[];
}

/**
 * The layer Grad-CAM looks at, per embedder, and whether the network after it is a global average pool and
 * a linear map (then the map is the exact split of the similarity over the cells).
 *
 * - `dlib` (150 px): after `conv64_3`, a 17×17 grid of ~9 px cells. dlib's network does end in an average pool
 *   and a linear fc layer, so the similarity splits exactly after its last block, but that block is 2×2 at
 *   150 px (one cell per quarter of the face), and the 4×4 and 8×8 stages before it were no more faithful than
 *   random regions in the deletion test (AUC 0.84 and 0.74 against random's 0.79, 8 lfw-dev pairs), while
 *   `conv64_3` reached 0.58, below the centre prior's 0.66 (35×35 `conv32_3`: 0.76, too close to the pixels).
 *   This map is not exact: the blocks after it are not linear.
 * - `faceres` (224 px): the last layer, 7×7 × 1024 channels, whose global average pool *is* the embedding: the
 *   map is the exact per-cell decomposition (cells add up to the similarity). Earlier layers would need the
 *   depthwise-convolution gradient, which tfjs's WASM backend lacks.
 * - other embedders (mobileface) have none: pass `stage` or use occlusion.
 */
export const GRADCAM_STAGES: Readonly<Record<string, { readonly stage: string; readonly linearHead: boolean }>> = {
  dlib: { stage: 'conv64_3', linearHead: false },
  faceres: { stage: 'conv_pw_13_relu/clip_by_value', linearHead: true },
};

/** Options of {@link explainMatch}; detection options apply to images given without landmarks. */
export interface ExplainOptions extends DetectOptions {
  /** Default: the embedder's entry in {@link DEFAULT_EXPLAIN_METHODS}, else `'occlusion'`. */
  readonly method?: ExplainMethod;
  /** Similarity at or above which the faces are the same person; default the embedder's. */
  readonly threshold?: number;
  /**
   * The layer to look at: Grad-CAM's (a dlib block name or a graph node; default {@link GRADCAM_STAGES}), or the
   * input-gradient methods' (a dlib block name or `'input'` for the pixels; default
   * {@link INTEGRATED_GRADIENTS_STAGES} for integrated gradients, `'input'` for gradient × input).
   */
  readonly stage?: string;
  /** Integrated gradients: points on the way from grey to the face, 1..32 (default 2; each adds two crops to the pass). */
  readonly steps?: number;
  /** Cells per side of the map's grid over the crop: the input-gradient methods (default 16) and occlusion (default 8). */
  readonly grid?: number;
  /** Occlusion: patch side in cells (default 1). */
  readonly patchCells?: number;
  /** Occlusion: grey level of the patch, 0..255 (default 128, the grey of the deletion test). */
  readonly fill?: number;
  /**
   * Occlusion: greedy rounds, 1..16 (default 4). Each round scores the cells still showing, with earlier rounds'
   * cells grey, and greys its equal share of the best; 1 is plain occlusion.
   */
  readonly rounds?: number;
}

/** One face of an explanation: the aligned face the network saw and the map over it. */
export interface FaceExplanation {
  /** The aligned crop (8-bit RGB, the embedder's input size). */
  readonly face: RawImage;
  readonly map: HeatMap;
}

/** Why two faces (or a face and a person) scored as they did. */
export interface Explanation {
  readonly method: ExplainMethod;
  /** The embedder's name. */
  readonly embedder: string;
  /** Grad-CAM's layer. */
  readonly stage?: string;
  /** Cosine similarity of the two faces, as `Gallery.verify` computes it from these landmarks. */
  readonly score: number;
  readonly threshold: number;
  /** `score >= threshold`. */
  readonly same: boolean;
  /** The first face's map, then the second's (absent when the second is an enrolled person). */
  readonly faces: readonly FaceExplanation[];
  /** The person's label when the second input is an {@link EnrolledPerson}. */
  readonly person?: string;
}

/**
 * Explains the similarity of face `a` to face `b` (or to an enrolled person): a heat map over each aligned face
 * of how much each region counted. `'gradcam'` costs about one forward and one backward pass of the embedder;
 * `'occlusion'` re-embeds each face once per patch position and round (160 by default) but needs nothing of the network.
 * See the README ("Why did they match?") for how to read the maps and their limits.
 *
 * Embedders that add a mirrored view (`flip`) are explained on the unmirrored view; fusions are refused.
 * @throws InvalidArgumentError for a bad option, an image without a face, a fused embedder, or a person without
 *   usable embeddings.
 */
export async function explainMatch(pipeline: FacePipeline, a: ExplainFace, b: ExplainFace | EnrolledPerson, options: ExplainOptions = {}): Promise<Explanation> {
  const embedder = pipeline.embedder;
  if (!(embedder instanceof FaceEmbedder)) throw new InvalidArgumentError('pipeline', `explanations need a single embedder, not the fusion ${embedder.spec.name}`);
  const spec = embedder.spec;
  const method = options.method ?? DEFAULT_EXPLAIN_METHODS[spec.name] ?? 'occlusion';
  if (!EXPLAIN_METHODS.includes(method)) throw new InvalidArgumentError('method', `must be one of ${EXPLAIN_METHODS.join(', ')}, got "${String(method)}"`);
  const threshold = options.threshold ?? spec.threshold;
  if (!(threshold >= -1 && threshold <= 1)) throw new InvalidArgumentError('threshold', `must be a cosine similarity in [-1, 1], got ${threshold}`);
  const inputGradient = INPUT_GRADIENT_METHODS.includes(method);
  const layout = occlusionLayout(options, inputGradient ? 16 : 8);
  const alphas = method === 'integrated-gradients' ? integrationPoints(checkSteps(options.steps)) : [1];
  const stage = method === 'gradcam' ? gradcamStage(embedder, options.stage) : undefined;
  const whole = inputGradient ? inputGradientNet(embedder, method, options.stage) : undefined;
  const person = isPerson(b) ? checkPerson(b, spec.dimensions) : undefined;

  const crops = await alignedCrops(pipeline, embedder, person ? [a] : [a, b as ExplainFace], options);
  try {
    // A gradient method on two faces computes their similarity itself (the same network without the mirrored view): no
    // extra pass (integrated gradients adds the faces themselves to its batch for that).
    const fromGradient = (stage !== undefined || whole !== undefined) && !person && !spec.flip;
    const embeddings = fromGradient ? [] : await embedder.embedCrops(crops);
    let targets: Float32Array[] = [];
    let score = NaN;
    if (person) {
      const best = person.embeddings.reduce((p, e) => (dot(e, embeddings[0]!) > dot(p, embeddings[0]!) ? e : p));
      targets = [best];
      score = dot(best, embeddings[0]!);
    } else if (!fromGradient) {
      targets = [embeddings[1]!, embeddings[0]!];
      score = dot(embeddings[0]!, embeddings[1]!);
    }
    const faces = await cropsToImages(crops);
    let maps: HeatMap[];
    if (stage || whole) {
      const scaled = tf.tidy(() => scaleInput(crops, spec.inputRange));
      try {
        if (stage) {
          const result = await gradcamMaps(stage.split, scaled, fromGradient ? [] : targets);
          if (fromGradient) score = result.similarity[0]!;
          maps = result.raw.map((raw) => heatMapOf(raw, result.rows, result.cols, stage.linearHead));
        } else {
          const result = await inputGradientMaps(whole!.split, scaled, scaledGrey(spec.inputRange), fromGradient ? [] : targets, layout.grid, alphas, whole!.geometry);
          if (fromGradient) score = result.similarity[0]!;
          maps = result.raw.map((raw) => heatMapOf(raw, layout.grid, layout.grid, false));
        }
      } finally {
        scaled.dispose();
      }
    } else {
      const base = targets.map(() => score);
      const raw = await occlusionMaps(embedder, crops, targets, base, layout);
      maps = raw.map((r) => heatMapOf(r, layout.grid, layout.grid, false));
    }
    requireFinite([score], `the ${spec.name} embedder`, 'similarity score');
    return {
      method, embedder: spec.name, ...(stage ? { stage: stage.name } : {}), score, threshold, same: score >= threshold,
      faces: maps.map((map, i) => ({ face: faces[i]!, map })),
      ...(person ? { person: person.label } : {}),
    };
  } finally {
    crops.dispose();
  }
}

function isPerson(b: ExplainFace | EnrolledPerson): b is EnrolledPerson {
  return typeof b === 'object' && b !== null && 'embeddings' in b && 'label' in b;
}

/** The person's embeddings, normalised. @throws InvalidArgumentError when there are none or one is malformed. */
function checkPerson(person: EnrolledPerson, dimensions: number): EnrolledPerson {
  if (!Array.isArray(person.embeddings) || person.embeddings.length === 0) throw new InvalidArgumentError('b', `person "${String(person.label)}" has no embeddings`);
  const embeddings = person.embeddings.map((e, i) => {
    if (!(e instanceof Float32Array) || e.length !== dimensions) throw new InvalidArgumentError(`b.embeddings[${i}]`, `must be a Float32Array of ${dimensions} values, got ${String(e?.length)}`);
    const norm = Math.sqrt(dot(e, e));
    if (!(norm > 0 && Number.isFinite(norm))) throw new InvalidArgumentError(`b.embeddings[${i}]`, 'is zero or holds NaN or infinite values');
    return e.map((v) => v / norm);
  });
  return { label: person.label, embeddings };
}

function occlusionLayout(options: ExplainOptions, defaultGrid: number): OcclusionLayout {
  const grid = options.grid ?? defaultGrid, patchCells = options.patchCells ?? DEFAULT_PATCH_CELLS, fill = options.fill ?? GREY;
  const rounds = options.rounds ?? DEFAULT_OCCLUSION_ROUNDS;
  if (!(Number.isInteger(grid) && grid >= 2 && grid <= 64)) throw new InvalidArgumentError('grid', `must be an integer in 2..64, got ${grid}`);
  if (!(Number.isInteger(patchCells) && patchCells >= 1 && patchCells <= grid)) throw new InvalidArgumentError('patchCells', `must be an integer in 1..grid (${grid}), got ${patchCells}`);
  if (!(fill >= 0 && fill <= 255)) throw new InvalidArgumentError('fill', `must be a grey level in 0..255, got ${fill}`);
  if (!(Number.isInteger(rounds) && rounds >= 1 && rounds <= Math.min(16, grid * grid))) throw new InvalidArgumentError('rounds', `must be an integer in 1..${Math.min(16, grid * grid)}, got ${rounds}`);
  return { grid, patchCells, fill, rounds };
}

/**
 * The network cut where an input-gradient method takes its gradient (the pixels, or a layer) and where that
 * layer's positions lie. @throws InvalidArgumentError for an embedder that cannot be cut there, or an unknown layer.
 */
function inputGradientNet(embedder: FaceEmbedder, method: ExplainMethod, requested: string | undefined): { split: EmbeddingNetSplit; geometry: LayerGeometry } {
  const net = embedder.network;
  if (!INPUT_GRADIENT_EMBEDDERS.includes(embedder.spec.name) || !net.split) {
    throw new InvalidArgumentError('method', `${method} needs a network that runs differentiably from its pixels (${INPUT_GRADIENT_EMBEDDERS.join(', ')}), not ${embedder.spec.name}; use gradcam or occlusion`);
  }
  const stage = requested ?? (method === 'integrated-gradients' ? INTEGRATED_GRADIENTS_STAGES[embedder.spec.name] : undefined) ?? 'input';
  return { split: net.split(stage), geometry: dlibGeometry(stage) };
}

/** Integrated gradients' step count. @throws InvalidArgumentError unless an integer in 1..32. */
function checkSteps(steps: number | undefined): number {
  const k = steps ?? DEFAULT_STEPS;
  if (!(Number.isInteger(k) && k >= 1 && k <= 32)) throw new InvalidArgumentError('steps', `must be an integer in 1..32, got ${k}`);
  return k;
}

/** {@link GREY} scaled for the network's input range. */
function scaledGrey(range: FaceEmbedder['spec']['inputRange']): number {
  const { divisor, offset } = inputScaling(range);
  return GREY / divisor + offset;
}

/** The network cut at Grad-CAM's layer. @throws InvalidArgumentError when there is no layer to cut at. */
function gradcamStage(embedder: FaceEmbedder, requested: string | undefined): { name: string; split: EmbeddingNetSplit; linearHead: boolean } {
  const known = GRADCAM_STAGES[embedder.spec.name];
  const name = requested ?? known?.stage;
  if (name === undefined) throw new InvalidArgumentError('stage', `there is no default Grad-CAM layer for the ${embedder.spec.name} embedder; pass one or use the occlusion method`);
  const net = embedder.network;
  if (!net.split) throw new InvalidArgumentError('method', `the ${embedder.spec.name} network cannot be cut for Grad-CAM; use the occlusion method`);
  const split = net.split(name);
  if (name !== known?.stage) probeStage(split, embedder.spec.inputSize, name, embedder.spec.name);
  return { name, split, linearHead: split.linearHead || (name === known?.stage && known.linearHead) };
}

/**
 * A graph model only says whether a node exists when it runs: a layer other than the known one is tried on a
 * blank crop first. @throws InvalidArgumentError naming the layer.
 */
function probeStage(split: EmbeddingNetSplit, size: number, name: string, embedderName: string): void {
  try {
    tf.tidy(() => {
      const out = split.features(tf.zeros([1, size, size, 3]));
      if (out.rank !== 4) throw new Error(`its output has shape [${out.shape.join(', ')}], not [n, h, w, c]`);
    });
  } catch (error) {
    throw new InvalidArgumentError('stage', `"${name}" is not a usable layer of the ${embedderName} network (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
}

/** The faces aligned to the embedder's template: `[n, size, size, 3]`, 0..255. */
async function alignedCrops(pipeline: FacePipeline, embedder: FaceEmbedder, inputs: readonly ExplainFace[], options: DetectOptions): Promise<tf.Tensor4D> {
  const size: [number, number] = [embedder.spec.inputSize, embedder.spec.inputSize];
  const crops: tf.Tensor4D[] = [];
  try {
    for (const [i, input] of inputs.entries()) {
      const name = i === 0 ? 'a' : 'b';
      const withLandmarks = typeof input === 'object' && input !== null && 'landmarks' in input && !(input instanceof tf.Tensor);
      const image = withLandmarks ? input.image : input as FaceImage;
      let landmarks: readonly Point[];
      if (withLandmarks) landmarks = input.landmarks;
      else {
        const face = mainFace(await pipeline.detect(image, options));
        if (!face) throw new InvalidArgumentError(name, 'no face found in the image');
        landmarks = face.landmarks;
      }
      const matrices = embedder.alignmentMatrices([landmarks]);
      crops.push(tf.tidy(() => {
        const tensor = imageToTensor(image, name);
        const crop = warpAffine(tensor, matrices, size);
        return crop.shape[3] === 1 ? grayscaleToRgb(crop) : crop;
      }));
    }
    return tf.tidy(() => tf.concat(crops));
  } finally {
    crops.forEach((c) => c.dispose());
  }
}

async function cropsToImages(crops: tf.Tensor4D): Promise<RawImage[]> {
  const [n, h, w] = crops.shape;
  const values = await crops.data();
  return Array.from({ length: n }, (_, i) => {
    const data = new Uint8ClampedArray(h * w * 3);
    for (let j = 0; j < data.length; j++) data[j] = Math.round(values[i * h * w * 3 + j]!);
    return { data, width: w, height: h, channels: 3 as const };
  });
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
