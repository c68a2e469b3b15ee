// One run of ffmpeg decoding a source to raw RGB on a pipe, framed into a small pool of preallocated buffers.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createReadStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { FfmpegLog, type OutputStream } from './ffmpeg-log.js';
import type { ResolvedSource } from './source.js';

/** How a session ended. */
export interface SessionEnd {
  /** ffmpeg's exit code (null when killed by a signal). */
  readonly code: number | null;
  /** Whether this side stopped it (close, or the consumer left early). */
  readonly stopped: boolean;
  /** Bytes of an incomplete last frame (a truncated stream), 0 when the frames were whole. */
  readonly partialBytes: number;
  /** ffmpeg's error lines in short, undefined when none. */
  readonly errors: string | undefined;
  /** Whether the input had no duration (live). */
  readonly live: boolean;
  /** Whether the output stream was ever announced (the source opened). */
  readonly opened: boolean;
  /** A failure to start ffmpeg at all. */
  readonly spawnError?: Error;
}

/** Options of one decoding run. */
export interface SessionOptions {
  readonly ffmpeg: string;
  /** `-vf` filters (fps, scale), or none. */
  readonly filters: readonly string[];
  /** Frames decoded ahead of the consumer. */
  readonly queue: number;
  /** When the consumer is behind: drop the oldest frame (live sources) instead of pausing ffmpeg. */
  readonly dropWhenBehind: boolean;
  /** Read the input at its own frame rate (ffmpeg -re). */
  readonly realtime: boolean;
}

type Child = ChildProcessByStdio<Writable | null, Readable, Readable>;

/** Frames ffmpeg decodes ahead of the pipe (in its own memory: 2.7 MB each at 1280×720). */
const DECODE_AHEAD = 6;

/**
 * Spawns ffmpeg and frames its stdout. Frames are copied straight from each pipe chunk into one of
 * `queue + 2` preallocated frame buffers (filling, queued, held by the consumer), never concatenated.
 */
export class DecodeSession {
  private readonly child: Child;
  private readonly log: FfmpegLog;
  private stream: OutputStream | undefined;
  private frameBytes = 0;
  private free: Uint8Array[] = [];
  private filling: Uint8Array | undefined;
  private filled = 0;
  private readonly queued: Uint8Array[] = [];
  /** stdout chunks that arrived before the stream's size was known, or while every buffer was busy. */
  private held: Buffer[] = [];
  private paused = false;
  private ended: SessionEnd | undefined;
  private stdoutDone = false;
  private exit: { code: number | null; spawnError?: Error } | undefined;
  private stopped = false;
  private waiter: (() => void) | undefined;
  /** Frames dropped because the consumer was behind. */
  dropped = 0;

