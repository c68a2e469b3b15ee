// Face checks under hard conditions (issue 15): a face burnt out to white is still found on the default preset; the
// fast preset puts its unsure detections to the face mesh (a door lock and a badge in real photos go); a pipeline
// without any mesh refuses what only one framing took for a face, by the detector's second look.
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, iou, loadFacePipeline, readImage, type Box, type FacePipeline, type RawImage } from '@facerec/node';
import { lfwImage } from '../../../core/test/helpers/datasets.js';
import { expectNoLeakPerTest } from '../../../core/test/helpers/memory.js';

let main: FacePipeline;
/** The `fast` preset: no face mesh for landmarks, the mesh only as a check of unsure detections. */
let meshChecked: FacePipeline;
/** The same networks without the mesh check: the detector's second look is the check (`fast` before issue 15's fix). */
let fast: FacePipeline;
/** face-api's demo photos (shipped in its npm package): group photos with a door lock and a badge the detector scores 0.6-0.66. */
const demo = path.join(path.dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
/** Where the person each LFW photo is named after is: the centre of the 250×250 picture. */
const subject: Box = { x: 70, y: 70, width: 110, height: 110 };

/** Three times the light, clipped at white, as an over-exposed camera stores it: most of the skin becomes 255. */
function overexposed(image: RawImage): RawImage {
  return { ...image, data: Uint8Array.from(image.data, (v) => Math.min(255, 3 * v)) };
}

beforeAll(async () => {
  await initBackend('wasm');
  main = await loadFacePipeline({ preset: 'default' });
  meshChecked = await loadFacePipeline({ preset: 'fast' });
  fast = await loadFacePipeline({ preset: 'fast', meshCheck: false });
});
afterAll(() => {
  main?.dispose();
  meshChecked?.dispose();
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

  it('looks again on a darkened copy when nothing is found in an over-exposed photo', async () => {
    // 3× the light leaves no face the checks accept in the photo itself; the gamma-2 copy gives the detector and
    // the mesh back the contrast that is left below white.
    const image = overexposed(await readImage(lfwImage('Rick_Wagoner', 2)));
    for (const pipeline of [main, meshChecked]) expect((await pipeline.detect(image)).filter((f) => iou(f.box, subject) > 0.3).length).toBe(1);
    const embedded = await main.embedMainFace(image);
    expect(embedded && iou(embedded.box, subject) > 0.3).toBe(true);
    // The big-photo path (a shrunk copy scanned, each face cut from the photo) looks again the same way: there the
    // detector alone finds nothing in the photo itself and the face in its darkened copy.
    const big = tf.tidy(() => tf.image.resizeBilinear(tf.tensor3d(Float32Array.from(image.data), [250, 250, image.channels]), [500, 500]) as tf.Tensor3D);
    try {
      const faces = await main.detect(big, { detectionSize: 250, faceChecks: false });
      expect(faces.filter((f) => iou(f.box, { x: 140, y: 140, width: 220, height: 220 }) > 0.3).length).toBe(1);
    } finally {
      big.dispose();
    }
  });

  it('still drops the false boxes of a normally lit photo', async () => {
    const image = await readImage(lfwImage('George_Papandreou', 1));
    expect((await main.detect(image)).map((f) => iou(f.box, subject) > 0.5)).toEqual([true]);
  });
});

describe('second look (no face mesh at all)', () => {
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

describe('mesh check of unsure detections (fast preset)', () => {
  it('loads the mesh only as a check: landmarks stay the detector\'s', () => {
    expect(meshChecked.refiner).toBeUndefined();
    expect(meshChecked.checker).toBeDefined();
    expect(fast.checker).toBeUndefined();
  });

  it('drops a door lock and a badge that pass the second look, and keeps every face of the photo', async () => {
    // Real faces, labelled by hand (bench/scene-labels.json), and the false face the second look let through.
    const photos = [
      { file: 'sample3.jpg', faces: [[581, 372, 230, 230], [1057, 254, 245, 245], [1481, 344, 227, 227]], lookalike: [162, 86, 154, 154] },
      { file: 'sample1.jpg', faces: [[416, 404, 191, 191], [847, 460, 185, 185], [1485, 262, 163, 163]], lookalike: [1494, 611, 69, 69] },
    ];
    const box = ([x, y, width, height]: number[]): Box => ({ x: x!, y: y!, width: width!, height: height! });
    for (const { file, faces, lookalike } of photos) {
      const image = await readImage(path.join(demo, file));
      const before = await fast.detect(image);
      const found = before.find((f) => iou(f.box, box(lookalike)) > 0.5);
      expect(found && found.score, file).toBeLessThan(0.8);
      const after = await meshChecked.detect(image);
      expect(after.some((f) => iou(f.box, box(lookalike)) > 0.3), file).toBe(false);
      expect(after.length, file).toBe(faces.length);
      for (const face of faces) expect(after.filter((f) => iou(f.box, box(face)) > 0.5).length, file).toBe(1);
    }
  });

  it('keeps a real face scored below 0.8 in the background and drops a box on a dark background', async () => {
    const butts = await meshChecked.detect(await readImage(lfwImage('James_Butts', 1)));
    expect(butts.length).toBe(2);
    expect(Math.min(...butts.map((f) => f.score))).toBeLessThan(0.8);
    const papandreou = await meshChecked.embedFaces(await readImage(lfwImage('George_Papandreou', 1)));
    expect(papandreou.map((f) => iou(f.box, subject) > 0.5)).toEqual([true]);
  });
});
