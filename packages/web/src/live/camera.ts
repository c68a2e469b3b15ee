// Opens the camera into a playing <video>, the source recognizeVideo reads.
import { InvalidArgumentError } from '@facerec/core';

/** Options of {@link openCamera}. */
export interface OpenCameraOptions {
  /** Wanted frame size (the camera picks the nearest it has). Default 640×480. */
  readonly width?: number;
  readonly height?: number;
  /** `'user'` (the front camera, default) or `'environment'`. */
  readonly facingMode?: 'user' | 'environment';
  /** A video element to play the camera in; default a new one (not added to the page). */
  readonly video?: HTMLVideoElement;
}

/** A playing camera: its `<video>` and a function that turns the camera off. */
export interface Camera {
  readonly video: HTMLVideoElement;
  readonly stream: MediaStream;
  /** Stops the camera (its light goes off) and detaches it from the video. */
  close(): void;
}

/**
 * Asks for the camera and plays it in a `<video>` (muted, inline), resolving once the first frame is there.
 * @throws InvalidArgumentError when this page cannot use a camera (no `navigator.mediaDevices`, e.g. not https);
 * the browser's own error (NotAllowedError...) when the user refuses.
 */
export async function openCamera(options: OpenCameraOptions = {}): Promise<Camera> {
  const media = typeof navigator === 'object' ? navigator.mediaDevices : undefined;
  if (!media?.getUserMedia) throw new InvalidArgumentError('camera', 'this page has no navigator.mediaDevices (cameras need https or localhost)');
  const stream = await media.getUserMedia({
    audio: false,
    video: { width: { ideal: options.width ?? 640 }, height: { ideal: options.height ?? 480 }, facingMode: options.facingMode ?? 'user' },
  });
  const video = options.video ?? document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  const close = (): void => {
    stream.getTracks().forEach((track) => track.stop());
    if (video.srcObject === stream) video.srcObject = null;
  };
  try {
    await video.play();
    if (video.readyState < 2) await new Promise((resolve) => video.addEventListener('loadeddata', resolve, { once: true }));
  } catch (error) {
    close();
    throw error;
  }
  return { video, stream, close };
}
