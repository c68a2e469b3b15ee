// The recognition half of face unlock: matches in a row of one tracked face, the stricter default threshold, a new face starting over.
import { describe, expect, it } from 'vitest';
import { Gallery, type DetectedFace } from '@facerec/core';
import { DEFAULT_MATCH_FRAMES, defaultUnlockThreshold, UnlockDecision } from '../../src/unlock/index.js';

/** A unit 4-d embedding at cosine `c` from [1, 0, 0, 0]. */
const at = (c: number) => Float32Array.from([c, Math.sqrt(1 - c * c), 0, 0]);

function face(x: number): DetectedFace {
  const p = (dx: number, dy: number) => ({ x: x + dx, y: 100 + dy });
  return { box: { x, y: 100, width: 120, height: 120 }, score: 0.9, landmarks: [p(40, 45), p(80, 45), p(60, 70), p(45, 95), p(75, 95)] };
}

async function owner(): Promise<Gallery> {
  const gallery = new Gallery(undefined, { embedder: 'test', dimensions: 4, threshold: 0.91 });
  await gallery.enroll('owner', [at(1)]);
  return gallery;
}

/** Feeds `frames` frames (from frame `first`) of one face at `x(f)` whose embedding is `embedding(f)`; returns each step and the embeddings asked for. */
async function run(decision: UnlockDecision, frames: number, embedding: (f: number) => Float32Array, x: (f: number) => number = () => 100, first = 0) {
  const steps = [];
  let embedded = 0;
  for (let f = 0; f < frames; f++) {
    steps.push((await decision.step((first + f) / 30, [face(x(f))], async () => (embedded++, embedding(f))))!);
  }
  return { steps, embedded };
}

describe('UnlockDecision', () => {
  it('recognises the enrolled face on its third matching embedding in a row (one every other frame)', async () => {
    const gallery = await owner();
    const decision = new UnlockDecision({ gallery, threshold: defaultUnlockThreshold(gallery), matchFrames: DEFAULT_MATCH_FRAMES });
    const { steps, embedded } = await run(decision, 6, () => at(0.99));
    expect(steps.map((s) => s.matches)).toEqual([1, 1, 2, 2, 3, 3]);
    expect(steps.findIndex((s) => s.recognized)).toBe(4);
    expect(embedded).toBe(3);
    expect(steps.every((s) => s.label === 'owner' && s.trackId === 1)).toBe(true);
    gallery.dispose();
  });

  it('by default needs 0.02 more than the gallery: a face at 0.92, a match for identification, never unlocks', async () => {
    const gallery = await owner();
    expect(defaultUnlockThreshold(gallery)).toBeCloseTo(0.93);
    const decision = new UnlockDecision({ gallery, threshold: defaultUnlockThreshold(gallery), matchFrames: DEFAULT_MATCH_FRAMES });
    const { steps } = await run(decision, 12, () => at(0.92));
    expect(steps.some((s) => s.recognized)).toBe(false);
    expect(decision.bestMatches).toBe(0);
    expect((await gallery.match([at(0.92)]))[0]!.label).toBe('owner');
    gallery.dispose();
  });

  it('a miss, or another face, starts the count again', async () => {
    const gallery = await owner();
    const decision = new UnlockDecision({ gallery, threshold: 0.93, matchFrames: 3 });
    // Embedded on frames 0, 2, 4, 6...: the one on frame 4 is someone else's face.
    const { steps } = await run(decision, 8, (f) => at(f === 4 ? 0.5 : 0.99));
    expect(steps.map((s) => s.matches)).toEqual([1, 1, 2, 2, 0, 0, 1, 1]);
    expect(decision.bestMatches).toBe(2);
    // A face far from the followed one is a new track: its count starts at its own first embedding.
    const moved = await run(decision, 2, () => at(0.99), () => 400, 8);
    expect(moved.steps[0]!.newTrack).toBe(true);
    expect(moved.steps[0]!.trackId).toBe(2);
    expect(moved.steps[0]!.matches).toBe(1);
    gallery.dispose();
  });
});
