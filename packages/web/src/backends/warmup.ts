// Runs a recognizer once or twice on a blank frame so shaders compile and buffers exist before the first real frame.
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@facerec/core';
import type { Box, FaceRecognizer, RawImage } from '@facerec/core';

/** Options of {@link warmup}. */
export interface WarmupOptions {
  /** Size of the frames to come (e.g. the video's); default the model's input size (160×160 with a backbone). */
  readonly width?: number;
  readonly height?: number;
  /** The box that will be cut out of each frame; default the whole frame. */
  readonly box?: Box;
  /** Forward passes to run. Default 2 (the first compiles, the second shows the steady speed). */
  readonly runs?: number;
}

/** What {@link warmup} measured. */
export interface WarmupResult {
  /** Milliseconds of each run, first (the slow, compiling one) first. */
  readonly milliseconds: readonly number[];
  readonly backend: string;
}

/**
 * Runs `recognizer` on blank frames of the size real ones will have, so that on WebGPU and WASM the first
 * real frame does not pay for shader compilation or memory set-up. Leaves no tensors behind.
 *
 * @throws InvalidArgumentError when the recognizer has no model, or for bad sizes.
 */
export async function warmup(recognizer: FaceRecognizer, options: WarmupOptions = {}): Promise<WarmupResult> {
  if (!recognizer.ready) throw new InvalidArgumentError('recognizer', 'has no model yet: call fit() or FaceRecognizer.load() first');
  // A CNN takes its own input size; a backbone's detector and embedder take any photo.
  const config = recognizer.preprocessing ?? { inputSize: [160, 160], channels: 3 };
  const box = options.box;
  const width = Math.round(box?.width ?? options.width ?? config.inputSize[1]);
  const height = Math.round(box?.height ?? options.height ?? config.inputSize[0]);
  if (!(width > 0 && height > 0)) throw new InvalidArgumentError('warmup size', `expected positive sizes, got ${width}×${height}`);
  const runs = Math.max(1, Math.floor(options.runs ?? 2));
  // A mid-grey frame with the model's channels, as recognizeFaces passes frames.
  const channels = config.channels;
  const frame: RawImage = { data: new Float32Array(width * height * channels).fill(128), width, height, channels };
  const milliseconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await recognizer.predict(frame);
    milliseconds.push(performance.now() - start);
  }
  return { milliseconds, backend: tf.getBackend() };
}
