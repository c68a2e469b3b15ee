// Enrolment quality of a face on a frame: size, brightness, sharpness and a near-frontal pose.
import * as tf from '@tensorflow/tfjs-core';
import type { Box } from '@facerec/core';
import type { FacePose } from './face-mesh.js';

/** The limits a face must meet to be enrolled. */
export interface QualityLimits {
  /** Smallest face box side, in pixels. Default 80. */
  readonly minFaceSize?: number;
  /** Mean gray level of the face, in 0..255. Default [50, 215]. */
  readonly brightness?: readonly [number, number];
  /** Least sharpness (variance of the Laplacian of the face at 64×64 gray). Default 20. */
  readonly minSharpness?: number;
  /** Largest head turn (see {@link FacePose.yaw}) and roll (degrees). Defaults 0.12 and 15. */
  readonly maxYaw?: number;
  readonly maxRoll?: number;
}

/** What was measured, and what falls short (empty when the face is good enough). */
export interface FaceQuality {
  readonly size: number;
  readonly brightness: number;
  readonly sharpness: number;
  readonly yaw: number;
  readonly roll: number;
  /** `'too-small'`, `'too-dark'`, `'too-bright'`, `'blurred'`, `'turned'`, `'tilted'`. */
  readonly problems: readonly QualityProblem[];
}

/** Why a face is not good enough to enrol. */
export type QualityProblem = 'too-small' | 'too-dark' | 'too-bright' | 'blurred' | 'turned' | 'tilted';

const SIDE = 64;

/** Mean and Laplacian variance of the face box of `image` (`[h, w, 3]`, 0..255) at 64×64 gray. */
export async function brightnessAndSharpness(image: tf.Tensor3D, box: Box): Promise<{ brightness: number; sharpness: number }> {
  const [h, w] = image.shape;
  const crop = tf.tidy(() => {
    const boxes = tf.tensor2d([[box.y / (h - 1), box.x / (w - 1), (box.y + box.height) / (h - 1), (box.x + box.width) / (w - 1)]]);
    const faces = tf.image.cropAndResize(tf.expandDims(image, 0) as tf.Tensor4D, boxes, [0], [SIDE, SIDE]);
    return tf.mean(faces, 3);
  });
  const g = (await crop.data()) as Float32Array;
  crop.dispose();
  let sum = 0;
  for (const v of g) sum += v;
  const mean = sum / g.length;
  let lsum = 0, lsq = 0, n = 0;
  for (let y = 1; y < SIDE - 1; y++) {
    for (let x = 1; x < SIDE - 1; x++) {
      const i = y * SIDE + x;
      const l = g[i - 1]! + g[i + 1]! + g[i - SIDE]! + g[i + SIDE]! - 4 * g[i]!;
      lsum += l;
      lsq += l * l;
      n++;
    }
  }
  return { brightness: mean, sharpness: lsq / n - (lsum / n) ** 2 };
}

/** Checks a face against `limits`. */
export async function faceQuality(image: tf.Tensor3D, box: Box, pose: FacePose, limits: QualityLimits = {}): Promise<FaceQuality> {
  const { brightness, sharpness } = await brightnessAndSharpness(image, box);
  const [dark, bright] = limits.brightness ?? [50, 215];
  const size = Math.min(box.width, box.height);
  const problems: QualityProblem[] = [];
  if (size < (limits.minFaceSize ?? 80)) problems.push('too-small');
  if (brightness < dark) problems.push('too-dark');
  if (brightness > bright) problems.push('too-bright');
  if (sharpness < (limits.minSharpness ?? 20)) problems.push('blurred');
  if (Math.abs(pose.yaw) > (limits.maxYaw ?? 0.12)) problems.push('turned');
  if (Math.abs(pose.roll) > (limits.maxRoll ?? 15)) problems.push('tilted');
  return { size, brightness, sharpness, yaw: pose.yaw, roll: pose.roll, problems };
}
