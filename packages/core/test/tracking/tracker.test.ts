// FaceTracker on synthetic box sequences: one track per appearance, no identity switches when faces cross or hide, stable names, few embeddings.
import { describe, expect, it } from 'vitest';
import { FaceTracker, InvalidArgumentError, type TrackMatch } from '@facerec/core';
import { FakeEmbedder, mover, runScene, trackIds, type Actor, type SceneRun } from './scenes.js';

/** Each person kept one track id of their own for the whole scene. */
function expectOneTrackEach(run: SceneRun, ...names: string[]): void {
  const ids = names.map((name) => trackIds(run.ids.get(name)!));
  for (const [k, list] of ids.entries()) expect(list, names[k]).toHaveLength(1);
  expect(new Set(ids.map((list) => list[0])).size).toBe(names.length);
}

describe('FaceTracker lifecycle', () => {
  it('makes one track of a face walking through, confirmed after minHits and ended when it is gone', async () => {
    const run = await runScene([mover('a', 0, 100, 8, 0, 5, 65)], 100);
    const ids = run.ids.get('a')!;
    expect(ids.slice(0, 2)).toEqual([0, 0]);
    expect(trackIds(ids)).toEqual([1]);
    expect(ids.slice(2).every((id) => id === 1)).toBe(true);
    expect(run.started.map((s) => s.id)).toEqual([1]);
    expect(run.started[0]!.firstT).toBeCloseTo(5 / 25);
    expect(run.ended).toHaveLength(1);
    expect(run.ended[0]).toMatchObject({ id: 1, state: 'ended', frames: 60 });
    expect(run.ended[0]!.lastT).toBeCloseTo(64 / 25);
  });

  it('reports no track for a detection seen on one or two frames only', async () => {
    const blip: Actor = { name: 'blip', at: (f) => (f === 10 || f === 30 || f === 31 ? { x: 300, y: 50, width: 60, height: 60 } : undefined) };
    const run = await runScene([blip, mover('a', 0, 200, 5, 0)], 60);
    expect(run.started).toHaveLength(1);
    expect(trackIds(run.ids.get('blip')!)).toEqual([]);
  });

  it('keeps a face through an occlusion shorter than maxMissed, and starts a new track when it comes back later', async () => {
    const hidden = (from: number, to: number): Actor => {
      const walk = mover('a', 0, 100, 6, 0);
      return { name: 'a', at: (f) => (f >= from && f < to ? undefined : walk.at(f)) };
    };
    const short = await runScene([hidden(30, 40)], 80);
    expect(trackIds(short.ids.get('a')!)).toEqual([1]);
    expect(short.ended).toHaveLength(1);
    const long = await runScene([hidden(30, 60)], 90);
    expect(trackIds(long.ids.get('a')!)).toEqual([1, 2]);
    expect(long.ended.map((e) => e.id)).toEqual([1, 2]);
  });

  it('ends every live track at finish()', async () => {
    const run = await runScene([mover('a', 0, 0, 2, 0), mover('b', 300, 0, -2, 0)], 20);
    expect(run.ended.map((e) => e.id).sort()).toEqual([1, 2]);
  });

  it('checks its options and the frame times', async () => {
    expect(() => new FaceTracker({ minHits: 0 })).toThrow(InvalidArgumentError);
    expect(() => new FaceTracker({ iouThreshold: 1.5 })).toThrow(/iouThreshold/);
    expect(() => new FaceTracker({ qualityGain: 1 })).toThrow(/qualityGain/);
    const tracker = new FaceTracker();
    await tracker.update({ t: 1, detections: [] });
    await expect(tracker.update({ t: 0.5, detections: [] })).rejects.toThrow(/previous frame/);
    await expect(tracker.update({ t: Number.NaN, detections: [] })).rejects.toThrow(InvalidArgumentError);
  });
});

