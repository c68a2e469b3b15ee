// The one "main face, else the centre of a face crop" policy (FacePipeline.mainFaceOrCentre / embedMainFaceOrCentre),
// used by FaceRecognizer with a backbone and by evaluateLfw: a portrait gives its face, a photo without one its centre.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centredLandmarks, cosineSimilarity, initBackend, loadFacePipeline, readImage, type FacePipeline, type RawImage } from '@facerec/node';
import { lfwImage } from '../../../core/test/helpers/datasets.js';

let pipeline: FacePipeline;
let portrait: RawImage;
/** A flat grey picture: no face anywhere. */
const blank: RawImage = { data: new Uint8Array(200 * 160).fill(128), width: 200, height: 160, channels: 1 };

beforeAll(async () => {
  await initBackend('wasm');
  pipeline = await loadFacePipeline({ preset: 'fast' });
  portrait = await readImage(lfwImage('Abel_Pacheco', 1));
});
afterAll(() => pipeline?.dispose());

describe('FacePipeline: main face, else the centre', () => {
  it('finds the face of a portrait, and embeds the face embedMainFace finds', async () => {
    const before = tf.memory().numTensors;
    const { face, found } = await pipeline.mainFaceOrCentre(portrait);
    expect(found).toBe(true);
    expect(face.score).toBeGreaterThan(0.5);
    const embedded = await pipeline.embedMainFaceOrCentre(portrait);
    const main = await pipeline.embedMainFace(portrait);
    expect(embedded.found).toBe(true);
    // The same face, found with other windows (faces of at least a quarter of the picture): nearly the same embedding.
    expect(cosineSimilarity(embedded.embedding, main!.embedding)).toBeGreaterThan(0.99);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('takes a picture without a face for an aligned crop: its centre, with the landmarks such a crop has', async () => {
    const before = tf.memory().numTensors;
    const { face, found } = await pipeline.mainFaceOrCentre(blank);
    expect(found).toBe(false);
    expect(face.landmarks).toEqual(centredLandmarks(200, 160));
    const embedded = await pipeline.embedMainFaceOrCentre(blank);
    expect(embedded.found).toBe(false);
    expect(embedded.embedding).toHaveLength(128);
    expect(Math.hypot(...embedded.embedding)).toBeCloseTo(1, 4);
    expect(tf.memory().numTensors).toBe(before);
  });
});
