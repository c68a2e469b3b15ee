// Real-time recognition on a video: the frame loop plus recognizeFaces on each processed frame.
import type { FaceRecognizer } from '@facerec/core';
import { recognizeFaces } from '../faces/index.js';
import type { LocatedRecognition, RecognizeFacesOptions } from '../faces/index.js';
import { runFrameLoop } from './frame-loop.js';
import type { FrameInfo, FrameLoop, FrameLoopOptions, FrameLoopStats } from './frame-loop.js';

/** Options of {@link startRecognitionLoop}. */
export interface RecognitionLoopOptions extends FrameLoopOptions, Omit<RecognizeFacesOptions, 'source'> {
  /** Called with each processed frame's faces and the loop's figures (draw them here). */
  readonly onFaces: (faces: LocatedRecognition[], frame: FrameInfo & FrameLoopStats) => void | Promise<void>;
}

/**
 * Recognises the faces in `video`'s latest frame, frame after frame, never more than one in flight
 * (see {@link runFrameLoop}); `loop.fps` says how many frames per second it manages. Stop it with
 * `loop.stop()` or `options.signal`.
 */
export function startRecognitionLoop(video: HTMLVideoElement, recognizer: FaceRecognizer, options: RecognitionLoopOptions): FrameLoop {
  const { onFaces, signal, scheduler, ...recognize } = options;
  const loop: FrameLoop = runFrameLoop(
    video,
    async (frame) => {
      const faces = await recognizeFaces(recognizer, video, { ...recognize, source: 'video' });
      await onFaces(faces, { ...frame, fps: loop.fps, frames: loop.frames, lastFrameMs: loop.lastFrameMs });
    },
    { ...(signal ? { signal } : {}), ...(scheduler ? { scheduler } : {}) },
  );
  return loop;
}
