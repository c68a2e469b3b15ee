// The lighting-invariant texture match a few-shot head adds to its embedding scores: Tan–Triggs, then LTP (or LBP) histograms of the aligned grey face, nearest neighbour by chi-square (Tan & Triggs 2010).
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, ModelFormatError } from '../errors/index.js';
import type { FiveLandmarks } from '../faces/landmarks.js';
import { similarityTransform, type Affine } from '../faces/geometry.js';
import { ARCFACE_TEMPLATE, templateInPixels } from '../faces/templates.js';
import { warpAffine, warpPixels } from '../faces/warp.js';
import type { FaceImage } from '../image/types.js';
import { tanTriggs } from '../preprocess/illumination.js';
import { LBP_BINS, cellChiSquareDistance, cellVisibility, chiSquareDistance, codeDistance, lbpHistograms, ltpCodes, ltpHistograms } from '../preprocess/lbp.js';
import { decodeBase64, encodeBase64 } from '../base64.js';
import { LightSubspaces } from './light-subspaces.js';

/**
 * How a texture is coded: `'tan-triggs-ltp'` (the default) local ternary patterns with cells in shadow left out,
 * `'tan-triggs-lbp'` local binary patterns on every cell (the only code before it; saved models keep theirs).
 */
export type TextureMethod = 'tan-triggs-lbp' | 'tan-triggs-ltp';

/**
 * How a few-shot head matches face textures beside the embeddings, as its saved metadata records it. The texture is
 * the face aligned on the ArcFace template (`size` pixels square, grey), Tan–Triggs-normalised with its published
 * parameters, coded as uniform pattern histograms on a `grid`; a person's texture distance is the smallest chi-square
 * distance to their training photos. With `'tan-triggs-ltp'` the codes are local ternary patterns and each cell
 * counts by how much of it both faces show out of deep shadow (`shadow`).
 */
export interface TextureMatching {
  readonly method: TextureMethod;
  /** Side of the aligned grey face, pixels. */
  readonly size: number;
  /** Pattern cells [rows, columns]. */
  readonly grid: readonly [number, number];
  /** `'tan-triggs-ltp'` only: the ternary threshold on the Tan–Triggs output (whose typical magnitude is about 1). */
  readonly threshold?: number;
  /**
   * `'tan-triggs-ltp'` only: `[dark, bright]` grey levels (0..255, as photographed) of {@link cellVisibility}: a cell
   * whose pixels are all at or below `dark` holds only camera noise and is left out of the distance.
   */
  readonly shadow?: readonly [number, number];
  /**
   * `'tan-triggs-ltp'` only: the weight for a face entirely in shadow. A face's weight goes linearly from `weight`
   * (every cell visible) to this (none visible) with the mean visibility of its cells: an embedding holds up under
   * even light, the texture where half the face is black. Absent: `weight` for every face.
   */
  readonly shadowWeight?: number;
  /**
   * `'tan-triggs-ltp'` only, for photos cropped alike: a face in shadow (more than 30% of it, measured against the
   * training photos) is matched pixel by pixel instead of by cell histograms: each of its visible pixels' codes is
   * sought among the same codes of the other face within this many pixels ({@link codeDistance}). A face lit from
   * behind shows only a rim, too narrow to fill any cell. Each texture then also carries its pixels' codes (2 bytes
   * per pixel of `pixelSize`: 18 kB more at 96 × 96). Only faces that line up pixel for pixel gain: a class-mean
   * head uses it only with its crop textures (training photos found to be crops of one geometry), and a CNN, which
   * reads photos whole, only when its training photos, relit, are named by the codes at least as often as by the
   * histograms. Absent: histograms for every face.
   */
  readonly pixelRadius?: number;
  /**
   * `pixelRadius` only: the side, in pixels, of the aligned face whose pixel codes are matched (the histograms keep
   * `size`). A rim or a lit forehead is a few pixels wide at 64: finer pixels keep more of it, while faces in view
   * keep the coarser histograms that hold up across photos. Absent: `size`.
   */
  readonly pixelSize?: number;
  /**
   * `pixelRadius` only: the side, in pixels, of the face whose grey levels each texture also keeps (1 byte per pixel:
   * 2.3 kB at 48 × 48), to match a face in shadow against each person's light subspace: the span of their training
   * photos' grey levels (4 dimensions, from people with at least 3 photos). Where a person's photos line up pixel for
   * pixel (a light stage photographs one pose under every lamp), that span holds their face under any lamp on the
   * pixels it lights (Lambert's law), so a face lit from far off axis is fitted there on its visible pixels. The logs
   * of the residuals are then the face's texture distances: for every face in shadow when the training photos line
   * up (each is fitted by its own person's span far better than by anyone else's), else only where one person's
   * residual is at most a quarter of anyone else's; elsewhere the pixel codes are. Absent: pixel codes only.
   */
  readonly subspaceSize?: number;
  /**
   * How much the texture moves a score, in units of the spread of the embedding's scores over the people: a
   * person's fused score is `cosine + weight · σ(cosines) · z(−texture distance)`. With `shadowWeight`, the weight of
   * a face in full view.
   */
  readonly weight: number;
}