describe('FaceTracker association', () => {
  it('keeps identities of two faces crossing at different heights (motion alone)', async () => {
    const run = await runScene([mover('a', 0, 100, 8, 0), mover('b', 640, 140, -8, 0)], 80);
    expectOneTrackEach(run, 'a', 'b');
  });

  it('keeps identities when one face passes in front of the other and hides it', async () => {
    const a = mover('a', 0, 100, 8, 0);
    const bWalk = mover('b', 640, 100, -8, 0);
    // b is behind: not detected while the boxes overlap by more than a quarter.
    const b: Actor = { name: 'b', at: (f) => (Math.abs(a.at(f)!.x - bWalk.at(f)!.x) < 60 ? undefined : bWalk.at(f)) };
    const embedder = new FakeEmbedder();
    for (const options of [{}, { embedder, sameThreshold: embedder.sameThreshold }]) {
      const run = await runScene([a, b], 80, options);
      expectOneTrackEach(run, 'a', 'b');
    }
  });

  it('tells apart two faces that meet and turn back only by their appearance', async () => {
    // They walk towards each other, meet (b hidden behind a for 12 frames), and each walks back the way it came.
    const path = (x0: number, v: number) => (f: number) => x0 + v * (f < 30 ? f : 60 - f);
    const ax = path(100, 10), bx = path(700, -10);
    const a: Actor = { name: 'a', at: (f) => ({ x: ax(f), y: 120, width: 90, height: 90 }) };
    const b: Actor = { name: 'b', at: (f) => (f >= 24 && f < 36 ? undefined : { x: bx(f), y: 125, width: 90, height: 90 }) };
    const embedder = new FakeEmbedder();
    const withFaces = await runScene([a, b], 60, { embedder, sameThreshold: embedder.sameThreshold });
    expectOneTrackEach(withFaces, 'a', 'b');
    // Motion alone follows the momentum: the same scene without embeddings swaps or splits them.
    const motionOnly = await runScene([a, b], 60);
    expect(trackIds(motionOnly.ids.get('a')!).length + trackIds(motionOnly.ids.get('b')!).length).toBeGreaterThan(2);
  });

  it('brings back a lost face that reappears off its predicted path, by appearance', async () => {
    // a walks right, is hidden 8 frames, and reappears where it vanished (it stopped): motion predicts it far right.
    const a: Actor = { name: 'a', at: (f) => (f >= 20 && f < 28 ? undefined : { x: 100 + 10 * Math.min(f, 20), y: 100, width: 80, height: 80 }) };
    const embedder = new FakeEmbedder();
    const run = await runScene([a, mover('c', 50, 300, 3, 0)], 50, { embedder, sameThreshold: embedder.sameThreshold });
    expectOneTrackEach(run, 'a', 'c');
    const motionOnly = await runScene([a], 50);
    expect(trackIds(motionOnly.ids.get('a')!)).toHaveLength(2);
  });
});

describe('FaceTracker naming and embeddings', () => {
  it('names enrolled people, leaves a stranger unknown, and names each track once', async () => {
    const embedder = new FakeEmbedder();
    const match = embedder.matcher(['alice', 'bob']);
    const run = await runScene([mover('alice', 0, 50, 6, 0), mover('bob', 600, 250, -6, 0, 10), mover('stranger', 300, 0, 0, 5, 20, 70)], 90, {
      embedder, sameThreshold: embedder.sameThreshold, match,
    });
    const label = (name: string) => run.ended.find((e) => e.id === trackIds(run.ids.get(name)!)[0])!.label;
    expect(label('alice')).toBe('alice');
    expect(label('bob')).toBe('bob');
    expect(label('stranger')).toBe('unknown');
    expect(run.named.map((n) => n.id).sort()).toEqual([1, 2, 3]);
  });

  it('changes a name only when two votes in a row agree on another', async () => {
    const votes: string[] = ['alice', 'alice', 'bob', 'alice', 'bob', 'bob'];
    const seen: string[] = [];
    const match = (embeddings: readonly Float32Array[]): Promise<TrackMatch[]> => Promise.resolve(embeddings.map(() => ({ label: votes[seen.push('x') - 1] ?? 'bob', score: 0.95 })));
    const embedder = new FakeEmbedder();
    // reembedEvery 5: a vote every 5 frames.
    const run = await runScene([mover('a', 0, 0, 1, 0)], 40, { embedder, match, reembedEvery: 5 });
    expect(run.named.map((n) => n.label)).toEqual(['alice', 'bob']);
    expect(seen.length).toBeGreaterThanOrEqual(6);
  });

  it('embeds a face when its track is confirmed, when it gets clearly bigger, and every reembedEvery frames, not on every frame', async () => {
    const embedder = new FakeEmbedder();
    const steady = await runScene([mover('a', 0, 0, 1, 0)], 203, { embedder, reembedEvery: 50 });
    // Frame 2 (confirmation), then 52, 102, 152, 202.
    expect(steady.embedded).toBe(5);
    const approaching: Actor = { name: 'a', at: (f) => ({ x: 100, y: 100, width: 40 + 2 * f, height: 40 + 2 * f }) };
    const growing = await runScene([approaching], 60, { embedder, reembedEvery: 1000 });
    // 44 px at confirmation; ×1.25 quality steps: ~55, ~69, ~86, ~108, ~135 px within 60 frames.
    expect(growing.embedded).toBeGreaterThanOrEqual(5);
    expect(growing.embedded).toBeLessThanOrEqual(8);
  });

  it('embeds at most maxEmbedsPerFrame faces per frame', async () => {
    const embedder = new FakeEmbedder();
    const crowd = Array.from({ length: 6 }, (_, i) => mover(`p${i}`, 100 * i, 0, 0, 2, 0, Infinity, 60));
    const counts: number[] = [];
    const tracker = new FaceTracker({ maxEmbedsPerFrame: 2 });
    for (let f = 0; f < 8; f++) {
      const detections = crowd.map((a) => ({ box: a.at(f)!, score: 0.9 }));
      const step = await tracker.update({ t: f / 25, detections, embed: (indices) => Promise.resolve(indices.map((j) => embedder.of(crowd[j]!.name))) });
      counts.push(step.embedded);
    }
    expect(Math.max(...counts)).toBe(2);
    // Six new tracks confirmed on frame 2 get their first embeddings over frames 2, 3 and 4.
    expect(counts.slice(0, 5)).toEqual([0, 0, 2, 2, 2]);
  });
});

