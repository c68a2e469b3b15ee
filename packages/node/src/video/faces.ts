// Faces on video frames: detection on a shrunk copy in the windows the tracker plans, embedding only the faces it asks for.
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, WindowPlanner, type Box, type DetectedFace, type FacePipeline, type RawImage } from '@facerec/core';
import { fiveFromBlazeFace } from '@facerec/core/internal';

/** How `watchVideo` finds faces in each frame (detection size, smallest face, frames between detections...). */
export interface FrameFacesOptions {
  /**
   * Longest side, in pixels, of the copy detection runs on: frames are shrunk by the smallest whole factor that
   * brings them to it or below (1280×720 → 640×360; 1920×1080 → 640×360). Default 640.
   */
  readonly detectionSize?: number;
  /**
   * Smallest face to find, in pixels of the frame. Default 80 (a smaller face makes a poor embedding anyway,
   * and the scan's windows grow with the square of frame size over face size).
   */
  readonly minFaceSize?: number;
  /** Detection frames over which the whole frame is scanned for new faces (a slice each time). Default 5. */
  readonly scanFrames?: number;
  /** Least detector score of a face (0..1). Default 0.6. */
  readonly scoreThreshold?: number;
}

/**
 * Detection and embedding on the frames of one video (one size). Each frame is shrunk once to
 * `detectionSize`; the detector runs only in the windows a {@link WindowPlanner} picks (one per tracked face
 * plus a slice of a full scan); faces are embedded from the full-size frame, and only when asked.
 */
export class FrameFaces {
  /** The whole shrink factor, and its inverse. */
  private readonly factor: number;
  private readonly scale: number;
  /** The copy's samples, reused frame after frame. */
  private readonly copyPixels: Float32Array;
  private readonly copyWidth: number;
  private readonly copyHeight: number;
  private readonly planner: WindowPlanner;
  private readonly scoreThreshold: number;
  private readonly embedSize: number;

  constructor(private readonly pipeline: FacePipeline, readonly width: number, readonly height: number, options: FrameFacesOptions = {}) {
    const detectionSize = options.detectionSize ?? 640;
    const minFace = options.minFaceSize ?? 80;
    this.scoreThreshold = options.scoreThreshold ?? 0.6;
    if (!(Number.isInteger(detectionSize) && detectionSize >= 128)) throw new InvalidArgumentError('detectionSize', `must be an integer ≥ 128, got ${String(detectionSize)}`);
    if (!(Number.isFinite(minFace) && minFace > 0)) throw new InvalidArgumentError('minFaceSize', `must be a positive number of pixels, got ${String(minFace)}`);
    if (!(this.scoreThreshold >= 0 && this.scoreThreshold <= 1)) throw new InvalidArgumentError('scoreThreshold', `must be in [0, 1], got ${String(this.scoreThreshold)}`);
    this.factor = Math.max(1, Math.ceil(Math.max(width, height) / detectionSize));
    this.scale = 1 / this.factor;
    this.copyWidth = Math.max(1, Math.floor(width / this.factor));
    this.copyHeight = Math.max(1, Math.floor(height / this.factor));
    this.copyPixels = new Float32Array(this.copyWidth * this.copyHeight * 3);
    // BlazeFace sees faces down to a fifth of a 128-pixel window: smaller ones in the copy cannot be found anyway.
    const minInCopy = Math.max(minFace * this.scale, 128 / 5);
    this.planner = new WindowPlanner(this.copyWidth, this.copyHeight, { minFaceSize: minInCopy, scanFrames: options.scanFrames ?? 5 });
    // Faces are embedded from regions cut from the frame's pixels (not a tensor of the whole frame).
    this.embedSize = Math.max(128, Math.min(Math.max(width, height) - 1, detectionSize));
  }

  /** Windows of a full scan (the work of a frame without tracking). */
  get scanWindows(): number {
    return this.planner.scanWindows;
  }

  /** Faces on `frame` in the windows around `expected` boxes (frame pixels) and this frame's scan slice. */
  async detect(frame: RawImage, expected: ReadonlyArray<{ readonly box: Box; readonly missed: number }>): Promise<DetectedFace[]> {
    const s = this.scale;
    const windows = this.planner.windows(expected.map((e) => ({ box: { x: e.box.x * s, y: e.box.y * s, width: e.box.width * s, height: e.box.height * s }, missed: e.missed })));
    shrinkRgb(frame, this.factor, this.copyPixels, this.copyWidth, this.copyHeight);
    const copy = tf.tensor3d(this.copyPixels, [this.copyHeight, this.copyWidth, 3]);
    try {
      const found = await this.pipeline.detector.detectInWindows(copy, windows, { scoreThreshold: this.scoreThreshold });
      const sx = this.factor, sy = this.factor;
      return found.map((d) => ({
        box: { x: d.box.x * sx, y: d.box.y * sy, width: d.box.width * sx, height: d.box.height * sy },
        score: d.score,
        landmarks: fiveFromBlazeFace(d.keypoints.map((p) => ({ x: p.x * sx, y: p.y * sy }))),
      }));
    } finally {
      copy.dispose();
    }
  }

  /** Embeddings of `faces` (found on this `frame`), from the full-size pixels. */
  async embed(frame: RawImage, faces: readonly DetectedFace[]): Promise<Float32Array[]> {
    if (faces.length === 0) return [];
    const embedded = await this.pipeline.embedDetected(frame, faces, { detectionSize: this.embedSize });
    return embedded.map((f) => f.embedding);
  }
}

/**
 * `frame` (RGB, or gray repeated) shrunk by a whole factor `k` into `out` (`width × height × 3`): each sample the
 * mean of a k×k block (an area average, as exact as the general one for whole factors and several times
 * faster: no weights). Rows and columns past the last whole block are left out.
 */
function shrinkRgb(frame: RawImage, k: number, out: Float32Array, width: number, height: number): void {
  const { data, channels } = frame;
  const c = channels;
  const rowStride = frame.width * c;
  const norm = 1 / (k * k);
  for (let y = 0, o = 0; y < height; y++) {
    const top = y * k * rowStride;
    for (let x = 0; x < width; x++, o += 3) {
      let r = 0, g = 0, b = 0;
      for (let dy = 0; dy < k; dy++) {
        let i = top + dy * rowStride + x * k * c;
        for (let dx = 0; dx < k; dx++, i += c) {
          r += data[i]!;
          g += data[c === 1 ? i : i + 1]!;
          b += data[c === 1 ? i : i + 2]!;
        }
      }
      out[o] = r * norm;
      out[o + 1] = g * norm;
      out[o + 2] = b * norm;
    }
  }
}
