// Tests for the similarity fit, the batched warp (landmarks land on the template within 1 px), NMS and detection windows.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ARCFACE_TEMPLATE,
  DLIB_CHIP_TEMPLATE,
  applyAffine,
  invertAffine,
  iou,
  similarityTransform,
  warpAffine,
  type Affine,
  type Point,
} from '../../src/faces/index.js';
import { detectionWindows, fiveFromBlazeFace, templateInPixels, weightedNms } from '../../src/internal.js';
import { warpInMemory, warpWithGather } from '../../src/faces/warp.js';
import { expectNoLeakPerTest } from '../helpers/memory.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
expectNoLeakPerTest();

describe('similarityTransform', () => {
  it('recovers a rotation, scale and shift exactly', () => {
    const angle = 0.3, s = 1.7;
    const truth: Affine = [s * Math.cos(angle), -s * Math.sin(angle), 12, s * Math.sin(angle), s * Math.cos(angle), -5];
    const from = ARCFACE_TEMPLATE.map((p) => ({ x: p.x * 100, y: p.y * 100 }));
    const m = similarityTransform(from, from.map((p) => applyAffine(truth, p)));
    m.forEach((v, i) => expect(v).toBeCloseTo(truth[i]!, 9));
  });
  it('inverts', () => {
    const m: Affine = [2, -1, 3, 1, 2, -4];
    const p = applyAffine(invertAffine(m), applyAffine(m, { x: 5, y: 7 }));
    expect(p.x).toBeCloseTo(5, 12);
    expect(p.y).toBeCloseTo(7, 12);
  });
  it('needs two distinct points', () => {
    expect(() => similarityTransform([{ x: 1, y: 1 }, { x: 1, y: 1 }], [{ x: 0, y: 0 }, { x: 1, y: 0 }])).toThrow(/coincide/);
  });
});

/** Centroid of bright pixels in a window around `near` of a single-channel [h, w] array. */
function centroid(values: Float32Array, width: number, near: Point, radius: number): Point {
  let sx = 0, sy = 0, sw = 0;
  for (let y = Math.max(0, Math.round(near.y - radius)); y <= Math.round(near.y + radius); y++) {
    for (let x = Math.max(0, Math.round(near.x - radius)); x <= Math.round(near.x + radius); x++) {
      const v = values[y * width + x] ?? 0;
      if (v > 20) { sx += (x + 0.5) * v; sy += (y + 0.5) * v; sw += v; }
    }
  }
  return { x: sx / sw, y: sy / sw };
}

describe('alignment with warpAffine', () => {
  it('puts five landmarks of a rotated, scaled face on the template within 1 px, for a batch of faces', () => {
    // A 300×240 image with two "faces": bright 3×3 dots at the landmarks of a template rotated/scaled/moved.
    const W = 300, H = 240, size = 150;
    const template = templateInPixels(DLIB_CHIP_TEMPLATE, size);
    const faces: Affine[] = [
      [0.6 * Math.cos(0.4), -0.6 * Math.sin(0.4), 40, 0.6 * Math.sin(0.4), 0.6 * Math.cos(0.4), 30],
      [0.9 * Math.cos(-0.2), -0.9 * Math.sin(-0.2), 150, 0.9 * Math.sin(-0.2), 0.9 * Math.cos(-0.2), 80],
    ];
    const pixels = new Float32Array(W * H);
    const landmarks = faces.map((m) => template.map((p) => applyAffine(m, p)));
    for (const points of landmarks) {
      for (const p of points) {
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) pixels[(Math.floor(p.y) + dy) * W + Math.floor(p.x) + dx] = 255;
      }
    }
    const image = tf.tensor3d(pixels, [H, W, 1]);
    const matrices = landmarks.map((points) => similarityTransform(template, points));
    const crops = warpAffine(image, matrices, [size, size]);
    expect(crops.shape).toEqual([2, size, size, 1]);
    const values = crops.dataSync() as Float32Array;
    for (let f = 0; f < 2; f++) {
      const plane = values.subarray(f * size * size, (f + 1) * size * size);
      for (const t of template) {
        const c = centroid(plane, size, t, 6 / (f === 0 ? 0.6 : 0.9));
        // The dot was drawn at floor(p) ± 1, i.e. centred up to 0.5 px from p in the source, less after scaling up.
        expect(Math.hypot(c.x - t.x, c.y - t.y)).toBeLessThan(1);
      }
    }
    tf.dispose([image, crops]);
  });
  it('fills outside the image and samples exactly at pixel centres', () => {
    const image = tf.tensor3d([1, 2, 3, 4], [2, 2, 1]);
    const identity = warpAffine(image, [[1, 0, 0, 0, 1, 0]], [2, 2]);
    expect(Array.from(identity.dataSync())).toEqual([1, 2, 3, 4]);
    const shifted = warpAffine(image, [[1, 0, 1, 0, 1, 0]], [2, 2], 9);
    expect(Array.from(shifted.dataSync())).toEqual([2, 9, 4, 9]);
    tf.dispose([image, identity, shifted]);
  });
  it('gives the same crops in memory (CPU backends) as with the tensor gather (GPU backends), with rotation, scale and fill', () => {
    let seed = 5;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const image = tf.tensor3d(Float32Array.from({ length: 23 * 31 * 3 }, () => Math.round(rand() * 255)), [23, 31, 3]);
    const matrices: Affine[] = [[0.9, -0.3, 4.2, 0.3, 0.9, -2.7], [1.7, 0.4, 10.1, -0.4, 1.7, 3.3], [0.5, 0, -5, 0, 0.5, 18]];
    const a = warpInMemory(image, matrices, 17, 13, 7);
    const b = warpWithGather(image, matrices, 17, 13, 7);
    expect(a.shape).toEqual([3, 17, 13, 3]);
    const [x, y] = [a.dataSync(), b.dataSync()];
    let diff = 0;
    for (let i = 0; i < x.length; i++) diff = Math.max(diff, Math.abs(x[i]! - y[i]!));
    expect(diff).toBeLessThan(1e-4); // float rounding only, on values up to 255
    expect(Array.from(x).filter((v) => v === 7).length).toBeGreaterThan(0); // some pixels fall outside
    tf.dispose([image, a, b]);
  });
});

