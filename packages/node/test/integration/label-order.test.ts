// One label order on every path: accented and numbered names come out in compareLabels order from core's
// FaceRecognizer (CNN and backbone), Gallery.labels(), node's loadImageFolder and web's loadLabeledFiles.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceRecognizer, Gallery, centredLandmarks, loadImageFolder, type FacePipeline, type LabeledImage, type RawImage } from '@facerec/node';
import { loadLabeledFiles } from '../../../web/src/train/files.js';
import { pnmBinary } from '../fixtures/images.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';

/** Given in a shuffled order; localeCompare (and a plain sort) would place these differently. */
const NAMES = ['Zoë', 's10', 'Émile', 'a', 's2', 'B'];
const ORDER = ['a', 'B', 's2', 's10', 'Zoë', 'Émile'];

/** An 8×8 gray image of person `i`, photo `k`: a distinct brightness per person. */
function face(i: number, k: number): RawImage {
  return { data: Uint8Array.from({ length: 64 }, (_, p) => (i * 40 + k * 3 + (p % 8)) % 256), width: 8, height: 8, channels: 1 };
}
const dataset: LabeledImage[] = NAMES.flatMap((label, i) => [0, 1].map((k) => ({ image: face(i, k), label })));

/** A stand-in backbone that embeds an image as a one-hot of its brightness band (no models needed). */
const backbone = {
  embedder: { spec: { name: 'test', dimensions: NAMES.length, threshold: 0.5 } },
  embedMainFaceOrCentre: async (image: RawImage) => {
    const e = new Float32Array(NAMES.length);
    e[Math.floor(image.data[0]! / 40) % NAMES.length] = 1;
    return { embedding: e, landmarks: centredLandmarks(image.width, image.height), found: false };
  },
  refiner: undefined,
} as unknown as FacePipeline;

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(removeTempDirs);

describe('compareLabels order on every path', () => {
  it('FaceRecognizer.fit: a trained CNN and a backbone head', async () => {
    const cnn = new FaceRecognizer({ inputSize: [16, 16], seed: 1 });
    await cnn.fit(dataset, { epochs: 1, augmentation: null });
    expect(cnn.labels).toEqual(ORDER);
    cnn.dispose();
    for (const head of ['class-mean', 'softmax'] as const) {
      const few = new FaceRecognizer({ backbone, head });
      await few.fit(dataset);
      expect(few.labels, head).toEqual(ORDER);
      few.dispose();
    }
  });

  it('Gallery.labels()', async () => {
    const gallery = new Gallery(undefined, { embedder: 'test', dimensions: 2, threshold: 0.5 });
    for (const name of NAMES) await gallery.enroll(name, [Float32Array.of(1, 0)]);
    expect(await gallery.labels()).toEqual(ORDER);
    gallery.dispose();
  });

  it("node's loadImageFolder: labels and file order", async () => {
    const root = await makeTempDir();
    for (const [i, name] of NAMES.entries()) {
      await mkdir(path.join(root, name));
      for (const file of ['10.pgm', '2.pgm']) await writeFile(path.join(root, name, file), pnmBinary('P5', 8, 8, Array.from(face(i, 0).data)));
    }
    const loaded = await loadImageFolder(root);
    expect(loaded.labels).toEqual(ORDER);
    expect(loaded.train.map((d) => `${d.label}/${path.basename(d.source!)}`)).toEqual(ORDER.flatMap((l) => [`${l}/2.pgm`, `${l}/10.pgm`]));
  });

  it("web's loadLabeledFiles: file order", async () => {
    const files = NAMES.flatMap((name, i) => ['10', '2'].map((n) => new File([Uint8Array.from(pnmBinary('P5', 8, 8, Array.from(face(i, 0).data)))], `${name}_${n}.pgm`)));
    const loaded = await loadLabeledFiles(files, { labelOf: (f) => f.name.split('_')[0]! });
    expect(loaded.map((d) => d.source)).toEqual(ORDER.flatMap((l) => [`${l}_2.pgm`, `${l}_10.pgm`]));
  });
});
