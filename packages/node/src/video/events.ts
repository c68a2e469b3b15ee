// The events `facerec watch` reports, as JSON Lines: their types, and a file that gets each one as soon as it happens.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { FacerecError, type Box } from '@facerec/core';
import { errorReason } from '../io/atomic.js';

/** A box in the events: whole pixels of the frame. */
export interface EventBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * What happens on a watched video, one JSON object per line. `t` and the other times are seconds from the
 * start of the source; `track_id` numbers the tracks 1, 2, 3... in order of confirmation.
 */
export type WatchEvent =
  /** A face appeared and was followed long enough to count (`t`, `box`: where it was first seen). */
  | { readonly type: 'track_start'; readonly track_id: number; readonly t: number; readonly box: EventBox }
  /** The track was named (first time, or a changed name): a gallery label or `unknown`. `snapshot`: the face's image file. */
  | { readonly type: 'identified'; readonly track_id: number; readonly label: string; readonly score: number; readonly t: number; readonly snapshot?: string }
  /** The track was named as a watched person (once per track and label). */
  | { readonly type: 'watchlist'; readonly track_id: number; readonly label: string; readonly score: number; readonly t: number; readonly snapshot?: string }
  /** The face is gone (or the video ended); `label` is its last name, null if it was never named. */
  | { readonly type: 'track_end'; readonly track_id: number; readonly label: string | null; readonly first_t: number; readonly last_t: number; readonly frames: number };

/** Event types. */
export type WatchEventType = WatchEvent['type'];

/** Seconds with millisecond precision, similarity to 4 decimals, boxes to whole pixels: short, stable lines. */
export const roundTime = (t: number): number => Math.round(t * 1000) / 1000;
export const roundScore = (s: number): number => Math.round(s * 10_000) / 10_000;
export function eventBox(box: Box): EventBox {
  return { x: Math.round(box.x), y: Math.round(box.y), width: Math.round(box.width), height: Math.round(box.height) };
}

/** How an events file that already exists is treated. */
export type ExistingFile = 'refuse' | 'append' | 'overwrite';

/**
 * A JSON Lines file of events. Each event is written with one system call when it happens (nothing waits in a
 * buffer, so a killed process loses no event it reported), and the file is flushed to disk at close.
 */
export class JsonLinesFile {
  private fd: number | undefined;

  /**
   * @throws FacerecError naming `file` when it exists and `existing` is `'refuse'` (the default: facerec never
   * overwrites a file it was not asked to), or when it cannot be opened.
   */
  constructor(readonly file: string, existing: ExistingFile = 'refuse') {
    const flags = existing === 'append' ? 'a' : existing === 'overwrite' ? 'w' : 'wx';
    try {
      this.fd = openSync(file, flags);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const hint = code === 'EEXIST' ? ': it exists (append to it or overwrite it explicitly)' : ` (${errorReason(error)})`;
      throw new FacerecError(`Cannot write events to ${file}${hint}`, { cause: error });
    }
  }

  write(event: WatchEvent): void {
    if (this.fd === undefined) throw new FacerecError(`Events file ${this.file} is closed`);
    writeSync(this.fd, `${JSON.stringify(event)}\n`);
  }

  /** Flushes to disk and closes (again: nothing). */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
