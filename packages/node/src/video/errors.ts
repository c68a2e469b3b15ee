// Typed errors of video input and output: a source that cannot be opened or ends broken, and a missing ffmpeg.
import { FacerecError } from '@facerec/core';

/**
 * A video source cannot be opened, was lost for good, or ended broken (a corrupt or truncated file);
 * `source` names it and `frames` says how many frames were read before.
 */
export class VideoSourceError extends FacerecError {
  readonly source: string;
  readonly frames: number;
  constructor(source: string, message: string, frames = 0, options?: { cause?: unknown }) {
    super(`Video ${source}: ${message}`, options);
    this.source = source;
    this.frames = frames;
  }
}

/** An output video could not be written; `file` names it. */
export class VideoOutputError extends FacerecError {
  readonly file: string;
  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`Video output ${file}: ${message}`, options);
    this.file = file;
  }
}

/** No ffmpeg executable was found; the message says how to get one. */
export class FfmpegNotFoundError extends FacerecError {}