/**
 * The share of a face in shadow (against the training photos; see {@link textureWeight}) above which it counts as
 * a face in shadow: matched pixel by pixel (`pixelRadius`), and by a head with crop geometry where its crops have
 * their faces.
 */
export const FACE_IN_SHADOW = 0.3;

/**
 * The default texture match of a class-mean head: 64×64 faces, 8×8 cells, LTP at threshold 0.2, cells darker than
 * 3–20 grey levels left out, weight 0.25 for a face in full view rising to 2 for one in shadow, a face in shadow
 * matched pixel by pixel within 3 pixels of a 96 × 96 face, or by each person's light subspace at 48 × 48 where those
 * can name it. Embeddings of faces half in shadow lose much of their
 * identity while Tan–Triggs + LTP on the lit cells keeps it; at weight 0.25 the embedding still decides on normally
 * lit real photos (bench/lighting-fewshot.mjs, BENCHMARKS.md lighting).
 */
export const DEFAULT_TEXTURE_MATCHING: TextureMatching = Object.freeze({
  method: 'tan-triggs-ltp',
  size: 64,
  grid: Object.freeze([8, 8]) as readonly [number, number],
  threshold: 0.2,
  shadow: Object.freeze([3, 20]) as readonly [number, number],
  weight: 0.25,
  shadowWeight: 2,
  pixelRadius: 3,
  pixelSize: 96,
  subspaceSize: 48,
});

/** The side of the face whose pixel codes a match reads ({@link TextureMatching.pixelSize}), or undefined without pixel codes. */
export function pixelSide(matching: TextureMatching): number | undefined {
  return matching.pixelRadius === undefined ? undefined : (matching.pixelSize ?? matching.size);
}

/**
 * Values of one texture: each cell's histograms, then (LTP) each cell's visibility, then (with `pixelRadius`) its
 * pixels' codes ({@link ltpCodes}, at {@link pixelSide}) over 255, then (with `subspaceSize`) the face's grey levels
 * at that side over 255.
 */
export function textureLength(matching: TextureMatching): number {
  if (matching.method !== 'tan-triggs-ltp') return matching.grid[0] * matching.grid[1] * LBP_BINS;
  const subspace = matching.subspaceSize ?? 0;
  return ltpParts(matching).frame + subspace * subspace;
}

/** Where an LTP texture's parts start: the visibility after the histograms, the codes after the visibility, the grey frame after the codes. */
function ltpParts(matching: TextureMatching): { visibility: number; codes: number; frame: number } {
  const cells = matching.grid[0] * matching.grid[1];
  const side = pixelSide(matching) ?? 0;
  const codes = cells * (2 * LBP_BINS + 1);
  return { visibility: cells * 2 * LBP_BINS, codes, frame: codes + 2 * side * side };
}

/** The histogram distance of two textures of the same match: chi-square, per visible cell for LTP. */
export function textureDistance(a: Float32Array, b: Float32Array, matching: TextureMatching): number {
  if (matching.method === 'tan-triggs-lbp') return chiSquareDistance(a, b);
  const { visibility: bins, codes } = ltpParts(matching);
  return cellChiSquareDistance(a.subarray(0, bins), b.subarray(0, bins), 2 * LBP_BINS, a.subarray(bins, codes), b.subarray(bins, codes));
}

