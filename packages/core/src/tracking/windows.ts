// Where a video detector looks on each frame: around every track's expected face, plus a slice of a full scan for new faces.
import { InvalidArgumentError } from '../errors/index.js';
import { detectionWindows, type DetectionWindow } from '../faces/detector.js';
import type { Box } from '../faces/geometry.js';

/** Options of {@link WindowPlanner}. */
export interface WindowPlannerOptions {
  /** Smallest face side to find, in pixels of the image the windows are for. Default 40. */
  readonly minFaceSize?: number;
  /** Frames over which the whole image is scanned once: a new face is found within this many frames. Default 4. */
  readonly scanFrames?: number;
  /** Side of the window around an expected face, in face sides (the detector finds faces from a fifth of a window to a whole one). Default 2.5. */
  readonly trackWindowScale?: number;
}

/**
 * Plans the detector's windows frame by frame. A full scan of a 640×360 image at the smallest face size
 * takes ~25 windows of the network; instead each frame gets one window per tracked face (centred where the
 * face is expected, a little larger when the track is lost) and a 1/`scanFrames` slice of the full scan, in
 * turn, so the work per frame stays flat and new faces are still found within `scanFrames` frames.
 */
export class WindowPlanner {
  private readonly scan: DetectionWindow[];
  private readonly perFrame: number;
  private readonly trackScale: number;
  private next = 0;

  constructor(readonly width: number, readonly height: number, options: WindowPlannerOptions = {}) {
    const minFace = options.minFaceSize ?? 40;
    const scanFrames = options.scanFrames ?? 4;
    this.trackScale = options.trackWindowScale ?? 2.5;
    if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) throw new InvalidArgumentError('size', `must be positive integers, got ${width}×${height}`);
    if (!(Number.isInteger(scanFrames) && scanFrames >= 1)) throw new InvalidArgumentError('scanFrames', `must be a positive integer, got ${String(scanFrames)}`);
    if (!(this.trackScale >= 1.2 && this.trackScale <= 5)) throw new InvalidArgumentError('trackWindowScale', `must be in [1.2, 5], got ${String(this.trackScale)}`);
    this.scan = scanWindows(width, height, minFace);
    this.perFrame = Math.ceil(this.scan.length / scanFrames);
  }

  /** Windows of the full scan, all of them (a slice is used per frame). */
  get scanWindows(): number {
    return this.scan.length;
  }

  /**
   * This frame's windows: one per expected face (wider the more frames it has been missing, as its place
   * is less sure), then the next slice of the full scan.
   */
  windows(expected: ReadonlyArray<{ readonly box: Box; readonly missed?: number }>): DetectionWindow[] {
    const out: DetectionWindow[] = expected.map(({ box, missed = 0 }) => {
      const size = Math.max(box.width, box.height) * this.trackScale * (1 + 0.2 * Math.min(missed, 5));
      return { x: box.x + box.width / 2 - size / 2, y: box.y + box.height / 2 - size / 2, size };
    });
    for (let k = 0; k < this.perFrame; k++) {
      out.push(this.scan[this.next]!);
      this.next = (this.next + 1) % this.scan.length;
    }
    return out;
  }
}

/**
 * The full scan of {@link detectionWindows} less a level that adds nothing: when the smallest level is
 * nearly as big as the one before it (≥ 0.8×; it was enlarged to the smallest face's), the level before finds
 * no face that the smallest level and the one above do not find (a window finds faces from a fifth to half of
 * its side wherever they are, given its 50% overlap). 640×480 at 60-pixel faces: 13 windows, not 19.
 */
function scanWindows(width: number, height: number, minFace: number): DetectionWindow[] {
  const all = detectionWindows(width, height, minFace);
  const sizes = [...new Set(all.map((w) => w.size))];
  const [before, last] = sizes.slice(-2);
  if (sizes.length >= 3 && last! >= 0.8 * before!) return all.filter((w) => w.size !== before);
  return all;
}
