// MobileFaceNet, a TFLite file, in the browser: TensorFlow Lite's own embeddings (the Node tests' reference), and the
// accurate preset's verdicts on LFW photos.
import * as tf from '@tensorflow/tfjs-core';
import { FaceEmbedder, cosineSimilarity, decodeImageFile, initBackend, loadFacePipelineFromUrl, type FacePipeline, type RawImage } from '@facerec/web';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import reference from '../../../node/test/fixtures/mobilefacenet-yale.json';

async function fixture(url: string): Promise<RawImage> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return decodeImageFile(new File([await response.blob()], url.split('/').pop()!));
}
// The fixtures folder is two levels above the LFW images.
const fixtures = `${__FACEREC_LFW_URL__}/../..`;
const lfw = (person: string, n: number) => fixture(`${__FACEREC_LFW_URL__}/${person}/${person}_${String(n).padStart(4, '0')}.jpg`);

describe('MobileFaceNet (TFLite) in the browser', () => {
  let pipeline: FacePipeline;
  beforeAll(async () => {
    await initBackend('wasm');
    pipeline = await loadFacePipelineFromUrl({ embedder: 'mobilefacenet', mesh: false, modelUrl: __FACEREC_MODEL_URLS__ });
  });
  afterAll(() => pipeline?.dispose());

  test("gives TensorFlow Lite's embeddings for four Yale crops, leaking no tensors", async () => {
    const { top, left, size } = reference.window;
    const images = await Promise.all(reference.images.map((file) => fixture(`${fixtures}/${file}`)));
    const before = tf.memory().numTensors;
    // The browser decodes the grey PNGs as RGBA: the first three channels are the grey.
    const batch = tf.tidy(() => tf.stack(images.map((img) => tf.slice(tf.tensor3d(Float32Array.from(img.data), [img.height, img.width, img.channels]), [top, left, 0], [size, size, Math.min(3, img.channels)])))) as tf.Tensor4D;
    let ours: Float32Array[];
    try {
      ours = await (pipeline.embedder as FaceEmbedder).embedCrops(batch);
    } finally {
      batch.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    for (const [i, e] of ours.entries()) expect(1 - cosineSimilarity(e, Float32Array.from(reference.embeddings[i]!))).toBeLessThanOrEqual(1e-5);
  });
});

describe('the accurate preset in the browser', () => {
  let pipeline: FacePipeline;
  beforeAll(async () => {
    await initBackend('wasm');
    pipeline = await loadFacePipelineFromUrl({ preset: 'accurate', modelUrl: __FACEREC_MODEL_URLS__ });
  });
  afterAll(() => pipeline?.dispose());

  test('puts the same person above its threshold and another below', async () => {
    const [a, b, c] = await Promise.all([lfw('Abel_Pacheco', 1), lfw('Abel_Pacheco', 2), lfw('Akhmed_Zakayev', 1)]);
    const [ea, eb, ec] = await Promise.all([a, b, c].map(async (img) => (await pipeline.embedMainFaceOrCentre(img!)).embedding));
    expect(pipeline.embedder.spec.name).toBe('dlib+mobilefacenet');
    expect(cosineSimilarity(ea!, eb!)).toBeGreaterThanOrEqual(pipeline.embedder.spec.threshold);
    expect(cosineSimilarity(ea!, ec!)).toBeLessThan(pipeline.embedder.spec.threshold);
  });
});
