// Tests for the Gallery on plain embeddings: enrol, remove, 1:N matching by hand-computed scores, verify, save data, memory.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError, ModelFormatError, NumericError } from '../../src/errors/index.js';
import { Gallery } from '../../src/gallery/index.js';
import { EmbeddingStore } from '../../src/internal.js';
import { UNKNOWN } from '../../src/recognizer/index.js';
import type { FacePipeline } from '../../src/faces/index.js';
import { expectNoLeakPerTest } from '../helpers/memory.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
expectNoLeakPerTest();

const v = (...xs: number[]) => Float32Array.from(xs);
const info = { embedder: 'test', dimensions: 3, threshold: 0.5 };

describe('EmbeddingStore', () => {
  it('grows, removes by swapping in the last row, and keeps labels aligned', () => {
    const s = new EmbeddingStore(2, 1);
    s.add('a', [1, 0]);
    s.add('b', [0, 1]);
    s.add('a', [2, 2]);
    s.add('c', [3, 3]);
    expect(s.remove('a')).toBe(2);
    expect(s.labels).toEqual(['c', 'b']);
    expect(Array.from(s.matrix())).toEqual([3, 3, 0, 1]);
    expect(() => s.add('x', [1])).toThrow(InvalidArgumentError);
    expect(() => s.add('x', [1, NaN])).toThrow(/not finite/);
  });
});

describe('Gallery.match', () => {
  it('scores every person by their best embedding and answers unknown below the threshold', async () => {
    const g = new Gallery(undefined, info);
    await g.enroll('ann', [v(1, 0, 0), v(0.6, 0.8, 0)]);
    await g.enroll('bob', [v(0, 0, 1)]);
    expect(await g.labels()).toEqual(['ann', 'bob']);
    expect(await g.count()).toEqual({ people: 2, embeddings: 3 });
    // Query (0.8, 0.6, 0): ann's rows give 0.8 and 0.48 + 0.48 = 0.96; bob's gives 0.
    const [m1, m2] = await g.match([v(0.8, 0.6, 0), v(0.6, 0, 0.8)], { topK: 2 });
    expect(m1!.label).toBe('ann');
    expect(m1!.unknown).toBe(false);
    expect(m1!.score).toBeCloseTo(0.96, 6);
    expect(m1!.candidates.map((c) => c.label)).toEqual(['ann', 'bob']);
    expect(m1!.candidates[1]!.score).toBeCloseTo(0, 6);
    // Query (0.6, 0, 0.8): bob 0.8, ann 0.6 → bob; with threshold 0.9 → unknown (best match still listed).
    expect(m2!.label).toBe('bob');
    const [strict] = await g.match([v(0.6, 0, 0.8)], { threshold: 0.9 });
    expect(strict!.label).toBe(UNKNOWN);
    expect(strict!.unknown).toBe(true);
    expect(strict!.score).toBeCloseTo(0.8, 6);
    expect(strict!.candidates[0]!.label).toBe('bob');
    g.dispose();
  });
  it('re-uploads the matrix only after a change and sees removals', async () => {
    const g = new Gallery(undefined, info);
    await g.enroll('ann', [v(1, 0, 0)]);
    await g.enroll('bob', [v(0, 1, 0)]);
    expect((await g.match([v(1, 0, 0)]))[0]!.label).toBe('ann');
    expect(await g.remove('ann')).toBe(true);
    expect(await g.remove('ann')).toBe(false);
    const [m] = await g.match([v(1, 0, 0)]);
    expect(m!.label).toBe(UNKNOWN);
    expect(m!.candidates.map((c) => c.label)).toEqual(['bob']);
    g.dispose();
  });
  it('normalises enrolled embeddings and rejects bad input', async () => {
    const g = new Gallery(undefined, info);
    await g.enroll('ann', [v(3, 4, 0)]);
    expect((await g.match([v(0.6, 0.8, 0)]))[0]!.score).toBeCloseTo(1, 6);
    await expect(g.enroll('unknown', [v(1, 0, 0)])).rejects.toThrow(/reserved/);
    await expect(g.enroll('x', [v(0, 0, 0)])).rejects.toThrow(/zero/);
    await expect(g.match([v(1, 0)])).rejects.toThrow(/3-d/);
    await expect(g.identify({ data: new Uint8Array(1), width: 1, height: 1, channels: 1 })).rejects.toThrow(/no FacePipeline/);
    g.dispose();
  });
  it('answers unknown on an empty gallery', async () => {
    const g = new Gallery(undefined, info);
    expect(await g.match([v(1, 0, 0)])).toEqual([{ label: UNKNOWN, score: -1, unknown: true, candidates: [] }]);
    expect(g.scoreKind).toBe('cosine');
  });
  it('reads the scores asynchronously, never with dataSync (which WebGPU in Node cannot do)', async () => {
    const g = new Gallery(undefined, info);
    await g.enroll('ann', [v(1, 0, 0)]);
    const dataSync = vi.spyOn(tf.Tensor.prototype, 'dataSync');
    try {
      const pending = g.match([v(1, 0, 0)]);
      expect(pending).toBeInstanceOf(Promise);
      expect((await pending)[0]!.label).toBe('ann');
      expect(dataSync).not.toHaveBeenCalled();
    } finally {
      dataSync.mockRestore();
      g.dispose();
    }
  });
});