/** The pixel codes of a texture of `matching`, as the bytes {@link codeDistance} compares; undefined without pixel codes. */
export function codeBytes(texture: Float32Array, matching: TextureMatching): Uint8Array | undefined {
  if (pixelSide(matching) === undefined) return undefined;
  const { codes, frame } = ltpParts(matching);
  return Uint8Array.from(texture.subarray(codes, frame), (c) => Math.round(c * 255));
}

/**
 * `matching` without its pixel-by-pixel match of faces in shadow ({@link TextureMatching.pixelRadius}, `pixelSize`,
 * `subspaceSize`): histograms for every face.
 */
export function withoutPixelCodes(matching: TextureMatching): TextureMatching {
  const { pixelRadius: _, pixelSize: __, subspaceSize: ___, ...rest } = matching;
  return rest;
}

/**
 * Checks a texture match read from metadata or options; a fresh copy.
 * @throws InvalidArgumentError naming `source` and the bad field.
 */
export function validateTextureMatching(value: unknown, source: string): TextureMatching {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const method = v.method;
  if (method !== 'tan-triggs-lbp' && method !== 'tan-triggs-ltp') {
    throw new InvalidArgumentError(`${source}.method`, `expected 'tan-triggs-ltp' or 'tan-triggs-lbp', got ${JSON.stringify(method)}`);
  }
  const size = v.size;
  if (!(Number.isInteger(size) && (size as number) >= 16 && (size as number) <= 256)) throw new InvalidArgumentError(`${source}.size`, `expected an integer in [16, 256], got ${String(size)}`);
  const grid = v.grid;
  if (!Array.isArray(grid) || grid.length !== 2 || !grid.every((g) => Number.isInteger(g) && g >= 1 && g <= (size as number) / 4)) {
    throw new InvalidArgumentError(`${source}.grid`, `expected [rows, columns] with cells of at least 4 pixels, got ${JSON.stringify(grid)}`);
  }
  const weight = v.weight;
  if (typeof weight !== 'number' || !(weight >= 0 && weight <= 10)) throw new InvalidArgumentError(`${source}.weight`, `expected a number in [0, 10], got ${String(weight)}`);
  const base: TextureMatching = { method, size: size as number, grid: [grid[0] as number, grid[1] as number] as [number, number], weight };
  if (method === 'tan-triggs-lbp') {
    if (v.threshold !== undefined || v.shadow !== undefined || v.shadowWeight !== undefined || v.pixelRadius !== undefined || v.pixelSize !== undefined || v.subspaceSize !== undefined) {
      throw new InvalidArgumentError(source, `'tan-triggs-lbp' takes no threshold, shadow, shadowWeight, pixelRadius, pixelSize or subspaceSize (those are 'tan-triggs-ltp' settings)`);
    }
    return base;
  }
  const threshold = v.threshold;
  if (typeof threshold !== 'number' || !(threshold > 0 && threshold <= 5)) throw new InvalidArgumentError(`${source}.threshold`, `expected a number in (0, 5], got ${String(threshold)}`);
  const shadow = v.shadow;
  if (!Array.isArray(shadow) || shadow.length !== 2 || !(typeof shadow[0] === 'number' && typeof shadow[1] === 'number' && shadow[0] >= 0 && shadow[1] > shadow[0] && shadow[1] <= 255)) {
    throw new InvalidArgumentError(`${source}.shadow`, `expected [dark, bright] grey levels with 0 ≤ dark < bright ≤ 255, got ${JSON.stringify(shadow)}`);
  }
  const shadowWeight = v.shadowWeight;
  if (shadowWeight !== undefined && (typeof shadowWeight !== 'number' || !(shadowWeight >= 0 && shadowWeight <= 10))) {
    throw new InvalidArgumentError(`${source}.shadowWeight`, `expected a number in [0, 10], got ${String(shadowWeight)}`);
  }
  const pixelRadius = v.pixelRadius;
  if (pixelRadius !== undefined && !(Number.isInteger(pixelRadius) && (pixelRadius as number) >= 1 && (pixelRadius as number) <= 8)) {
    throw new InvalidArgumentError(`${source}.pixelRadius`, `expected an integer in [1, 8], got ${String(pixelRadius)}`);
  }
  const pixelSize = v.pixelSize;
  if (pixelSize !== undefined && !(pixelRadius !== undefined && Number.isInteger(pixelSize) && (pixelSize as number) >= 16 && (pixelSize as number) <= 256)) {
    throw new InvalidArgumentError(`${source}.pixelSize`, `expected an integer in [16, 256] beside a pixelRadius, got ${String(pixelSize)}`);
  }
  const subspaceSize = v.subspaceSize;
  if (subspaceSize !== undefined && !(pixelRadius !== undefined && Number.isInteger(subspaceSize) && (subspaceSize as number) >= 16 && (subspaceSize as number) <= 128)) {
    throw new InvalidArgumentError(`${source}.subspaceSize`, `expected an integer in [16, 128] beside a pixelRadius, got ${String(subspaceSize)}`);
  }
  return {
    ...base,
    threshold,
    shadow: [shadow[0] as number, shadow[1] as number],
    ...(shadowWeight === undefined ? {} : { shadowWeight }),
    ...(pixelRadius === undefined ? {} : { pixelRadius: pixelRadius as number }),
    ...(pixelSize === undefined ? {} : { pixelSize: pixelSize as number }),
    ...(subspaceSize === undefined ? {} : { subspaceSize: subspaceSize as number }),
  };
}

