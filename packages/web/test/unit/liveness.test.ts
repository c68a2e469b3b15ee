// The liveness challenge on mesh poses: a flat photo moved, scaled, rotated or tilted keeps its pose; a head turn and a blink answer.
import { describe, expect, it } from 'vitest';
import type { Point } from '@facerec/core';
import { ChallengeWatcher, poseOf, type FacePose } from '../../src/unlock/index.js';

/** A frontal face's mesh points that matter (the rest at the centre), eyes `open` (lid distance / eye width). */
function face(open = 0.3, noseShift = 0): Point[] {
  const points: Point[] = Array.from({ length: 468 }, () => ({ x: 100, y: 100 }));
  const eye = (outer: number, inner: number, top: number, bottom: number, x0: number, x1: number) => {
    points[outer] = { x: x0, y: 80 };
    points[inner] = { x: x1, y: 80 };
    const w = Math.abs(x1 - x0);
    points[top] = { x: (x0 + x1) / 2, y: 80 - (open * w) / 2 };
    points[bottom] = { x: (x0 + x1) / 2, y: 80 + (open * w) / 2 };
  };
  eye(33, 133, 159, 145, 60, 90);
  eye(263, 362, 386, 374, 140, 110);
  points[1] = { x: 100 + noseShift, y: 110 };
  return points;
}

/** A flat photo's points after a move, scale, rotation in its plane and a tilt (an affine map). */
const moved = (points: Point[], [a, b, c, d, e, f]: readonly number[]) => points.map((p) => ({ x: a! * p.x + b! * p.y + c!, y: d! * p.x + e! * p.y + f! }));

const pose = (points: Point[]): FacePose => poseOf(points);

describe('liveness', () => {
  it('a photo moved, scaled, rotated and tilted keeps its head turn: no turn challenge is answered', () => {
    const still = face();
    expect(pose(still).yaw).toBeCloseTo(0, 6);
    for (const challenge of ['turn-left', 'turn-right'] as const) {
      const watcher = new ChallengeWatcher(challenge);
      for (let k = 0; k < 40; k++) {
        const angle = Math.sin(k) * 0.5, scale = 1 + 0.3 * Math.cos(k), squeeze = 1 - 0.4 * Math.abs(Math.sin(k / 3));
        const m = [scale * Math.cos(angle) * squeeze, -scale * Math.sin(angle), 20 * k, scale * Math.sin(angle) * squeeze, scale * Math.cos(angle), -5 * k];
        const p = pose(moved(still, m));
        expect(Math.abs(p.yaw)).toBeLessThan(1e-9);
        expect(watcher.observe(p)).toBe(false);
      }
    }
  });

  it('a real head turn answers the turn asked for, not the other one', () => {
    const left = new ChallengeWatcher('turn-left');
    const right = new ChallengeWatcher('turn-right');
    for (let k = 0; k < 3; k++) [left, right].forEach((w) => w.observe(pose(face())));
    // The nose moves to the image's right: the person turned to their left.
    const turned = pose(face(0.3, 0.2 * 80));
    expect(turned.yaw).toBeCloseTo(0.2, 5);
    expect(right.observe(turned)).toBe(false);
    expect(left.observe(turned)).toBe(true);
    expect(left.observe(pose(face()))).toBe(true);
  });

  it('a blink (eyes closed, then open again) answers the blink challenge; eyes that stay open or stay shut do not', () => {
    const blink = new ChallengeWatcher('blink');
    const stare = new ChallengeWatcher('blink');
    for (let k = 0; k < 3; k++) [blink, stare].forEach((w) => w.observe(pose(face(0.3))));
    expect(pose(face(0.3)).eyeOpenness).toBeCloseTo(0.3, 6);
    for (let k = 0; k < 10; k++) expect(stare.observe(pose(moved(face(0.3), [1.2, 0.1, 5, -0.1, 1.2, 3])))).toBe(false);
    expect(blink.observe(pose(face(0.1)))).toBe(false);
    expect(blink.observe(pose(face(0.12)))).toBe(false);
    expect(blink.observe(pose(face(0.29)))).toBe(true);
  });
});