describe('Gallery.verify', () => {
  it('compares two embeddings against the threshold', async () => {
    const g = new Gallery(undefined, info);
    const r = await g.verify(v(1, 0, 0), v(0.6, 0.8, 0));
    expect(r.score).toBeCloseTo(0.6, 6);
    expect(r).toMatchObject({ same: true, threshold: 0.5 });
    expect((await g.verify(v(1, 0, 0), v(0.6, 0.8, 0), { threshold: 0.7 })).same).toBe(false);
  });
});

describe('broken math never gives a name', () => {
  /** A pipeline that finds one face and embeds it as `embedding`; `calls` counts detections. */
  function pipelineGiving(embedding: Float32Array) {
    const face = { box: { x: 0, y: 0, width: 1, height: 1 }, score: 1, landmarks: [], embedding };
    const state = { calls: 0 };
    const pipeline = {
      embedder: { spec: { name: 'test', dimensions: 3, threshold: 0.5 } },
      embedFaces: async () => { state.calls++; return [face]; },
      embedMainFace: async () => { state.calls++; return face; },
    } as unknown as FacePipeline;
    return { pipeline, state };
  }
  const image = { data: new Uint8Array(3), width: 1, height: 1, channels: 3 as const };

  it('turns NaN embeddings from the pipeline into a NumericError in identify, verify and enroll', async () => {
    const { pipeline } = pipelineGiving(Float32Array.of(Number.NaN, 0, 0));
    const g = new Gallery(pipeline);
    await g.enroll('ann', [v(1, 0, 0)]);
    for (const call of [() => g.identify(image), () => g.verify(image, v(1, 0, 0)), () => g.enroll('bob', [image])]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NumericError);
      expect((error as Error).message).toMatch(/^the test embedder: non-finite face embedding \(NaN at index 0\)/);
    }
    expect(await g.labels()).toEqual(['ann']);
    g.dispose();
  });

  it('rejects NaN query embeddings and bad options, naming them, before detecting', async () => {
    const { pipeline, state } = pipelineGiving(v(1, 0, 0));
    const g = new Gallery(pipeline);
    await g.enroll('ann', [v(1, 0, 0)]);
    await expect(g.match([v(1, 0, 0), Float32Array.of(Number.NaN, 0, 0)])).rejects.toThrow(/Invalid embeddings\[1\]: holds NaN/);
    await expect(g.verify(v(1, 0, 0), Float32Array.of(Number.NaN, 0, 0))).rejects.toThrow(InvalidArgumentError);
    for (const options of [{ topK: Number.NaN }, { topK: 0 }, { threshold: Number.NaN }, { threshold: 2 }]) {
      const error = await g.identify(image, options).catch((e: unknown) => e);
      expect(error, JSON.stringify(options)).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).argument).toBe(Object.keys(options)[0]);
    }
    expect(state.calls).toBe(0);
    expect((await g.identify(image))[0]!.label).toBe('ann');
    g.dispose();
  });
});