/** The mean visibility of an LTP texture's cells (1 for LBP, which records none). */
function meanVisibility(texture: ArrayLike<number>, matching: TextureMatching, scale = 1): number {
  if (matching.method !== 'tan-triggs-ltp') return 1;
  const cells = matching.grid[0] * matching.grid[1];
  const { visibility } = ltpParts(matching);
  let visible = 0;
  for (let i = visibility; i < visibility + cells; i++) visible += texture[i]! * scale;
  return visible / cells;
}

/**
 * The weight a face's texture evidence gets: `weight`, or with `shadowWeight` (LTP) `weight + (shadowWeight −
 * weight) · s`, where s, the share of the face in shadow, is `1 − v / reference` clipped to [0, 1]: v the mean
 * visibility of the face's cells, `reference` the training photos' (median). Measured against the training photos,
 * the cells every photo of that framing leaves dark (a black background, a crop reaching past the photo's edge) do
 * not count as shadow.
 */
export function textureWeight(texture: Float32Array, matching: TextureMatching, reference: number): number {
  if (matching.method !== 'tan-triggs-ltp' || matching.shadowWeight === undefined) return matching.weight;
  return matching.weight + (matching.shadowWeight - matching.weight) * shadowShare(texture, matching, reference);
}

/** The share of a face in shadow, `1 − v / reference` clipped to [0, 1] (see {@link textureWeight}); 0 for LBP. */
function shadowShare(texture: Float32Array, matching: TextureMatching, reference: number): number {
  if (matching.method !== 'tan-triggs-ltp' || !(reference > 0)) return 0;
  return Math.min(1, Math.max(0, 1 - meanVisibility(texture, matching) / reference));
}

/**
 * The texture of the face at `landmarks` in `image` (a RawImage or a `[h, w, c]` tensor, 0..255; not disposed): the
 * face warped onto the ArcFace template at `size`² pixels, grey, Tan–Triggs-normalised, then pattern histograms
 * (and pixel codes, from a second warp when the match reads them at another `pixelSize`).
 */
export async function faceTexture(image: FaceImage, landmarks: FiveLandmarks, matching: TextureMatching): Promise<Float32Array> {
  const [height, width] = image instanceof tf.Tensor ? image.shape : [image.height, image.width];
  const aligned = (size: number): { grey: tf.Tensor4D; inside: Uint8Array } => {
    const m = similarityTransform(templateInPixels(ARCFACE_TEMPLATE, size), landmarks);
    const grey = tf.tidy(() => {
      const crop = image instanceof tf.Tensor
        ? tf.squeeze(warpAffine(image, [m], [size, size]), [0])
        : tf.tensor3d(warpPixels(image, [m], size, size, 0), [size, size, image.channels]);
      return tf.expandDims(crop.shape[2] === 1 ? crop : tf.mean(crop, 2, true), 0) as tf.Tensor4D;
    });
    return { grey, inside: warpCoverage(m, width, height, size) };
  };
  const face = aligned(matching.size);
  const side = pixelSide(matching);
  let fine: ReturnType<typeof aligned> | undefined;
  let subspace: ReturnType<typeof aligned> | undefined;
  try {
    if (side !== undefined && side !== matching.size) fine = aligned(side);
    if (matching.subspaceSize !== undefined) subspace = aligned(matching.subspaceSize);
    return (await greyTextures(face.grey, matching, [face.inside], fine && { grey: fine.grey, inside: [fine.inside] }, subspace?.grey))[0]!;
  } finally {
    face.grey.dispose();
    fine?.grey.dispose();
    subspace?.grey.dispose();
  }
}

