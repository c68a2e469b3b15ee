// Real photos (LFW fixtures): the face checks drop what only looks like a face (a dark corner, a sign, a second box on
// a face) and keep real faces, the people in the background included, on the whole-image path and the big-photo path.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, iou, loadFacePipeline, readImage, type Box, type FacePipeline, type RawImage } from '@facerec/node';
import { lfwImage, lfwPeople } from '../../../core/test/helpers/datasets.js';
import { expectNoLeakPerTest } from '../../../core/test/helpers/memory.js';

let pipeline: FacePipeline;
const photos = new Map<string, RawImage>();
/** Where the person each LFW photo is named after is: the centre of the 250×250 picture. */
const subject: Box = { x: 70, y: 70, width: 110, height: 110 };

async function photo(name: string, n: number): Promise<RawImage> {
  const key = `${name}/${n}`;
  if (!photos.has(key)) photos.set(key, await readImage(lfwImage(name, n)));
  return photos.get(key)!;
}

beforeAll(async () => {
  await initBackend('wasm');
  pipeline = await loadFacePipeline({ preset: 'default' });
});
afterAll(() => pipeline?.dispose());
expectNoLeakPerTest();

describe('face checks on real photos', () => {
  it('drop a box on a dark background and on a sign, which the detector alone scores above 0.5', async () => {
    for (const [name, n] of [['George_Papandreou', 1], ['Juan_Pablo_Montoya', 2]] as const) {
      const image = await photo(name, n);
      const unchecked = await pipeline.detect(image, { faceChecks: false });
      expect(unchecked.length, name).toBe(2);
      expect(Math.min(...unchecked.map((f) => f.score)), name).toBeGreaterThan(0.5);
      const checked = await pipeline.detect(image);
      expect(checked.map((f) => iou(f.box, subject) > 0.5), name).toEqual([true]);
    }
  });

  it('drop a second, nested box on a face', async () => {
    const image = await photo('Fernando_Vargas', 2);
    const unchecked = await pipeline.detect(image, { faceChecks: false });
    const main = unchecked.find((f) => iou(f.box, subject) > 0.5)!;
    // A box on the sunglasses, inside the face's box.
    expect(unchecked.some((f) => f !== main && f.box.x >= main.box.x && f.box.x + f.box.width <= main.box.x + main.box.width + 1)).toBe(true);
    const checked = await pipeline.detect(image);
    expect(checked.filter((f) => iou(f.box, main.box) > 0 && f.box.width < main.box.width * 0.8)).toEqual([]);
  });

  it('keep real faces, the subject and the people behind', async () => {
    for (const [name, n] of [['Jeffrey_Archer', 2], ['James_Butts', 1]] as const) {
      const faces = await pipeline.detect(await photo(name, n));
      expect(faces.length, name).toBe(2);
      expect(faces.filter((f) => iou(f.box, subject) > 0.5).length, name).toBe(1);
    }
    for (const { name, images } of lfwPeople().slice(0, 3)) {
      const main = await pipeline.embedMainFace(await photo(name, images[0]!));
      expect(main && iou(main.box, subject) > 0.5, name).toBe(true);
    }
  });

  it('work on the big-photo path too (faces cut from the photo as regions)', async () => {
    const small = await photo('George_Papandreou', 1);
    // Twice the size, scanned on a copy shrunk back to 250 pixels: the same detections, then each face is a region.
    const big = tf.tidy(() => tf.image.resizeBilinear(tf.tensor3d(Float32Array.from(small.data), [250, 250, small.channels]), [500, 500]) as tf.Tensor3D);
    try {
      const options = { detectionSize: 250 };
      const unchecked = await pipeline.embedFaces(big, { ...options, faceChecks: false });
      const checked = await pipeline.embedFaces(big, options);
      expect(unchecked.length).toBe(2);
      expect(checked.length).toBe(1);
      expect(iou(checked[0]!.box, { x: 140, y: 140, width: 220, height: 220 })).toBeGreaterThan(0.5);
      expect(checked[0]!.embedding).toHaveLength(128);
    } finally {
      big.dispose();
    }
  });
});
