// Processes the latest frame of a video, one at a time: frames that arrive while one is processed are skipped, never queued.
import { FpsMeter } from './fps.js';

/** What the loop passes to the frame handler. */
export interface FrameInfo {
  /** 0-based count of processed frames. */
  readonly index: number;
  /** The frame's time in the media (seconds). */
  readonly mediaTime: number;
  /** When the frame was presented (`performance.now()` time base). */
  readonly timestamp: number;
}

/** Live figures of a running loop. */
export interface FrameLoopStats {
  /** Processed frames per second over the last second. */
  readonly fps: number;
  /** Frames processed so far. */
  readonly frames: number;
  /** Milliseconds the last frame's handler took. */
  readonly lastFrameMs: number;
}

/** A running loop: read its figures, stop it, await its end. */
export interface FrameLoop extends FrameLoopStats {
  readonly running: boolean;
  /** 'video-frame' (requestVideoFrameCallback) or 'animation-frame' (requestAnimationFrame). */
  readonly scheduler: 'video-frame' | 'animation-frame';
  /** Stops after the frame in progress, if any. */
  stop(): void;
  /** Resolves when the loop has stopped (after the frame in progress); rejects with the handler's error if it threw. */
  readonly done: Promise<void>;
}

/** Options of {@link runFrameLoop}. */
export interface FrameLoopOptions {
  /** Stops the loop when aborted. */
  readonly signal?: AbortSignal;
  /** Force a scheduler; default requestVideoFrameCallback when the browser has it. */
  readonly scheduler?: 'video-frame' | 'animation-frame';
}

interface VideoFrameCallbackVideo {
  requestVideoFrameCallback(callback: (now: number, metadata: { mediaTime: number }) => void): number;
  cancelVideoFrameCallback(handle: number): void;
}

const hasVideoFrameCallback = (video: HTMLVideoElement): video is HTMLVideoElement & VideoFrameCallbackVideo =>
  typeof (video as Partial<VideoFrameCallbackVideo>).requestVideoFrameCallback === 'function';

/**
 * Calls `handler` on the video's frames, never more than one at a time: the next frame is only requested once
 * the handler's promise settles, so a slow handler skips frames instead of queueing them and always sees the
 * latest one. Uses `requestVideoFrameCallback` when available (called once per new frame), else
 * `requestAnimationFrame` (skipping repaints that show no new frame). Frames before the video has data are
 * skipped. When the handler throws, the loop stops and `done` rejects with the error.
 */
export function runFrameLoop(video: HTMLVideoElement, handler: (frame: FrameInfo) => void | Promise<void>, options: FrameLoopOptions = {}): FrameLoop {
  const meter = new FpsMeter();
  const useVideoFrames = options.scheduler !== 'animation-frame' && hasVideoFrameCallback(video);
  let frames = 0;
  let lastFrameMs = 0;
  let lastMediaTime = Number.NaN;
  let running = true;
  let busy = false;
  let settled = false;
  let pending: number | undefined;
  let settle!: { resolve: () => void; reject: (error: unknown) => void };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));

  // Stops scheduling; `done` settles now, or once the frame in progress has finished.
  const finish = (error?: unknown): void => {
    running = false;
    if (pending !== undefined) {
      if (useVideoFrames) (video as unknown as VideoFrameCallbackVideo).cancelVideoFrameCallback(pending);
      else cancelAnimationFrame(pending);
      pending = undefined;
    }
    options.signal?.removeEventListener('abort', onAbort);
    if (settled || (busy && error === undefined)) return;
    settled = true;
    if (error === undefined) settle.resolve();
    else settle.reject(error);
  };
  const onAbort = (): void => finish();

  const schedule = (): void => {
    if (!running) return;
    pending = useVideoFrames
      ? (video as unknown as VideoFrameCallbackVideo).requestVideoFrameCallback((now, metadata) => void tick(now, metadata.mediaTime))
      : requestAnimationFrame((now) => void tick(now, video.currentTime));
  };

  const tick = async (now: number, mediaTime: number): Promise<void> => {
    pending = undefined;
    if (!running) return;
    const sameFrame = !useVideoFrames && mediaTime === lastMediaTime && !video.paused;
    if (video.readyState < 2 || video.videoWidth === 0 || sameFrame) return schedule();
    lastMediaTime = mediaTime;
    const start = performance.now();
    busy = true;
    try {
      await handler({ index: frames, mediaTime, timestamp: now });
    } catch (error) {
      busy = false;
      finish(error);
      return;
    }
    busy = false;
    frames += 1;
    lastFrameMs = performance.now() - start;
    meter.tick(performance.now());
    if (running) schedule();
    else finish();
  };

  if (options.signal?.aborted) finish();
  else {
    options.signal?.addEventListener('abort', onAbort, { once: true });
    schedule();
  }
  return {
    get fps() { return meter.fps; },
    get frames() { return frames; },
    get lastFrameMs() { return lastFrameMs; },
    get running() { return running; },
    scheduler: useVideoFrames ? 'video-frame' : 'animation-frame',
    stop: () => finish(),
    done,
  };
}