/**
 * Which pixels of a `size`² warp by `m` (output pixel centre → source coordinates, as {@link warpPixels} samples)
 * fall on the `width × height` photo: 1, or 0 past its edge.
 */
function warpCoverage(m: Affine, width: number, height: number, size: number): Uint8Array {
  const out = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const sx = m[0] * (x + 0.5) + m[1] * (y + 0.5) + m[2] - 0.5;
      const sy = m[3] * (x + 0.5) + m[4] * (y + 0.5) + m[5] - 0.5;
      out[y * size + x] = sx >= 0 && sx <= width - 1 && sy >= 0 && sy <= height - 1 ? 1 : 0;
    }
  }
  return out;
}

/** The same faces framed at a match's {@link pixelSide} for their pixel codes, where that differs from its `size`. */
export interface FineFaces {
  /** `[n, side, side, 1]` grey faces, 0..255 (not disposed). */
  readonly grey: tf.Tensor4D;
  /** Per face, which of its pixels fall on the photo (see {@link greyTextures}). */
  readonly inside?: readonly Uint8Array[];
}

/**
 * The textures of grey faces already framed and at the match's size (`[n, size, size, 1]`, 0..255; not disposed):
 * Tan–Triggs-normalised with its published parameters, then pattern histograms (and, for LTP, each cell's
 * visibility from the grey levels, over the pixels `inside` flags as the photo's when given), one texture per face.
 * Pixel codes come from `fine` when the match reads them at another side ({@link TextureMatching.pixelSize}), and
 * the grey levels a match with `subspaceSize` keeps from `subspace` (`[n, subspaceSize, subspaceSize, 1]`, 0..255;
 * not disposed), the same faces framed at that side, outside the photo black.
 * What {@link faceTexture} does after aligning; a trained CNN's textures come here from its own crop of the photo.
 * @throws InvalidArgumentError naming `grey`, `fine` or `subspace` for faces of the wrong shape, or `fine` or
 *   `subspace` when it is needed and missing.
 */
export async function greyTextures(grey: tf.Tensor4D, matching: TextureMatching, inside?: readonly Uint8Array[], fine?: FineFaces, subspace?: tf.Tensor4D): Promise<Float32Array[]> {
  const { size, grid } = matching;
  const [n, h, w, c] = grey.shape;
  if (h !== size || w !== size || c !== 1) throw new InvalidArgumentError('grey', `expected [n, ${size}, ${size}, 1] faces, got [${grey.shape.join(', ')}]`);
  const side = pixelSide(matching);
  const atFine = side !== undefined && side !== size;
  if (atFine) {
    const shape = fine?.grey.shape;
    if (!shape || shape[0] !== n || shape[1] !== side || shape[2] !== side || shape[3] !== 1) {
      throw new InvalidArgumentError('fine', `expected [${n}, ${side}, ${side}, 1] faces for pixel codes at ${side} pixels, got ${shape ? `[${shape.join(', ')}]` : 'none'}`);
    }
  }
  const subspaceSide = matching.subspaceSize;
  if (subspaceSide !== undefined) {
    const shape = subspace?.shape;
    if (!shape || shape[0] !== n || shape[1] !== subspaceSide || shape[2] !== subspaceSide || shape[3] !== 1) {
      throw new InvalidArgumentError('subspace', `expected [${n}, ${subspaceSide}, ${subspaceSide}, 1] faces for the light subspaces, got ${shape ? `[${shape.join(', ')}]` : 'none'}`);
    }
  }
  const normalised = tanTriggs(grey);
  try {
    // Read asynchronously: a GPU backend in Node cannot read its memory synchronously.
    const values = (await normalised.data()) as Float32Array;
    const face = (i: number): Float32Array => values.subarray(i * size * size, (i + 1) * size * size);
    if (matching.method === 'tan-triggs-lbp') return Array.from({ length: n }, (_, i) => lbpHistograms(face(i), size, size, grid));
    const levels = (await grey.data()) as Float32Array;
    const codes = side === undefined ? undefined
      : atFine ? await finePixelCodes(fine!, side, matching)
      : pixelCodesOf(values, levels, n, side, matching, inside);
    const frames = subspaceSide === undefined ? undefined : ((await subspace!.data()) as Float32Array);
    const parts = ltpParts(matching);
    return Array.from({ length: n }, (_, i) => {
      const own = levels.subarray(i * size * size, (i + 1) * size * size);
      const histograms = ltpHistograms(face(i), size, size, grid, matching.threshold!);
      const visibility = cellVisibility(own, size, size, grid, matching.shadow!, inside?.[i]);
      const out = new Float32Array(textureLength(matching));
      out.set(histograms);
      out.set(visibility, histograms.length);
      if (codes) out.set(codes[i]!, parts.codes);
      if (frames) {
        const area = subspaceSide! * subspaceSide!;
        for (let q = 0; q < area; q++) out[parts.frame + q] = Math.min(255, Math.max(0, frames[i * area + q]!)) / 255;
      }
      return out;
    });
  } finally {
    normalised.dispose();
  }
}

