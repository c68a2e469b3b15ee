// Face checks under hard conditions (issue 15): a face burnt out to white is still found on the default preset, and the
// fast preset (no face mesh) refuses what only one framing took for a face, by the detector's second look.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, iou, loadFacePipeline, readImage, type Box, type FacePipeline, type RawImage } from '@facerec/node';
import { lfwImage } from '../../../core/test/helpers/datasets.js';
import { expectNoLeakPerTest } from '../../../core/test/helpers/memory.js';

let main: FacePipeline;
let fast: FacePipeline;
/** Where the person each LFW photo is named after is: the centre of the 250×250 picture. */
const subject: Box = { x: 70, y: 70, width: 110, height: 110 };

/** Three times the light, clipped at white, as an over-exposed camera stores it: most of the skin becomes 255. */
function overexposed(image: RawImage): RawImage {
  return { ...image, data: Uint8Array.from(image.data, (v) => Math.min(255, 3 * v)) };
}

beforeAll(async () => {
  await initBackend('wasm');
  main = await loadFacePipeline({ preset: 'default' });
  fast = await loadFacePipeline({ preset: 'fast' });
});
afterAll(() => {
  main?.dispose();
  fast?.dispose();
});
expectNoLeakPerTest();

describe('over-exposed faces (default preset)', () => {
  it('finds a face burnt out to white that the detector sees and the mesh alone would refuse', async () => {
    for (const [name, n] of [['Dick_Clark', 2], ['Madonna', 2]] as const) {
      const image = overexposed(await readImage(lfwImage(name, n)));
      // The detector finds it; the mesh's face-presence score on the clipped skin is what refused it before.
      expect((await main.detect(image, { faceChecks: false })).filter((f) => iou(f.box, subject) > 0.3).length, name).toBe(1);
      const faces = await main.detect(image);
      expect(faces.filter((f) => iou(f.box, subject) > 0.3).length, name).toBe(1);
      const embedded = await main.embedMainFace(image);
      expect(embedded && iou(embedded.box, subject) > 0.3, name).toBe(true);
    }
  });

  it('still drops the false boxes of a normally lit photo', async () => {
    const image = await readImage(lfwImage('George_Papandreou', 1));
    expect((await main.detect(image)).map((f) => iou(f.box, subject) > 0.5)).toEqual([true]);
  });
});

describe('second look (fast preset, no face mesh)', () => {
  it('refuses a box on a dark background that the detector scores above 0.5 once', async () => {
    const image = await readImage(lfwImage('George_Papandreou', 1));
    const unchecked = await fast.detect(image, { faceChecks: false });
    expect(unchecked.length).toBe(2);
    expect(Math.min(...unchecked.map((f) => f.score))).toBeGreaterThan(0.5);
    const checked = await fast.detect(image);
    expect(checked.map((f) => iou(f.box, subject) > 0.5)).toEqual([true]);
    expect((await fast.embedFaces(image)).length).toBe(1);
  });

  it('keeps real faces, a low-scored one in the background included', async () => {
    const image = await readImage(lfwImage('James_Butts', 1));
    const faces = await fast.detect(image);
    expect(faces.length).toBe(2);
    expect(Math.min(...faces.map((f) => f.score))).toBeLessThan(0.8);
    expect(faces.filter((f) => iou(f.box, subject) > 0.5).length).toBe(1);
  });

  it('gives a face found again in every view a high score, and a blank patch 0', async () => {
    const image = await readImage(lfwImage('James_Butts', 2));
    const tensor = tf.tensor3d(Float32Array.from(image.data), [image.height, image.width, image.channels]);
    try {
      const [face] = await fast.detect(image);
      const [real, blank] = await fast.detector.secondLook(tensor, [face!.box, { x: 0, y: 0, width: 30, height: 30 }]);
      expect(real).toBeGreaterThan(0.6);
      expect(blank).toBeLessThan(0.2);
    } finally {
      tensor.dispose();
    }
  });

  it('works on the big-photo path too (each face checked in its region)', async () => {
    const small = await readImage(lfwImage('George_Papandreou', 1));
    const big = tf.tidy(() => tf.image.resizeBilinear(tf.tensor3d(Float32Array.from(small.data), [250, 250, small.channels]), [500, 500]) as tf.Tensor3D);
    try {
      const options = { detectionSize: 250 };
      expect((await fast.detect(big, { ...options, faceChecks: false })).length).toBe(2);
      const checked = await fast.embedFaces(big, options);
      expect(checked.length).toBe(1);
      expect(iou(checked[0]!.box, { x: 140, y: 140, width: 220, height: 220 })).toBeGreaterThan(0.5);
    } finally {
      big.dispose();
    }
  });
});