  constructor(private readonly source: ResolvedSource, private readonly options: SessionOptions) {
    const args = [
      '-hide_banner', '-nostats', '-loglevel', 'level+info',
      ...(source.images ? [] : ['-nostdin']),
      ...(options.realtime ? ['-re'] : []),
      ...source.inputArgs,
      '-map', '0:v:0', '-an', '-sn', '-dn',
      ...(options.filters.length > 0 ? ['-vf', options.filters.join(',')] : []),
      // Through ffmpeg's fifo muxer: decoding runs ahead (up to DECODE_AHEAD frames) while this process is busy
      // and not reading the pipe; a pipe holds only 64 KiB, so a plain rawvideo output would stall the decoder
      // for the whole time a frame is being processed. (Its drop_pkts_on_overflow is not used: in ffmpeg 5.1 a
      // reader slower than the stream for a moment got 2 frames of 20. Live sources drop here, see dropWhenBehind.)
      '-c:v', 'rawvideo', '-pix_fmt', 'rgb24',
      '-f', 'fifo', '-fifo_format', 'rawvideo', '-queue_size', String(DECODE_AHEAD),
      'pipe:1',
    ];
    this.log = new FfmpegLog((stream) => this.announce(stream));
    this.child = spawn(options.ffmpeg, args, { stdio: [source.images ? 'pipe' : 'ignore', 'pipe', 'pipe'] }) as Child;
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (text: string) => this.log.push(text));
    this.child.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    this.child.stdout.on('end', () => {
      this.stdoutDone = true;
      this.settle();
    });
    this.child.on('error', (error) => {
      this.exit = { code: null, spawnError: error };
      this.stdoutDone = true;
      this.settle();
    });
    this.child.on('close', (code) => {
      this.exit ??= { code };
      this.stdoutDone = true;
      this.settle();
    });
    if (source.images && this.child.stdin) void this.feed(this.child.stdin, source.images);
  }

  /** The output stream (size, rate) once ffmpeg announced it. */
  get output(): OutputStream | undefined {
    return this.stream;
  }

  /** The next frame's buffer (valid until given back with `release`), or the end of the session. */
  async next(): Promise<Uint8Array | SessionEnd> {
    for (;;) {
      const frame = this.queued.shift();
      if (frame) {
        this.drain();
        return frame;
      }
      if (this.ended) return this.ended;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  /** Gives a frame buffer back to the pool. */
  release(buffer: Uint8Array): void {
    if (buffer.length === this.frameBytes) this.free.push(buffer);
    this.drain();
  }

  /** Stops ffmpeg (SIGKILL: a decoder has nothing to flush) and waits for it to exit. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.held = [];
    // A paused pipe with unread data would keep the child's streams (and its 'close') open.
    this.child.stdout.resume();
    if (this.exit === undefined) {
      this.child.kill('SIGKILL');
      await new Promise<void>((resolve) => {
        if (this.exit !== undefined) resolve();
        else this.child.once('close', () => resolve());
      });
    }
  }

  private announce(stream: OutputStream): void {
    this.stream = stream;
    this.frameBytes = stream.width * stream.height * 3;
    this.free = Array.from({ length: this.options.queue + 2 }, () => new Uint8Array(this.frameBytes));
    this.drain();
  }

  private receive(chunk: Buffer): void {
    if (this.stopped) return;
    this.held.push(chunk);
    this.drain();
  }

  /** Frames the held chunks into buffers for as long as there is a buffer to fill. */
  private drain(): void {
    while (this.held.length > 0 && this.stream) {
      const chunk = this.held[0]!;
      let offset = 0;
      while (offset < chunk.length) {
        if (!this.filling) {
          this.filling = this.free.pop();
          if (!this.filling && this.options.dropWhenBehind && this.queued.length > 0) {
            this.filling = this.queued.shift();
            this.dropped++;
          }
          if (!this.filling) break;
          this.filled = 0;
        }
        const n = Math.min(chunk.length - offset, this.frameBytes - this.filled);
        this.filling.set(chunk.subarray(offset, offset + n), this.filled);
        this.filled += n;
        offset += n;
        if (this.filled === this.frameBytes) {
          this.queued.push(this.filling);
          this.filling = undefined;
          this.wake();
        }
      }
      if (offset < chunk.length) {
        this.held[0] = chunk.subarray(offset);
        break;
      }
      this.held.shift();
    }
    // ffmpeg waits (its pipe fills) while the consumer is behind and nothing may be dropped.
    const busy = this.held.length > 0 || this.queued.length >= this.options.queue;
    if (busy && !this.paused && !this.options.dropWhenBehind) {
      this.child.stdout.pause();
      this.paused = true;
    } else if (!busy && this.paused) {
      this.child.stdout.resume();
      this.paused = false;
    }
    this.settle();
  }

  private settle(): void {
    // Chunks still held wait for a buffer; without a stream size they can never be framed, so they do not wait.
    if (this.ended || !this.stdoutDone || this.exit === undefined || (this.held.length > 0 && this.stream)) {
      this.wake();
      return;
    }
    this.log.end();
    this.ended = {
      code: this.exit.code,
      stopped: this.stopped,
      partialBytes: (this.filling ? this.filled : 0) + this.held.reduce((n, c) => n + c.length, 0),
      errors: this.log.summary(),
      live: this.log.live,
      opened: this.stream !== undefined,
      ...(this.exit.spawnError ? { spawnError: this.exit.spawnError } : {}),
    };
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /** Writes a folder's images to ffmpeg's stdin one after the other, waiting when the pipe is full. */
  private async feed(stdin: Writable, images: readonly string[]): Promise<void> {
    stdin.on('error', () => undefined); // ffmpeg stopped reading (killed, or failed): nothing more to send.
    try {
      for (const file of images) {
        if (this.stopped || this.exit !== undefined) break;
        for await (const piece of createReadStream(file)) {
          if (!stdin.write(piece)) await drained(stdin);
          if (this.stopped || this.exit !== undefined) break;
        }
      }
    } catch {
      // An unreadable image: ffmpeg sees the sequence end there, and the frames so far stand.
    } finally {
      stdin.end();
    }
  }
}

/** Resolves when `stdin` can take more, or is closed. */
function drained(stdin: Writable): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      stdin.off('drain', done).off('close', done);
      resolve();
    };
    stdin.on('drain', done).on('close', done);
  });
}