/**
 * The textures of faces that `frame` frames at a side (`[n, side, side, 1]` grey faces, 0..255; disposed here): at
 * the match's size, again at its pixel side where the codes are read at another, and at its `subspaceSize` where it
 * has one ({@link greyTextures}).
 */
export async function framedTextures(frame: (side: number) => tf.Tensor4D, matching: TextureMatching): Promise<Float32Array[]> {
  const side = pixelSide(matching);
  const grey = frame(matching.size);
  let fine: tf.Tensor4D | undefined;
  let subspace: tf.Tensor4D | undefined;
  try {
    if (side !== undefined && side !== matching.size) fine = frame(side);
    if (matching.subspaceSize !== undefined) subspace = frame(matching.subspaceSize);
    return await greyTextures(grey, matching, undefined, fine && { grey: fine }, subspace);
  } finally {
    grey.dispose();
    fine?.dispose();
    subspace?.dispose();
  }
}

/** {@link pixelCodesOf} the faces framed at the match's pixel side. */
async function finePixelCodes(fine: FineFaces, side: number, matching: TextureMatching): Promise<Float32Array[]> {
  const normalised = tanTriggs(fine.grey);
  try {
    const values = (await normalised.data()) as Float32Array;
    return pixelCodesOf(values, (await fine.grey.data()) as Float32Array, fine.grey.shape[0], side, matching, fine.inside);
  } finally {
    normalised.dispose();
  }
}

/**
 * Each face's pixel codes over 255, at `side` pixels (`grey` `[n, side, side, 1]`, Tan–Triggs-normalised as `values`):
 * a pixel counts as showing the face above the middle of the shadow range; below it, camera noise is much of its level.
 */
function pixelCodesOf(values: Float32Array, levels: Float32Array, n: number, side: number, matching: TextureMatching, inside?: readonly Uint8Array[]): Float32Array[] {
  const above = visibleAbove(matching);
  const area = side * side;
  return Array.from({ length: n }, (_, i) => {
    const own = levels.subarray(i * area, (i + 1) * area);
    const visible = Uint8Array.from(own, (level, p) => (level > above && (!inside || inside[i]![p]) ? 1 : 0));
    return Float32Array.from(ltpCodes(values.subarray(i * area, (i + 1) * area), side, side, matching.threshold!, visible), (c) => c / 255);
  });
}

/** How a class-mean head saves its training textures: the match, and the textures quantised to bytes, in base64. */
export interface SavedTextures extends TextureMatching {
  /** Person index (into the head's labels) of each training texture. */
  readonly people: readonly number[];
  /** Every texture's values · 255, rounded, as bytes in base64 (`people.length · textureLength(match)` of them). */
  readonly textures: string;
}

