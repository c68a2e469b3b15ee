// A 24-megapixel photo is handled with bounded work: the detector scans a shrunk copy, faces are cut from the original.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cosineSimilarity, DETECTOR_FILE, FaceDetector, FacePipeline, initBackend, iou, loadFacePipeline, loadGraphModelFile, locateModelDir, readImage,
  type Box, type RawImage,
} from '@facerec/node';
import { expectNoLeakPerTest } from '../../../core/test/helpers/memory.js';

const orl = fileURLToPath(new URL('../../../../examples/data/orl', import.meta.url));
const W = 6000, H = 4000;

/** Pastes `face` (gray) scaled by `zoom` (nearest neighbour, like a blown-up crop) into an RGB photo at (x, y); returns where. */
function paste(photo: Uint8Array, face: RawImage, zoom: number, x: number, y: number): Box {
  const w = Math.round(face.width * zoom), h = Math.round(face.height * zoom);
  for (let j = 0; j < h; j++) {
    const sy = Math.min(face.height - 1, Math.floor(j / zoom));
    for (let i = 0; i < w; i++) {
      const v = face.data[sy * face.width + Math.min(face.width - 1, Math.floor(i / zoom))]!;
      const o = ((y + j) * W + x + i) * 3;
      photo[o] = v;
      photo[o + 1] = v;
      photo[o + 2] = v;
    }
  }
  return { x, y, width: w, height: h };
}

describe('a 6000×4000 photo', () => {
  let pipeline: FacePipeline;
  let counted: FacePipeline;
  /** Windows the detector network ran on, and the most tensor memory alive when it ran. */
  const work = { windows: 0, peakBytes: 0 };

  beforeAll(async () => {
    await initBackend('wasm');
    pipeline = await loadFacePipeline();
    // The same networks, with a detector whose model counts what it is asked to do.
    const model = await loadGraphModelFile(locateModelDir(), DETECTOR_FILE);
    const execute = model.execute.bind(model);
    model.execute = ((inputs: tf.Tensor, outputs?: string) => {
      work.windows += inputs.shape[0]!;
      work.peakBytes = Math.max(work.peakBytes, tf.memory().numBytes);
      // The old code ran ~3,000 windows here for minutes: fail fast instead.
      if (work.windows > 200) throw new Error(`detector ran ${work.windows} windows`);
      return execute(inputs, outputs);
    }) as typeof model.execute;
    counted = new FacePipeline(new FaceDetector(model), pipeline.embedder, pipeline.refiner);
  });
  afterAll(() => {
    counted?.detector.dispose();
    pipeline?.dispose();
  });
  expectNoLeakPerTest();

  it('finds and names the faces with bounded detector work and no full-size tensor', async () => {
    const ann = await readImage(path.join(orl, 's1', '1.pgm'));
    const bob = await readImage(path.join(orl, 's2', '1.pgm'));
    const data = new Uint8Array(W * H * 3).fill(120);
    // A close portrait (face ~800 px) and a person further back (face ~300 px), as phone photos have.
    const near = paste(data, ann, 11, 3200, 900);
    const far = paste(data, bob, 4, 800, 2400);
    const photo: RawImage = { data, width: W, height: H, channels: 3 };

    const before = tf.memory().numBytes;
    const faces = await counted.embedFaces(photo);
    // Detector work: the windows of a 1280×853 scan (138), not the ~3,000 of a full-size scan.
    expect(work.windows).toBeGreaterThan(0);
    expect(work.windows).toBeLessThanOrEqual(160);
    // A float tensor of the whole photo would be 288 MB; the shrunk copy is 13 MB.
    expect(work.peakBytes - before).toBeLessThan(64 * 2 ** 20);

    expect(faces).toHaveLength(2);
    // ORL faces fill most of their 92×112 frame.
    const annFace = faces.find((f) => iou(f.box, near) > 0.3);
    const bobFace = faces.find((f) => iou(f.box, far) > 0.3);
    expect(annFace).toBeDefined();
    expect(bobFace).toBeDefined();
    // Cut from the original pixels, each face embeds like its source image.
    const threshold = pipeline.embedder.spec.threshold;
    const annRef = (await pipeline.embedMainFace(ann))!.embedding;
    const bobRef = (await pipeline.embedMainFace(bob))!.embedding;
    expect(cosineSimilarity(annFace!.embedding, annRef)).toBeGreaterThanOrEqual(threshold);
    expect(cosineSimilarity(bobFace!.embedding, bobRef)).toBeGreaterThanOrEqual(threshold);
    expect(cosineSimilarity(annFace!.embedding, bobRef)).toBeLessThan(threshold);

    // The main face is the close one, and its landmarks sit on the pasted face.
    const main = await pipeline.embedMainFace(photo);
    expect(iou(main!.box, near)).toBeGreaterThan(0.3);
    for (const p of main!.landmarks) {
      expect(p.x).toBeGreaterThan(near.x);
      expect(p.x).toBeLessThan(near.x + near.width);
    }
  }, 120_000);

  it('FaceDetector.detect on a big tensor shrinks it on the backend: bounded windows, the face in photo pixels', async () => {
    const ann = await readImage(path.join(orl, 's1', '1.pgm'));
    const data = new Uint8Array(W * H).fill(120);
    const near = { x: 3200, y: 900, width: ann.width * 11, height: ann.height * 11 };
    for (let j = 0; j < near.height; j++) {
      for (let i = 0; i < near.width; i++) data[(near.y + j) * W + near.x + i] = ann.data[Math.floor(j / 11) * ann.width + Math.floor(i / 11)]!;
    }
    const t = tf.tensor3d(data, [H, W, 1], 'int32');
    try {
      work.windows = 0;
      const found = await counted.detector.detect(t);
      expect(work.windows).toBeLessThanOrEqual(160);
      expect(found.some((d) => iou(d.box, near) > 0.3)).toBe(true);
    } finally {
      t.dispose();
    }
  }, 120_000);

  it('gives the same faces for the photo as a tensor (read once, never shrunk on the backend)', async () => {
    const ann = await readImage(path.join(orl, 's1', '1.pgm'));
    const data = new Uint8Array(W * H).fill(120);
    for (let j = 0; j < ann.height * 11; j++) {
      for (let i = 0; i < ann.width * 11; i++) data[(900 + j) * W + 3200 + i] = ann.data[Math.floor(j / 11) * ann.width + Math.floor(i / 11)]!;
    }
    const photo: RawImage = { data, width: W, height: H, channels: 1 };
    const fromPixels = await pipeline.detect(photo);
    const t = tf.tensor3d(data, [H, W, 1], 'int32');
    try {
      const fromTensor = await pipeline.detect(t);
      expect(fromTensor).toHaveLength(fromPixels.length);
      expect(iou(fromTensor[0]!.box, fromPixels[0]!.box)).toBeGreaterThan(0.99);
    } finally {
      t.dispose();
    }
  }, 120_000);
});
