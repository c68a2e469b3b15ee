// Gallery on WebGPU in Node: match reads its scores asynchronously (dataSync cannot read GPU memory there), and
// enrol + identify run the whole pretrained pipeline on the GPU backend.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gallery, UNKNOWN, loadFacePipeline, readImage, type FacePipeline } from '@facerec/node';
import { lfwImage } from '../../../core/test/helpers/datasets.js';
import { failWithoutRequiredAdapter, probeWebGpu, takeGpuErrors } from './helpers';

const gpu = await probeWebGpu();

failWithoutRequiredAdapter(gpu);

/** A unit vector of `d` pseudo-random values. */
function unit(d: number, seed: number): Float32Array {
  let s = seed;
  const v = Float32Array.from({ length: d }, () => ((s = (s * 16807) % 2147483647) / 2147483647) - 0.5);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

describe.skipIf(!gpu.info)(`Gallery on webgpu ${gpu.reason}`, () => {
  beforeAll(async () => {
    await tf.setBackend('webgpu');
  });

  it('matches embeddings with the same scores as on cpu, leaving no tensor behind', async () => {
    const d = 128;
    const rows = Array.from({ length: 30 }, (_, i) => unit(d, i + 1));
    const queries = [rows[4]!, rows[17]!.map((x, i) => x + (i % 2 ? 0.01 : -0.01)) as Float32Array, unit(d, 999)];
    const scoresOn = async (backend: string) => {
      await tf.setBackend(backend);
      const gallery = new Gallery(undefined, { embedder: 'test', dimensions: d, threshold: 0.8 });
      for (const [i, row] of rows.entries()) await gallery.enroll(`p${i % 10}`, [row]);
      try {
        return await gallery.match(queries, { topK: 3 });
      } finally {
        gallery.dispose();
      }
    };
    const cpu = await scoresOn('cpu');
    await tf.setBackend('webgpu');
    const before = tf.memory().numTensors;
    const onGpu = await scoresOn('webgpu');
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.getBackend()).toBe('webgpu');
    expect(onGpu.map((m) => m.label)).toEqual(['p4', 'p7', UNKNOWN]);
    expect(onGpu[2]!.unknown).toBe(true);
    onGpu.forEach((m, i) => {
      expect(m.candidates.map((c) => c.label)).toEqual(cpu[i]!.candidates.map((c) => c.label));
      m.candidates.forEach((c, k) => expect(c.score).toBeCloseTo(cpu[i]!.candidates[k]!.score, 4));
    });
    expect(takeGpuErrors()).toEqual([]);
  });

  describe('with the fast preset', () => {
    let pipeline: FacePipeline;
    beforeAll(async () => {
      await tf.setBackend('webgpu');
      pipeline = await loadFacePipeline({ preset: 'fast' });
    });
    afterAll(() => pipeline?.dispose());

    it('enrols a photo and identifies the same person in another one', async () => {
      const gallery = new Gallery(pipeline);
      try {
        const enrolled = await gallery.enroll('Abel_Pacheco', [await readImage(lfwImage('Abel_Pacheco', 1))]);
        expect(enrolled).toEqual({ added: 1, noFace: [] });
        await gallery.enroll('Amelia_Vega', [await readImage(lfwImage('Amelia_Vega', 1))]);
        const faces = await gallery.identify(await readImage(lfwImage('Abel_Pacheco', 2)), { topK: 2 });
        expect(faces.length).toBeGreaterThanOrEqual(1);
        expect(faces[0]).toMatchObject({ label: 'Abel_Pacheco', unknown: false });
        expect(faces[0]!.candidates.map((c) => c.label)).toEqual(['Abel_Pacheco', 'Amelia_Vega']);
        expect(tf.getBackend()).toBe('webgpu');
        expect(takeGpuErrors()).toEqual([]);
      } finally {
        gallery.dispose();
      }
    });
  });
});