/** The training textures of a head, matched by nearest neighbour per person. */
export class TextureGallery {
  private constructor(
    readonly matching: TextureMatching,
    /** Person index of each texture. */
    private readonly people: Int32Array,
    /** Textures, quantised to multiples of 1/255 (as saved, so a loaded head scores exactly as the fitted one). */
    private readonly bytes: Uint8Array,
    private readonly count: number,
  ) {
    const bins = textureLength(matching);
    const means = Array.from({ length: people.length }, (_, i) => meanVisibility(bytes.subarray(i * bins, (i + 1) * bins), matching, 1 / 255)).sort((a, b) => a - b);
    this.referenceVisibility = means.length === 0 ? 1 : means[Math.floor(means.length / 2)]!;
    // Built from the saved bytes, so a loaded gallery scores exactly as the fitted one.
    const subspaceSide = matching.subspaceSize;
    if (subspaceSide !== undefined) {
      const start = ltpParts(matching).frame;
      const frames = Array.from({ length: people.length }, (_, i) => bytes.subarray(i * bins + start, (i + 1) * bins));
      this.subspaces = LightSubspaces.fromFrames(frames, Array.from(people), count, subspaceSide, visibleAbove(matching));
    }
  }

  /** Each person's light subspace, with `subspaceSize`. */
  private readonly subspaces: LightSubspaces | undefined;

  /** The median of the training textures' mean cell visibility: how much of a face in full view this framing shows. */
  private readonly referenceVisibility: number;

  /** Whether `other` codes its textures as this gallery does, pixel codes aside (the same face can be read for both). */
  sameMatching(other: TextureGallery): boolean {
    // Both come from validateTextureMatching, which builds its fields in one order: equal matches serialise alike.
    return JSON.stringify(withoutPixelCodes(this.matching)) === JSON.stringify(withoutPixelCodes(other.matching));
  }

  /** The share of `texture`'s face in shadow, measured against the training photos (0 for LBP textures). */
  shadowOf(texture: Float32Array): number {
    return shadowShare(texture, this.matching, this.referenceVisibility);
  }

  /** The weight of `texture`'s evidence ({@link textureWeight} against the training photos). */
  weightOf(texture: Float32Array): number {
    return textureWeight(texture, this.matching, this.referenceVisibility);
  }

  /** Values of one texture. */
  private get bins(): number {
    return textureLength(this.matching);
  }

  /** A gallery of `textures` (from {@link faceTexture}), `people[i]` the person index of texture i among `count` people. */
  static fromTextures(matching: TextureMatching, textures: readonly Float32Array[], people: readonly number[], count: number): TextureGallery {
    const bins = textureLength(matching);
    const bytes = new Uint8Array(textures.length * bins);
    textures.forEach((t, i) => {
      if (t.length !== bins) throw new InvalidArgumentError('textures', `entry ${i} has ${t.length} bins, expected ${bins}`);
      for (let j = 0; j < bins; j++) bytes[i * bins + j] = Math.round(Math.min(1, Math.max(0, t[j]!)) * 255);
    });
    return new TextureGallery(matching, Int32Array.from(people), bytes, count);
  }

  /**
   * The gallery saved with a head of `count` people.
   * @throws ModelFormatError naming `source` when a field or the data's length is wrong.
   */
  static fromSaved(saved: unknown, count: number, source: string): TextureGallery {
    let matching: TextureMatching;
    try {
      matching = validateTextureMatching(saved, 'metadata.texture');
    } catch (error) {
      throw new ModelFormatError(source, error instanceof Error ? error.message : String(error), { cause: error });
    }
    const s = saved as Record<string, unknown>;
    const people = s.people;
    if (!Array.isArray(people) || !people.every((p) => Number.isInteger(p) && p >= 0 && p < count)) {
      throw new ModelFormatError(source, `metadata.texture.people must list a person index below ${count} per texture`);
    }
    const bytes = typeof s.textures === 'string' ? decodeBase64(s.textures) : undefined;
    const bins = textureLength(matching);
    if (!bytes || bytes.length !== people.length * bins) {
      throw new ModelFormatError(source, `metadata.texture.textures must hold ${people.length} × ${bins} bytes in base64`);
    }
    return new TextureGallery(matching, Int32Array.from(people as number[]), bytes, count);
  }