describe('FaceTracker naming of faces embedded before confirmation', () => {
  it('names a track confirmed after its face was embedded as a possible lost track', async () => {
    const embedder = new FakeEmbedder();
    // a leaves at frame 20; b appears right where a was heading, 3 frames later: b is embedded on sight (maybe a again?).
    const a = mover('a', 0, 100, 10, 0, 0, 20);
    const b = mover('b', 230, 100, 0, 0, 23, 40);
    const run = await runScene([a, b], 40, { embedder, sameThreshold: embedder.sameThreshold, match: embedder.matcher(['a', 'b']), reembedEvery: 1000 });
    const bTrack = trackIds(run.ids.get('b')!);
    expect(bTrack).toHaveLength(1);
    expect(trackIds(run.ids.get('a')!)).not.toEqual(bTrack);
    expect(run.ended.find((e) => e.id === bTrack[0])!.label).toBe('b');
  });
});

describe('FaceTracker at the frame edges', () => {
  it('ends a track whose face walked out of the frame at once when the frame size is known', async () => {
    // a walks out at the right edge (640) around frame 24 and comes back 6 frames later, walking left.
    const out = mover('a', 400, 100, 12, 0, 0, 24);
    const back = mover('a', 600, 100, -12, 0, 30, 50);
    const a: Actor = { name: 'a', at: (f) => out.at(f) ?? back.at(f) };
    const embedder = new FakeEmbedder();
    const faces = { embedder, sameThreshold: embedder.sameThreshold };
    const known = await runScene([a], 50, { ...faces, frameSize: { width: 640, height: 360 } });
    expect(trackIds(known.ids.get('a')!)).toHaveLength(2);
    expect(known.ended[0]!.lastT).toBeCloseTo(23 / 25);
    // Without the frame size the lost track waits maxMissed frames, and the returning face continues it.
    const unknown = await runScene([a], 50, faces);
    expect(trackIds(unknown.ids.get('a')!)).toHaveLength(1);
  });
});

describe('FaceTracker.predicted', () => {
  it('gives the confirmed faces seen on the last frame where they are expected next', async () => {
    const tracker = new FaceTracker();
    for (let f = 0; f < 4; f++) await tracker.update({ t: f / 10, detections: [{ box: { x: 10 * f, y: 0, width: 50, height: 50 }, score: 0.9 }] });
    const [seen] = tracker.predicted(0.45);
    expect(seen!.track.id).toBe(1);
    // Last seen at x = 30 at 0.3 s, moving 100 px/s.
    expect(seen!.box.x).toBeCloseTo(45, 0);
    await tracker.update({ t: 0.4, detections: [] });
    expect(tracker.predicted(0.5)).toEqual([]);
  });
});

describe('FaceTracker lost time', () => {
  it('ends a lost track after maxLostSeconds even when few frames went by (a low frame rate)', async () => {
    const hidden = (from: number, to: number): Actor => {
      const walk = mover('a', 0, 100, 6, 0);
      return { name: 'a', at: (f) => (f >= from && f < to ? undefined : walk.at(f)) };
    };
    // 4 frames per second: a gap of 8 frames is 2 s, longer than the default 1.5 s though fewer than 15 frames.
    const slow = await runScene([hidden(10, 18)], 30, { fps: 4 });
    expect(trackIds(slow.ids.get('a')!)).toEqual([1, 2]);
    const patient = await runScene([hidden(10, 18)], 30, { fps: 4, maxLostSeconds: 3 });
    expect(trackIds(patient.ids.get('a')!)).toEqual([1]);
  });
});
