// Takes one snapshot of a live frame: a small copy for the detector now, the full-size pixels only if a face must be embedded.
import type * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, imageToTensor, type RawImage } from '@facerec/core';
import { isImageData, sourceSize, type BrowserImageSource } from '../input/index.js';

type Context2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** One frame as the live loop works on it. Dispose it when the frame is done. */
export interface GrabbedFrame {
  readonly width: number;
  readonly height: number;
  /** Detection copy size over frame size, across and down (1 when the frame is small enough to detect on as it is). */
  readonly scaleX: number;
  readonly scaleY: number;
  /**
   * The detection copy's pixels as the canvas gave them (RGBA): what the live loop's detector reads on
   * CPU-memory backends, with no tensor made of them.
   */
  readonly detectionPixels: RawImage;
  /** The detection copy as a tensor, `[h, w, 3]` float 0..255 (made on first read, freed by `dispose`). */
  readonly detection: tf.Tensor3D;
  /** The full-size frame as a tensor (made on first call, from the snapshot, not from the source again). */
  full(): tf.Tensor3D;
  dispose(): void;
}

function context(width: number, height: number): Context2D {
  const canvas = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(width, height) : document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  // Kept in CPU memory: the frame is read back every time.
  const ctx = canvas.getContext('2d', { willReadFrequently: true }) as Context2D | null;
  if (!ctx) throw new Error('facerec: this browser gives no 2D canvas context to read video frames with');
  return ctx;
}

function resize(ctx: Context2D, width: number, height: number): void {
  if (ctx.canvas.width !== width || ctx.canvas.height !== height) {
    ctx.canvas.width = width;
    ctx.canvas.height = height;
  }
}

/**
 * Reads frames of a video, canvas or bitmap. Each frame is drawn once into a snapshot canvas (a playing video
 * moves on while the detector awaits its results, so every read of this frame comes from the snapshot); the
 * detector gets a copy whose long side is at most `detectionSize`, and the full-size pixels are read only when
 * a face is embedded.
 */
export class FrameGrabber {
  private snapshot: Context2D | undefined;
  private small: Context2D | undefined;

  constructor(readonly detectionSize = 640) {
    if (!(Number.isInteger(detectionSize) && detectionSize >= 128)) throw new InvalidArgumentError('detectionSize', `must be an integer ≥ 128, got ${String(detectionSize)}`);
  }

  grab(source: BrowserImageSource, name = 'frame'): GrabbedFrame {
    const { width, height } = sourceSize(source, name);
    const scale = Math.min(1, this.detectionSize / Math.max(width, height));
    this.snapshot ??= context(width, height);
    const snap = this.snapshot;
    resize(snap, width, height);
    if (isImageData(source)) snap.putImageData(source, 0, 0);
    else snap.drawImage(source as CanvasImageSource, 0, 0, width, height);
    const read = (ctx: Context2D, w: number, h: number): RawImage => ({ data: ctx.getImageData(0, 0, w, h).data, width: w, height: h, channels: 4 });
    let detectionPixels: RawImage;
    if (scale === 1) {
      detectionPixels = read(snap, width, height);
    } else {
      const w = Math.max(1, Math.round(width * scale));
      const h = Math.max(1, Math.round(height * scale));
      this.small ??= context(w, h);
      const small = this.small;
      resize(small, w, h);
      small.imageSmoothingQuality = 'high';
      small.drawImage(snap.canvas as CanvasImageSource, 0, 0, width, height, 0, 0, w, h);
      detectionPixels = read(small, w, h);
    }
    let detection: tf.Tensor3D | undefined;
    let full: tf.Tensor3D | undefined;
    const detectionTensor = () => (detection ??= imageToTensor(detectionPixels, name));
    return {
      width,
      height,
      scaleX: detectionPixels.width / width,
      scaleY: detectionPixels.height / height,
      detectionPixels,
      get detection() {
        return detectionTensor();
      },
      // Unshrunk, the detection copy is the frame itself: one tensor for both.
      full: () => (scale === 1 ? detectionTensor() : (full ??= imageToTensor(read(snap, width, height), name))),
      dispose: () => {
        detection?.dispose();
        full?.dispose();
      },
    };
  }
}
