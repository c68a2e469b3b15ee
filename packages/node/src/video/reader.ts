// Video frames as an async iterator: ffmpeg decodes a file, stream, camera or image folder to RGB; streams that drop are reopened with backoff.
import { InvalidArgumentError, type RawImage } from '@facerec/core';
import { FfmpegNotFoundError, VideoSourceError } from './errors.js';
import { findFfmpeg } from './ffmpeg.js';
import { DecodeSession, type SessionEnd } from './session.js';
import { resolveSource, type ResolvedSource, type SourceOptions, type VideoSourceKind } from './source.js';

/**
 * One decoded frame: 8-bit RGB pixels plus where it is in the video. The pixel buffer is reused: it is valid
 * until the iterator is asked for the next frame (copy what you keep).
 */
export interface VideoFrame extends RawImage {
  readonly data: Uint8Array;
  readonly channels: 3;
  /** 0, 1, 2... in the order read (across reconnections). */
  readonly index: number;
  /** Seconds from the start of the source (after a reconnection: from when reading started). */
  readonly t: number;
}

/** What is known about a source once its first frame is decoded. */
export interface VideoInfo {
  readonly source: string;
  readonly kind: VideoSourceKind;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** A source without a duration (a live stream or a camera). */
  readonly live: boolean;
}

/** Options of {@link openVideo}. */
export interface OpenVideoOptions extends SourceOptions {
  /** The ffmpeg executable; default FACEREC_FFMPEG, the PATH, then the optional `@ffmpeg-installer/ffmpeg` package. */
  readonly ffmpegPath?: string;
  /** Frames per second to deliver (ffmpeg drops or repeats frames); default the source's own rate. */
  readonly fps?: number;
  /** Scale frames to this width and/or height (the other keeps the aspect ratio); default the source's size. */
  readonly width?: number;
  readonly height?: number;
  /** Frames decoded ahead of the consumer. Default 2. */
  readonly queue?: number;
  /**
   * When the consumer is slower than the source: drop the oldest decoded frame (true) or make ffmpeg wait
   * (false). Default true for streams and cameras (stay live), false for files and folders (every frame).
   */
  readonly dropWhenBehind?: boolean;
  /** Read a file at its own frame rate, as a camera would deliver it (ffmpeg -re). Default false. */
  readonly realtime?: boolean;
  /** Times a stream or camera that drops is reopened before giving up (reset by every frame that arrives). Default 5. */
  readonly reconnectAttempts?: number;
  /** Wait before the first reopening, doubled each time up to 8 s. Default 500 ms. */
  readonly reconnectDelayMs?: number;
  /** Told about each reopening (for progress output). */
  readonly onReconnect?: (attempt: number, delayMs: number, reason: string) => void;
  /** Stops reading (the iteration ends normally). */
  readonly signal?: AbortSignal;
}

const MAX_RECONNECT_DELAY_MS = 8000;

function checkOptions(options: OpenVideoOptions): void {
  const positive = (name: string, v: number | undefined, integer: boolean) => {
    if (v !== undefined && !(Number.isFinite(v) && v > 0 && (!integer || Number.isInteger(v)))) {
      throw new InvalidArgumentError(name, `must be a positive ${integer ? 'integer' : 'number'}, got ${String(v)}`);
    }
  };
  positive('fps', options.fps, false);
  positive('folderFps', options.folderFps, false);
  positive('width', options.width, true);
  positive('height', options.height, true);
  positive('queue', options.queue, true);
  positive('reconnectDelayMs', options.reconnectDelayMs, false);
  const attempts = options.reconnectAttempts;
  if (attempts !== undefined && !(Number.isInteger(attempts) && attempts >= 0)) throw new InvalidArgumentError('reconnectAttempts', `must be a whole number ≥ 0, got ${String(attempts)}`);
}

/**
 * Reads a video as frames: `for await (const frame of openVideo('in.mp4')) ...`. The source is a video file,
 * a stream URL (`rtsp://`, `http://`...), a V4L2 camera (`/dev/video0`) or a folder of numbered images;
 * ffmpeg decodes it in its own process. A stream or camera that drops is reopened with backoff; a file that is
 * corrupt or truncated gives the frames it could and then throws VideoSourceError. Leaving the loop early (or
 * `close()`) stops ffmpeg.
 */
export function openVideo(source: string, options: OpenVideoOptions = {}): VideoReader {
  checkOptions(options);
  return new VideoReader(source, options);
}

/** The frames of one source; iterate once. See {@link openVideo}. */
export class VideoReader implements AsyncIterable<VideoFrame> {
  /** Known once the first frame arrived. */
  info: VideoInfo | undefined;
  /** Frames dropped because the consumer was behind (live sources). */
  dropped = 0;
  /** Times the source was reopened. */
  reconnects = 0;
  private session: DecodeSession | undefined;
  private closed = false;
  private started = false;
  private wakeSleep: (() => void) | undefined;

