// Refines the five landmarks with MediaPipe's face mesh (468 points) run on a rotated crop around each detected face.
import * as tf from '@tensorflow/tfjs-core';
import { requireFinite } from '../errors/finite.js';
import { grayscaleToRgb } from '../preprocess/color.js';
import type { Affine, Box, Point } from './geometry.js';
import { applyAffine } from './geometry.js';
import type { FaceGraphModel, GraphModelSignature } from './graph-model.js';
import type { FiveLandmarks } from './landmarks.js';
import { warpAffine } from './warp.js';

const INPUT = 192;
/** Mesh indices: eye (image left) contour, eye (image right) contour, nose tip, mouth corners. */
const EYE_LEFT = [33, 133, 159, 145];
const EYE_RIGHT = [362, 263, 386, 374];
const NOSE_TIP = 1;
const MOUTH_LEFT = 61;
const MOUTH_RIGHT = 291;

/** Base name of the face mesh model's files. */
export const MESH_FILE = 'facemesh';

const OUTPUT = 'Identity_2:0';
/** The mesh's face-presence output: one probability (0..1) per crop, high when the crop holds a face. */
const FACE_FLAG = 'Identity_1:0';

/** Five refined landmarks and the mesh's confidence (0..1) that its crop shows a face. */
export interface RefinedFace {
  readonly landmarks: FiveLandmarks;
  readonly faceScore: number;
}

/** What the face mesh network must take and give: 192×192 RGB in, 468 points × (x, y, z) out. */
export const MESH_SIGNATURE: GraphModelSignature = { what: 'the face mesh', input: [INPUT, INPUT, 3], output: OUTPUT, outputSize: 468 * 3 };

/**
 * Runs the face mesh on a square crop around each face (1.5× the detector box, rotated so the eyes are
 * level) and reads precise eye centres, nose tip and mouth corners from it.
 */
export class LandmarkRefiner {
  /** @param source - Names the model file in errors. */
  constructor(private readonly model: FaceGraphModel, private readonly source = 'face mesh') {}

  /** Five refined landmarks per face; `eyes` are the detector's rough eye centres, used for the rotation. */
  async refine(image: tf.Tensor3D, faces: ReadonlyArray<{ box: Box; eyes: readonly [Point, Point] }>): Promise<FiveLandmarks[]> {
    return (await this.refineScored(image, faces)).map((f) => f.landmarks);
  }

  /**
   * {@link LandmarkRefiner.refine} with the mesh's face-presence score of each crop: a hand, a patch of hair
   * or the back of a head that the detector took for a face scores low (the same run, no extra cost).
   */
  async refineScored(image: tf.Tensor3D, faces: ReadonlyArray<{ box: Box; eyes: readonly [Point, Point] }>): Promise<RefinedFace[]> {
    if (faces.length === 0) return [];
    const matrices = faces.map(({ box, eyes }) => cropMatrix(box, eyes));
    const [mesh, flag] = tf.tidy(() => {
      const crops = warpAffine(image, matrices, [INPUT, INPUT]);
      const rgb = crops.shape[3] === 1 ? grayscaleToRgb(crops) : crops;
      const [points, logit] = this.model.execute(tf.div(rgb, 255), [OUTPUT, FACE_FLAG]) as tf.Tensor[];
      return [tf.reshape(points!, [faces.length, 468, 3]), tf.reshape(logit!, [faces.length])];
    });
    const values = (await mesh.data()) as Float32Array;
    const scores = (await flag.data()) as Float32Array;
    tf.dispose([mesh, flag]);
    // NaN points would become NaN alignment matrices; no landmarks at all is the honest answer.
    requireFinite(values, this.source, 'face mesh points');
    requireFinite(scores, this.source, 'face mesh face scores');
    return matrices.map((m, f) => {
      const at = (i: number): Point => applyAffine(m, { x: values[(f * 468 + i) * 3]!, y: values[(f * 468 + i) * 3 + 1]! });
      const mean = (ids: number[]): Point => {
        const ps = ids.map(at);
        return { x: ps.reduce((s, p) => s + p.x, 0) / ps.length, y: ps.reduce((s, p) => s + p.y, 0) / ps.length };
      };
      const landmarks: FiveLandmarks = [mean(EYE_LEFT), mean(EYE_RIGHT), at(NOSE_TIP), at(MOUTH_LEFT), at(MOUTH_RIGHT)];
      return { landmarks, faceScore: scores[f]! };
    });
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** Crop pixel (u, v) of the 192×192 input → image pixel: centred on the box, 1.5× its size, rotated with the eyes. */
function cropMatrix(box: Box, eyes: readonly [Point, Point]): Affine {
  const angle = Math.atan2(eyes[1].y - eyes[0].y, eyes[1].x - eyes[0].x);
  const side = Math.max(box.width, box.height) * 1.5;
  const s = side / INPUT;
  const c = Math.cos(angle) * s, n = Math.sin(angle) * s;
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  // x_img = cx + R·s·(u − 96), y likewise.
  return [c, -n, cx - c * INPUT / 2 + n * INPUT / 2, n, c, cy - n * INPUT / 2 - c * INPUT / 2];
}
