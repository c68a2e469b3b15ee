// recognizeVideo: a LiveRecognizer on a <video> (camera or file) or a canvas, frame after frame, with the names drawn on an overlay.
import { InvalidArgumentError } from '@facerec/core';
import { drawRecognizedFaces, type DrawFacesOptions } from '../faces/draw.js';
import { runFrameLoop, type FrameLoop, type FrameLoopOptions, type FrameLoopStats } from '../video/frame-loop.js';
import { FpsMeter } from '../video/fps.js';
import { LiveRecognizer, type LiveFrame, type LiveRecognizerOptions } from './live-recognizer.js';

/** Options of {@link recognizeVideo}. */
export interface RecognizeVideoOptions extends LiveRecognizerOptions, FrameLoopOptions {
  /** Called after each frame with its faces and the loop's figures. */
  readonly onFaces?: (frame: LiveFrame, stats: FrameLoopStats) => void | Promise<void>;
  /**
   * A canvas laid over the video: it is sized to the frame and the boxes and names are drawn on it after each
   * frame (cleared first).
   */
  readonly overlay?: HTMLCanvasElement | OffscreenCanvas;
  /** How the overlay is drawn. */
  readonly draw?: Omit<DrawFacesOptions, 'clear' | 'scoreKind'>;
}

/** A running live recognition: the frame loop's controls and figures, and its recognizer. */
export interface LiveLoop extends FrameLoop {
  readonly recognizer: LiveRecognizer;
}

const isVideo = (source: unknown): source is HTMLVideoElement => typeof HTMLVideoElement === 'function' && source instanceof HTMLVideoElement;

/**
 * Recognises every face of `source` live: a `<video>` (a camera stream from {@link openCamera}, or a file) is
 * read once per new frame, a canvas once per animation frame; one frame is processed at a time and frames
 * that arrive meanwhile are skipped. Each face is tracked, embedded only when its track needs it and named by
 * a vote (see {@link LiveRecognizer}). Stop it with `loop.stop()` or `options.signal`.
 *
 * ```ts
 * const loop = recognizeVideo(video, { pipeline, gallery, overlay, onFaces: ({ faces }) => console.log(faces.map((f) => f.label)) });
 * ```
 */
export function recognizeVideo(source: HTMLVideoElement | HTMLCanvasElement | OffscreenCanvas, options: RecognizeVideoOptions): LiveLoop {
  const { onFaces, overlay, draw, signal, scheduler, ...live } = options;
  const recognizer = new LiveRecognizer(live);
  const context = overlay ? (overlay.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null) : undefined;
  if (overlay && !context) throw new InvalidArgumentError('overlay', 'gives no 2D context');
  let loop: FrameLoop;
  const handle = async (t: number): Promise<void> => {
    const frame = await recognizer.process(source, t);
    if (context) {
      if (context.canvas.width !== frame.width || context.canvas.height !== frame.height) {
        context.canvas.width = frame.width;
        context.canvas.height = frame.height;
      }
      drawRecognizedFaces(context, frame.faces, { ...draw, clear: true, scoreKind: 'cosine' });
    }
    await onFaces?.(frame, { fps: loop.fps, frames: loop.frames, lastFrameMs: loop.lastFrameMs });
  };
  const loopOptions = { ...(signal ? { signal } : {}), ...(scheduler ? { scheduler } : {}) };
  if (isVideo(source)) {
    // The media time orders frames of a file; a camera's media time also increases.
    let last = -Infinity;
    loop = runFrameLoop(source, (frame) => {
      const t = Math.max(frame.mediaTime > 0 ? frame.mediaTime : frame.timestamp / 1000, last);
      last = t;
      return handle(t);
    }, loopOptions);
  } else {
    loop = canvasLoop((now) => handle(now / 1000), signal);
  }
  const finished = loop.done.finally(() => recognizer.reset());
  return {
    get fps() { return loop.fps; },
    get frames() { return loop.frames; },
    get lastFrameMs() { return loop.lastFrameMs; },
    get running() { return loop.running; },
    scheduler: loop.scheduler,
    stop: () => loop.stop(),
    done: finished,
    recognizer,
  };
}

/** A frame loop over a canvas: once per animation frame, never more than one handler in flight. */
function canvasLoop(handler: (now: number) => Promise<void>, signal: AbortSignal | undefined): FrameLoop {
  const meter = new FpsMeter();
  let frames = 0;
  let lastFrameMs = 0;
  let running = !signal?.aborted;
  let settle!: { resolve: () => void; reject: (error: unknown) => void };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  // A canvas in a worker has no requestAnimationFrame: a zero timeout stands in.
  const next = (fn: (now: number) => void) => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(fn) : setTimeout(() => fn(performance.now()), 0));
  const stop = (): void => {
    running = false;
  };
  signal?.addEventListener('abort', stop, { once: true });
  const tick = async (now: number): Promise<void> => {
    if (!running) {
      signal?.removeEventListener('abort', stop);
      settle.resolve();
      return;
    }
    const start = performance.now();
    try {
      await handler(now);
    } catch (error) {
      running = false;
      signal?.removeEventListener('abort', stop);
      settle.reject(error);
      return;
    }
    frames += 1;
    lastFrameMs = performance.now() - start;
    meter.tick(performance.now());
    next((t) => void tick(t));
  };
  next((t) => void tick(t));
  return {
    get fps() { return meter.fps; },
    get frames() { return frames; },
    get lastFrameMs() { return lastFrameMs; },
    get running() { return running; },
    scheduler: 'animation-frame',
    stop,
    done,
  };
}