  constructor(readonly source: string, private readonly options: OpenVideoOptions) {
    options.signal?.addEventListener('abort', () => void this.close(), { once: true });
  }

  [Symbol.asyncIterator](): AsyncGenerator<VideoFrame> {
    if (this.started) throw new InvalidArgumentError('video', `${this.source} is already being read; open it again to read it twice`);
    this.started = true;
    return this.frames();
  }

  /** Stops reading: ffmpeg is stopped and the iteration ends after the frame in hand. */
  async close(): Promise<void> {
    this.closed = true;
    this.wakeSleep?.();
    await this.session?.stop();
  }

  private async *frames(): AsyncGenerator<VideoFrame> {
    if (this.closed || this.options.signal?.aborted) return;
    const ffmpeg = await findFfmpeg(this.options.ffmpegPath);
    const resolved = await resolveSource(this.source, this.options);
    const live = resolved.kind === 'stream' || resolved.kind === 'camera';
    const attempts = live ? (this.options.reconnectAttempts ?? 5) : 0;
    // Times count from the first frame: a stream that takes a few attempts to open still starts at 0.
    let startedAt: number | undefined;
    let index = 0;
    let lastT = 0;
    let attempt = 0;
    let base = 0;
    while (!this.closed) {
      const session = new DecodeSession(resolved, {
        ffmpeg,
        filters: this.filters(resolved),
        queue: this.options.queue ?? 2,
        dropWhenBehind: this.options.dropWhenBehind ?? live,
        realtime: this.options.realtime ?? false,
      });
      this.session = session;
      let end: SessionEnd;
      let local = 0;
      try {
        for (;;) {
          const item = await session.next();
          if (!(item instanceof Uint8Array)) {
            end = item;
            break;
          }
          const { width, height, fps: announced } = session.output!;
          const fps = this.options.fps ?? announced ?? this.options.folderFps ?? 25;
          this.info ??= { source: this.source, kind: resolved.kind, width, height, fps, live };
          startedAt ??= performance.now();
          attempt = 0;
          lastT = base + local++ / fps;
          const frame: VideoFrame = { data: item, width, height, channels: 3, index: index++, t: lastT };
          try {
            yield frame;
          } finally {
            session.release(item);
          }
        }
      } finally {
        this.dropped += session.dropped;
        await session.stop();
        this.session = undefined;
      }
      if (this.closed || end.stopped) return;
      if (end.spawnError) throw new FfmpegNotFoundError(`cannot run ffmpeg at ${ffmpeg} (${end.spawnError.message})`);
      const broken = end.code !== 0 || end.partialBytes > 0 || end.errors !== undefined;
      if (!broken && !(live && end.live)) return;
      if (attempt < attempts) {
        attempt++;
        this.reconnects++;
        const delay = Math.min(MAX_RECONNECT_DELAY_MS, (this.options.reconnectDelayMs ?? 500) * 2 ** (attempt - 1));
        this.options.onReconnect?.(attempt, delay, describeEnd(end) ?? 'the stream ended');
        await this.sleep(delay);
        // The clock since the first frame, but never back before the last frame's time (a stream can deliver in bursts).
        if (startedAt !== undefined) base = Math.max((performance.now() - startedAt) / 1000, lastT + 1 / (this.info?.fps ?? 25));
        continue;
      }
      throw new VideoSourceError(this.source, failureMessage(resolved, end, index, attempts), index);
    }
  }

  private filters(resolved: ResolvedSource): string[] {
    const { fps, width, height } = this.options;
    const out: string[] = [];
    if (fps !== undefined) out.push(`fps=${fps}`);
    // A folder's images are all scaled to the first one's size: the raw stream cannot change size midway.
    const size = width !== undefined || height !== undefined ? { w: width ?? -2, h: height ?? -2 } : resolved.imageSize ? { w: resolved.imageSize.width, h: resolved.imageSize.height } : undefined;
    if (size) out.push(`scale=${size.w}:${size.h}:flags=area`);
    return out;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleep = done;
    });
  }
}

function describeEnd(end: SessionEnd): string | undefined {
  const parts = [end.errors, end.partialBytes > 0 ? `incomplete last frame (${end.partialBytes} bytes)` : undefined, end.code !== 0 && end.code !== null ? `ffmpeg exit code ${end.code}` : undefined];
  const text = parts.filter((p) => p !== undefined).join('; ');
  return text || undefined;
}

function failureMessage(resolved: ResolvedSource, end: SessionEnd, frames: number, attempts: number): string {
  const why = describeEnd(end) ?? 'it ended';
  if (resolved.kind === 'stream' || resolved.kind === 'camera') {
    return attempts > 0 ? `lost, and not back after ${attempts} attempts to reopen it (${why})` : `cannot be read (${why})`;
  }
  if (!end.opened) return `cannot be decoded (${why})`;
  return `is corrupt or truncated: decoding stopped with an error after ${frames} frames (${why})`;
}
