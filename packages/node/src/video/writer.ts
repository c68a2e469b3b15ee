// Writes RGB frames to a video file through a second ffmpeg (the annotated output of `facerec watch`), finished atomically.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { InvalidArgumentError, type RawImage } from '@facerec/core';
import { removeDeadLeftovers, tempSiblingPath } from '../io/leftovers.js';
import { VideoOutputError } from './errors.js';
import { findFfmpeg } from './ffmpeg.js';

/** Containers by extension (the temp file's name has none, so ffmpeg is told). */
const MUXERS: Readonly<Record<string, string>> = { '.mp4': 'mp4', '.mkv': 'matroska', '.mov': 'mov', '.webm': 'webm', '.avi': 'avi' };

/** Options of {@link VideoWriter.open}. */
export interface VideoWriterOptions {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly ffmpegPath?: string;
  /** Replace an existing file (default: refuse). */
  readonly overwrite?: boolean;
}

/** The container format for `file` by its extension. @throws InvalidArgumentError for other extensions. */
export function videoOutputFormat(file: string): string {
  const muxer = MUXERS[path.extname(file).toLowerCase()];
  if (!muxer) throw new InvalidArgumentError('output', `${file} must end in ${Object.keys(MUXERS).join(', ')}`);
  return muxer;
}

type Child = ChildProcessByStdio<Writable, null, Readable>;

/**
 * A video being written: frames go to ffmpeg's stdin as raw RGB and are encoded with the container's default
 * codec (H.264 for .mp4 and .mkv). ffmpeg writes to a hidden temp file beside the target; `close()` renames it into
 * place once ffmpeg has finished, `abort()` removes it: no half-written video under the target's name.
 */
export class VideoWriter {
  private stderr = '';
  private readonly exited: Promise<number | null>;
  private failed: Error | undefined;
  private done = false;

  private constructor(readonly file: string, private readonly temp: string, private readonly child: Child, readonly width: number, readonly height: number) {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (t: string) => (this.stderr = (this.stderr + t).slice(-2000)));
    child.stdin.on('error', (error) => (this.failed ??= error));
    this.exited = new Promise((resolve) => {
      child.on('error', (error) => {
        this.failed ??= error;
        resolve(null);
      });
      child.on('close', (code) => resolve(code));
    });
  }

  /**
   * Starts ffmpeg for `file`.
   * @throws VideoOutputError when `file` exists and `overwrite` is not set; InvalidArgumentError for an unknown extension.
   */
  static async open(file: string, options: VideoWriterOptions): Promise<VideoWriter> {
    const muxer = videoOutputFormat(file);
    if (!options.overwrite && existsSync(file)) throw new VideoOutputError(file, 'exists; choose another name or allow overwriting');
    const ffmpeg = await findFfmpeg(options.ffmpegPath);
    await removeDeadLeftovers(file);
    const temp = tempSiblingPath(file, 'tmp');
    const args = [
      '-hide_banner', '-nostats', '-loglevel', 'error',
      '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${options.width}x${options.height}`, '-r', String(options.fps), '-i', 'pipe:0',
      // 4:2:0 chroma (what players expect) needs even sides.
      '-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2', '-pix_fmt', 'yuv420p', '-f', muxer, temp,
    ];
    const child = spawn(ffmpeg, args, { stdio: ['pipe', 'ignore', 'pipe'] }) as Child;
    return new VideoWriter(file, temp, child, options.width, options.height);
  }

  /** Appends a frame (RGB, the size given at open); waits while ffmpeg is behind. */
  async write(frame: RawImage): Promise<void> {
    if (this.failed) throw new VideoOutputError(this.file, `ffmpeg stopped (${this.reason()})`, { cause: this.failed });
    if (frame.width !== this.width || frame.height !== this.height || frame.channels !== 3) {
      throw new InvalidArgumentError('frame', `must be ${this.width}×${this.height} RGB, got ${frame.width}×${frame.height}×${frame.channels}`);
    }
    const bytes = frame.data instanceof Uint8Array ? frame.data : Uint8Array.from(frame.data);
    // ffmpeg reads the buffer later: copy it, as the caller reuses its frame buffers.
    if (!this.child.stdin.write(Buffer.from(bytes))) {
      await new Promise<void>((resolve) => {
        const go = () => {
          this.child.stdin.off('drain', go).off('close', go);
          resolve();
        };
        this.child.stdin.on('drain', go).on('close', go);
      });
    }
  }

  /** Finishes the file: ffmpeg flushes and exits, then the temp file takes the target's name. */
  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.child.stdin.end();
    const code = await this.exited;
    if (code !== 0 || this.failed) {
      await rm(this.temp, { force: true });
      throw new VideoOutputError(this.file, `ffmpeg failed (${this.reason(code)})`, { cause: this.failed });
    }
    await rename(this.temp, this.file);
  }

  /** Stops ffmpeg and removes the unfinished file. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.child.kill('SIGKILL');
    await this.exited;
    await rm(this.temp, { force: true });
  }

  private reason(code?: number | null): string {
    const text = this.stderr.trim().split('\n').slice(-3).join('; ');
    return text || (this.failed ? this.failed.message : `exit code ${String(code)}`);
  }
}
