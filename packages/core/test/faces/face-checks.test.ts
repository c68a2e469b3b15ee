// The checks that keep non-faces out of a scene: nested boxes in NMS, keypoint geometry, the face mesh's verdict, the faceChecks option.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useCpuBackend } from '../preprocess/setup.js';
import { weightedNms } from '../../src/internal.js';
import { overlapOfSmaller } from '../../src/faces/nms.js';
import { clippedShare, FACE_QUALITY, keypointsPlausible, landmarkShift, meshAccepts, secondLookAccepts } from '../../src/faces/quality.js';
import { resolveDetectOptions } from '../../src/faces/detect-options.js';
import type { FiveLandmarks } from '../../src/faces/landmarks.js';
import type { Box, Point } from '../../src/faces/geometry.js';

/** BlazeFace-style keypoints of an upright face filling `box`: eyes, nose tip, mouth centre, ears. */
function faceKeypoints(box: Box): Point[] {
  const at = (fx: number, fy: number): Point => ({ x: box.x + fx * box.width, y: box.y + fy * box.height });
  return [at(0.32, 0.38), at(0.68, 0.38), at(0.5, 0.58), at(0.5, 0.75), at(0.1, 0.45), at(0.9, 0.45)];
}

function candidate(box: Box, score: number) {
  return { box, score, keypoints: faceKeypoints(box) };
}

describe('weightedNms: nested boxes', () => {
  const face = { x: 100, y: 100, width: 100, height: 100 };
  // Twice as wide around the face: IoU 1/4, below any usual IoU threshold, so plain NMS keeps both.
  const around = { x: 50, y: 50, width: 200, height: 200 };
  const inside = { x: 120, y: 130, width: 50, height: 50 };

  it('drops a box around a better face and a box inside it', () => {
    const out = weightedNms([candidate(face, 0.9), candidate(around, 0.6), candidate(inside, 0.55)], 0.3);
    expect(out.map((d) => d.box)).toEqual([face]);
  });

  it('drops the nested one whichever of the two scores better', () => {
    const out = weightedNms([candidate(face, 0.6), candidate(around, 0.9)], 0.3);
    expect(out).toHaveLength(1);
    expect(out[0]!.box).toEqual(around);
  });

  it('keeps faces side by side and faces that only touch', () => {
    const right = { x: 190, y: 100, width: 100, height: 100 }; // 10% of its area shared with the face
    const far = { x: 400, y: 100, width: 60, height: 60 };
    const out = weightedNms([candidate(face, 0.9), candidate(right, 0.8), candidate(far, 0.7)], 0.3);
    expect(out).toHaveLength(3);
  });

  it('keeps nested boxes when told to (nestedOverlap Infinity: the behaviour before)', () => {
    expect(weightedNms([candidate(face, 0.9), candidate(around, 0.6)], 0.3, Infinity, Infinity)).toHaveLength(2);
  });

  it('measures overlap over the smaller box', () => {
    expect(overlapOfSmaller(face, around)).toBe(1);
    expect(overlapOfSmaller(around, inside)).toBe(1);
    expect(overlapOfSmaller(face, { x: 150, y: 100, width: 100, height: 100 })).toBeCloseTo(0.5, 12);
    expect(overlapOfSmaller(face, { x: 300, y: 300, width: 10, height: 10 })).toBe(0);
  });
});

describe('keypointsPlausible', () => {
  const box = { x: 10, y: 20, width: 100, height: 100 };

  it('accepts an upright face, a tilted one and a face turned to the side', () => {
    expect(keypointsPlausible(box, faceKeypoints(box))).toBe(true);
    // Rotated by 40° about the box centre: the checks work in the frame of the eye line.
    const c = { x: 60, y: 70 }, a = (40 * Math.PI) / 180;
    const rotated = faceKeypoints(box).map((p) => ({ x: c.x + (p.x - c.x) * Math.cos(a) - (p.y - c.y) * Math.sin(a), y: c.y + (p.x - c.x) * Math.sin(a) + (p.y - c.y) * Math.cos(a) }));
    expect(keypointsPlausible(box, rotated)).toBe(true);
    // In profile: eyes close together, nose and mouth far to one side (measured on a real one: 0.21 of the box, nose 1.0 eye distances aside).
    const profile = [{ x: 50, y: 58 }, { x: 71, y: 58 }, { x: 39, y: 79 }, { x: 47, y: 99 }, { x: 20, y: 60 }, { x: 90, y: 60 }];
    expect(keypointsPlausible(box, profile)).toBe(true);
  });

  it('refuses keypoints no face has: nose above the eyes, mouth above the nose, eyes a sliver of the box, points in a row', () => {
    const kp = faceKeypoints(box);
    expect(keypointsPlausible(box, [kp[0]!, kp[1]!, { x: 60, y: 30 }, kp[3]!])).toBe(false);
    expect(keypointsPlausible(box, [kp[0]!, kp[1]!, { x: 60, y: 85 }, { x: 60, y: 70 }])).toBe(false);
    expect(keypointsPlausible(box, [{ x: 55, y: 58 }, { x: 62, y: 58 }, { x: 58, y: 65 }, { x: 58, y: 75 }])).toBe(false);
    expect(keypointsPlausible(box, [{ x: 20, y: 60 }, { x: 50, y: 60 }, { x: 80, y: 60 }, { x: 100, y: 60 }])).toBe(false);
    expect(keypointsPlausible(box, kp.slice(0, 3))).toBe(false);
  });
});