describe('Gallery data', () => {
  it('records the landmark source of its pipeline and keeps it through toData/fromData', async () => {
    const fake = (refiner: unknown) => ({ embedder: { spec: { name: 'test', dimensions: 3, threshold: 0.5 } }, refiner }) as unknown as FacePipeline;
    expect(new Gallery(fake({})).landmarks).toBe('mesh');
    const fast = new Gallery(fake(undefined));
    expect(fast.landmarks).toBe('detector');
    expect((await fast.toData()).index.landmarks).toBe('detector');
    expect(Gallery.fromData(await fast.toData()).landmarks).toBe('detector');
    expect((await new Gallery(undefined, info).toData()).index).not.toHaveProperty('landmarks');
  });

  it('round-trips through toData/fromData and checks the index', async () => {
    const g = new Gallery(undefined, info);
    await g.enroll('ann', [v(1, 0, 0), v(0, 1, 0)]);
    await g.enroll('bob', [v(0, 0, 1)]);
    const data = await g.toData();
    expect(data.index).toEqual({ format: 'facerec-gallery', formatVersion: 1, embedder: 'test', dimensions: 3, threshold: 0.5, rows: ['ann', 'ann', 'bob'] });
    const back = Gallery.fromData(data);
    expect(await back.labels()).toEqual(['ann', 'bob']);
    expect((await back.match([v(0, 0, 1)]))[0]!.label).toBe('bob');
    expect(() => Gallery.fromData({ index: { ...data.index, formatVersion: 2 }, embeddings: data.embeddings }, undefined, 'g')).toThrow(ModelFormatError);
    expect(() => Gallery.fromData({ index: { ...data.index, landmarks: 'eyes' }, embeddings: data.embeddings }, undefined, 'g')).toThrow(/landmarks "eyes"/);
    expect(() => Gallery.fromData({ index: data.index, embeddings: data.embeddings.subarray(1) }, undefined, 'g')).toThrow(/embedding file holds 8 values/);
    g.dispose();
    back.dispose();
  });
});

describe('1:N at scale', () => {
  // Speed is measured by bench/gallery.mjs (pnpm bench:gallery), not asserted here.
  it('finds the right person among 10,000 enrolled embeddings (2,000 people) and stays correct after removals', async () => {
    const d = 128, n = 10_000;
    const g = new Gallery(undefined, { embedder: 'test', dimensions: d, threshold: 0.5 });
    let seed = 1;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
    const rows = Array.from({ length: n }, () => Float32Array.from({ length: d }, rand));
    for (let i = 0; i < n; i++) await g.enroll(`p${i % 2000}`, [rows[i]!]);
    expect((await g.count()).embeddings).toBe(n);
    const noisy = (r: Float32Array) => r.map((x) => x + rand() * 0.2) as Float32Array;
    for (const i of [0, 1234, 9999]) expect((await g.match([noisy(rows[i]!)]))[0]!.label).toBe(`p${i % 2000}`);
    await g.remove('p1234');
    expect((await g.count()).embeddings).toBe(n - 5);
    const [m] = await g.match([noisy(rows[1234]!)]);
    expect(m!.candidates.map((c) => c.label)).not.toContain('p1234');
    expect((await g.match([noisy(rows[1235]!)]))[0]!.label).toBe('p1235');
    g.dispose();
  });
});