  /**
   * Log relative residuals of `texture`'s grey frame in each person's light subspace, when they can name it (see
   * {@link TextureMatching.subspaceSize}); else undefined.
   */
  private subspaceDistances(texture: Float32Array): Float32Array | undefined {
    if (!this.subspaces) return undefined;
    const start = ltpParts(this.matching).frame;
    const residuals = this.subspaces.explain(Float32Array.from(texture.subarray(start), (v) => Math.round(v * 255)));
    if (!residuals) return undefined;
    // Logs: the right person's residual is orders of magnitude below the rest, which a z-score on a linear scale hides.
    return residuals.map((r) => (Number.isFinite(r) ? Math.log(Math.max(r, 1e-12)) : r));
  }

  /** What {@link TextureGallery.fromSaved} reads back. */
  toSaved(): SavedTextures {
    return { ...this.matching, grid: [...this.matching.grid], people: Array.from(this.people), textures: encodeBase64(this.bytes) };
  }

  /**
   * Each person's smallest distance from `texture` to their training textures (Infinity for none): chi-square of
   * the histograms, or with `pixelRadius` for a face in shadow the pixels' {@link codeDistance}. With
   * `subspaceSize`, a face in shadow that the light subspaces can name (see {@link TextureMatching.subspaceSize})
   * gets the log of each person's relative residual instead.
   */
  distances(texture: Float32Array): Float32Array {
    const bins = this.bins;
    if (texture.length !== bins) throw new InvalidArgumentError('texture', `has ${texture.length} bins, expected ${bins}`);
    const out = new Float32Array(this.count).fill(Number.POSITIVE_INFINITY);
    const { pixelRadius } = this.matching;
    const side = pixelSide(this.matching) ?? 0;
    const byPixel = pixelRadius !== undefined && this.shadowOf(texture) > FACE_IN_SHADOW;
    const bySubspace = byPixel ? this.subspaceDistances(texture) : undefined;
    if (bySubspace) return bySubspace;
    const parts = ltpParts(this.matching);
    const codes = byPixel ? codeBytes(texture, this.matching) : undefined;
    const row = new Float32Array(bins);
    for (let i = 0; i < this.people.length; i++) {
      let d: number;
      // Only the nearest photo of each person counts: a farther one may stop early.
      if (codes) d = codeDistance(codes, this.bytes.subarray(i * bins + parts.codes, i * bins + parts.frame), side, side, pixelRadius!, out[this.people[i]!]!);
      else {
        for (let j = 0; j < bins; j++) row[j] = this.bytes[i * bins + j]! / 255;
        d = textureDistance(texture, row, this.matching);
      }
      const p = this.people[i]!;
      if (d < out[p]!) out[p] = d;
    }
    return out;
  }
}

/** The grey level above which a pixel shows the face: the middle of the match's shadow range (below it, camera noise is much of its level). */
function visibleAbove(matching: TextureMatching): number {
  const [dark, bright] = matching.shadow!;
  return (dark + bright) / 2;
}

/**
 * Embedding scores moved by texture evidence: `cosines[k] + weight · σ(cosines) · z_k`, where z is the standardised
 * negative texture distance over the people. On the cosine scale, so the head's threshold keeps its meaning; people
 * without a texture (infinite distance) get the lowest z.
 */
export function fuseTextureScores(cosines: Float32Array, distances: Float32Array, weight: number): Float32Array {
  const n = cosines.length;
  if (distances.length !== n) throw new InvalidArgumentError('distances', `has ${distances.length} entries for ${n} people`);
  if (n < 2 || weight === 0) return Float32Array.from(cosines);
  const finite = Array.from(distances).filter(Number.isFinite);
  const worst = finite.length > 0 ? Math.max(...finite) : 0;
  const evidence = Array.from(distances, (d) => -(Number.isFinite(d) ? d : worst));
  const spread = (v: readonly number[]): { mean: number; sd: number } => {
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    return { mean, sd: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) };
  };
  const c = spread(Array.from(cosines));
  const e = spread(evidence);
  if (!(e.sd > 0)) return Float32Array.from(cosines);
  return Float32Array.from(cosines, (s, k) => s + weight * c.sd * ((evidence[k]! - e.mean) / e.sd));
}