describe('landmarks', () => {
  it('places mouth corners beside the mouth centre along the eye line', () => {
    const five = fiveFromBlazeFace([{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 5, y: 5 }, { x: 5, y: 10 }, { x: -3, y: 2 }, { x: 13, y: 2 }]);
    expect(five[3].y).toBe(10);
    expect(five[4].x - five[3].x).toBeCloseTo((70.7299 - 41.5493) / (73.5318 - 38.2946) * 10, 9);
    expect((five[3].x + five[4].x) / 2).toBeCloseTo(5, 12);
  });
});

describe('weightedNms and iou', () => {
  it('merges overlapping boxes by score and keeps separate faces', () => {
    expect(iou({ x: 0, y: 0, width: 10, height: 10 }, { x: 5, y: 0, width: 10, height: 10 })).toBeCloseTo(50 / 150, 12);
    const kp = (x: number) => [{ x, y: 0 }];
    const out = weightedNms([
      { box: { x: 0, y: 0, width: 10, height: 10 }, score: 0.9, keypoints: kp(0) },
      { box: { x: 2, y: 0, width: 10, height: 10 }, score: 0.3, keypoints: kp(4) },
      { box: { x: 50, y: 50, width: 10, height: 10 }, score: 0.8, keypoints: kp(50) },
    ], 0.3);
    expect(out).toHaveLength(2);
    expect(out[0]!.score).toBe(0.9);
    expect(out[0]!.box.x).toBeCloseTo((0.9 * 0 + 0.3 * 2) / 1.2, 12);
    expect(out[0]!.keypoints[0]!.x).toBeCloseTo((0.3 * 4) / 1.2, 12);
    expect(out[1]!.box.x).toBe(50);
  });
});

describe('detectionWindows', () => {
  it('covers the image at halving sizes down to the smallest face', () => {
    expect(detectionWindows(250, 250, 80)).toEqual([{ x: 0, y: 0, size: 250 }]);
    const windows = detectionWindows(1280, 720, 40);
    expect(windows[0]).toEqual({ x: 0, y: -280, size: 1280 });
    const smallest = Math.min(...windows.map((w) => w.size));
    expect(smallest).toBeLessThanOrEqual(40 / 0.2);
    // Every point of the image lies in some window of the smallest size.
    for (const [x, y] of [[0, 0], [1279, 719], [640, 360], [1000, 100]] as const) {
      expect(windows.some((w) => w.size === smallest && x >= w.x && x < w.x + w.size && y >= w.y && y < w.y + w.size)).toBe(true);
    }
  });
});
