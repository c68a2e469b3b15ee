// Pretrained pipeline on real faces (the committed LFW fixture): verification with the LFW protocol, multi-face collages,
// dim photos, memory over 1,000 identify calls.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Gallery, evaluateLfw, initBackend, iou, loadFacePipeline, parseLfwPairs, readImage, type Box, type FacePipeline, type RawImage,
} from '@facerec/node';
import { LFW_DIR, lfwImage, lfwPeople } from '../../../core/test/helpers/datasets.js';

describe('pretrained pipeline on the LFW fixture', () => {
  let pipeline: FacePipeline;
  beforeAll(async () => {
    await initBackend('wasm');
    pipeline = await loadFacePipeline();
  });
  afterAll(() => pipeline?.dispose());

  it('verifies the 50 fixture pairs (5 folds × 5 + 5) with the protocol: accuracy ≥ 90%, AUC ≥ 0.98, no detection failure', async () => {
    const before = tf.memory().numTensors;
    const pairs = parseLfwPairs(await readFile(path.join(LFW_DIR, 'pairs.txt'), 'utf8'));
    const r = await evaluateLfw({ pairs, readImage: (file) => readImage(path.join(LFW_DIR, 'images', file)), pipeline });
    expect(r.pairs).toBe(50);
    // Measured: 96% ± 5.5% (AUC 1.0). With 10 pairs per fold one pair moves a fold by 10% and the mean by 2%, so the
    // bar is 90% (it was 95% on 100 pairs of the full lfw-dev); a broken pipeline scores about 50%.
    expect(r.accuracyMean).toBeGreaterThanOrEqual(0.9);
    expect(r.auc).toBeGreaterThanOrEqual(0.98);
    expect(r.detectionFailures).toBeLessThanOrEqual(Math.floor(r.images * 0.01));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('finds ≥ 95% and names ≥ 90% of 4–8 LFW faces pasted at different scales on 1280×720 collages', async () => {
    // 30 of the fixture's 40 people (each has 2–3 photos): the first photo is enrolled, the second goes into a collage.
    const fixture = lfwPeople().slice(0, 30);
    const people = fixture.map((p) => p.name);
    const photo = (i: number, k: number) => lfwImage(fixture[i]!.name, fixture[i]!.images[k]!);
    const gallery = new Gallery(pipeline);
    for (const [i, p] of people.entries()) {
      const { added } = await gallery.enroll(p, [await readImage(photo(i, 0))]);
      expect(added).toBe(1);
    }
    let seed = 7;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    let total = 0, found = 0, named = 0, next = 0;
    while (next < people.length) {
      const count = Math.min(4 + Math.floor(rand() * 5), people.length - next);
      const chosen = people.slice(next, next + count);
      const files = chosen.map((_, k) => photo(next + k, 1));
      next += count;
      const { canvas, placed } = await collage(files, rand);
      const faces = await gallery.identify(canvas);
      placed.forEach((box, i) => {
        total++;
        // The LFW face sits in the middle ~45% of each pasted photo.
        const face: Box = { x: box.x + box.width * 0.27, y: box.y + box.height * 0.27, width: box.width * 0.46, height: box.height * 0.46 };
        const hit = faces.find((f) => iou(f.box, face) > 0.3);
        if (hit) found++;
        if (hit?.label === chosen[i]) named++;
      });
    }
    gallery.dispose();
    console.log(`collages: ${found}/${total} faces found, ${named}/${total} named`);
    expect(total).toBe(people.length);
    expect(found / total).toBeGreaterThanOrEqual(0.95);
    expect(named / total).toBeGreaterThanOrEqual(0.9);
  }, 300_000);

  it('finds faces in dim, low-contrast grayscale photos (a quarter of the contrast, mean brightness 40)', async () => {
    // The first photo of each of the fixture's 40 people.
    const people = lfwPeople();
    expect(people).toHaveLength(40);
    let found = 0;
    for (const p of people) {
      const img = await readImage(lfwImage(p.name, p.images[0]!));
      const dim = Uint8Array.from(img.data, (v) => Math.round(40 + (v - 128) * 0.25));
      const faces = await pipeline.detect({ ...img, data: dim });
      // The face is in the middle of an LFW photo.
      if (faces.some((f) => Math.abs(f.box.x + f.box.width / 2 - img.width / 2) < img.width * 0.15)) found++;
    }
    expect(found).toBe(people.length);
  });

  it('keeps numTensors flat over 1,000 identify calls', async () => {
    const fast = await loadFacePipeline({ preset: 'mobileface' });
    const gallery = new Gallery(fast);
    await gallery.enroll('Abel_Pacheco', [await readImage(lfwImage('Abel_Pacheco', 1))]);
    // (Abel_Pacheco_0001 and _0004 are a same-person pair of the fixture.)
    // A small copy of another photo keeps 1,000 calls quick.
    const big = await readImage(lfwImage('Abel_Pacheco', 4));
    const small = tf.tidy(() => tf.image.resizeBilinear(tf.tensor3d(new Float32Array(big.data), [big.height, big.width, big.channels]), [96, 96]));
    await gallery.identify(small, { minFaceSize: 24 });
    const before = tf.memory().numTensors;
    let named = 0;
    for (let i = 0; i < 1000; i++) {
      const faces = await gallery.identify(small, { minFaceSize: 24 });
      // The best candidate, not the label: a 96-pixel copy may score below the fast embedder's strict threshold.
      if (faces[0]?.candidates[0]?.label === 'Abel_Pacheco') named++;
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(named).toBe(1000);
    small.dispose();
    gallery.dispose();
    fast.dispose();
  }, 300_000);
});

/** Pastes the photos, each scaled to a side of 110–330 px, without overlap on a grey 1280×720 canvas. */
async function collage(files: string[], rand: () => number): Promise<{ canvas: RawImage; placed: Box[] }> {
  const W = 1280, H = 720;
  const data = new Uint8Array(W * H).fill(96);
  const placed: Box[] = [];
  for (const file of files) {
    const img = await readImage(file);
    for (let attempt = 0; attempt < 200; attempt++) {
      const side = Math.round(110 + rand() * 220);
      const box = { x: Math.floor(rand() * (W - side)), y: Math.floor(rand() * (H - side)), width: side, height: side };
      if (placed.some((p) => box.x < p.x + p.width + 10 && p.x < box.x + side + 10 && box.y < p.y + p.height + 10 && p.y < box.y + side + 10)) continue;
      const scaled = tf.tidy(() => tf.image.resizeBilinear(tf.tensor3d(new Float32Array(img.data), [img.height, img.width, img.channels]), [side, side], false, true));
      const pixels = scaled.dataSync();
      scaled.dispose();
      for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) data[(box.y + y) * W + box.x + x] = pixels[(y * side + x) * img.channels]!;
      placed.push(box);
      break;
    }
  }
  return { canvas: { data, width: W, height: H, channels: 1 }, placed };
}