describe('the face mesh check', () => {
  const rough: FiveLandmarks = [{ x: 40, y: 50 }, { x: 80, y: 50 }, { x: 60, y: 75 }, { x: 45, y: 95 }, { x: 75, y: 95 }];

  it('accepts a crop the mesh takes for a face, with landmarks near the detector\'s', () => {
    const refined = rough.map((p) => ({ x: p.x + 4, y: p.y - 3 })) as unknown as FiveLandmarks;
    expect(landmarkShift(rough, refined)).toBeCloseTo(5 / 40, 12);
    expect(meshAccepts(rough, { landmarks: refined, faceScore: 0.98 })).toBe(true);
  });

  it('refuses a low presence score, and landmarks that moved elsewhere', () => {
    expect(meshAccepts(rough, { landmarks: rough, faceScore: FACE_QUALITY.minPresence - 0.01 })).toBe(false);
    const elsewhere = rough.map((p) => ({ x: p.x + 30, y: p.y })) as unknown as FiveLandmarks;
    expect(landmarkShift(rough, elsewhere)).toBeCloseTo(0.75, 12);
    expect(meshAccepts(rough, { landmarks: elsewhere, faceScore: 1 })).toBe(false);
  });
});

describe('DetectOptions.faceChecks', () => {
  it('is on by default, can be turned off, and must be a boolean', () => {
    expect(resolveDetectOptions({}).faceChecks).toBe(true);
    expect(resolveDetectOptions({ faceChecks: false }).faceChecks).toBe(false);
    expect(() => resolveDetectOptions({ faceChecks: 'no' as unknown as boolean })).toThrow(/faceChecks/);
  });
});

describe('over-exposure and the second look', () => {
  useCpuBackend();
  const rough: FiveLandmarks = [{ x: 40, y: 40 }, { x: 60, y: 40 }, { x: 50, y: 52 }, { x: 43, y: 62 }, { x: 57, y: 62 }];
  const near = rough.map((p) => ({ x: p.x + 4, y: p.y })) as unknown as FiveLandmarks; // 0.2 eye distances
  const far = rough.map((p) => ({ x: p.x + 11, y: p.y })) as unknown as FiveLandmarks; // 0.55

  it('meshAccepts ignores the presence score of an over-exposed face, not its landmarks', () => {
    expect(meshAccepts(rough, { landmarks: near, faceScore: 0.01 })).toBe(false);
    expect(meshAccepts(rough, { landmarks: near, faceScore: 0.01 }, FACE_QUALITY, 0.49)).toBe(false);
    expect(meshAccepts(rough, { landmarks: near, faceScore: 0.01 }, FACE_QUALITY, 0.8)).toBe(true);
    // Landmarks that a normally lit face may have (shift 0.55 ≤ 0.6) are too far when presence cannot vouch for them.
    expect(meshAccepts(rough, { landmarks: far, faceScore: 0.9 }, FACE_QUALITY, 0)).toBe(true);
    expect(meshAccepts(rough, { landmarks: far, faceScore: 0.01 }, FACE_QUALITY, 0.8)).toBe(false);
  });

  it('secondLookAccepts: confident at first, found again in every view, or over-exposed', () => {
    expect(secondLookAccepts(0.9, 0)).toBe(true);
    expect(secondLookAccepts(0.6, 0.5)).toBe(true);
    expect(secondLookAccepts(0.6, 0.3)).toBe(false);
    expect(secondLookAccepts(0.6, 0.3, 0.7)).toBe(true);
    expect(secondLookAccepts(0.6, 0.3, 0.7, { confident: 0.5, minScore: 0.45 })).toBe(true);
  });

  it('clippedShare counts the pixels whose brightest channel is at white, inside the box only', async () => {
    // 10×10 RGB: left half white in the red channel only, right half mid-grey.
    const data = new Float32Array(10 * 10 * 3).fill(128);
    for (let y = 0; y < 10; y++) for (let x = 0; x < 5; x++) data[(y * 10 + x) * 3] = 252;
    const image = tf.tensor3d(data, [10, 10, 3]);
    try {
      expect(await clippedShare(image, { x: 0, y: 0, width: 10, height: 10 })).toBeCloseTo(0.5, 6);
      expect(await clippedShare(image, { x: 0, y: 0, width: 5, height: 10 })).toBeCloseTo(1, 6);
      expect(await clippedShare(image, { x: 5, y: 0, width: 20, height: 20 })).toBe(0);
      expect(await clippedShare(image, { x: 20, y: 20, width: 5, height: 5 })).toBe(0);
    } finally {
      image.dispose();
    }
  });
});
