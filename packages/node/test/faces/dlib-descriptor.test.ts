// facerec's tfjs-ops ResNet-34 (scale layers and input scaling folded into the convs, cached packed
// filters) must give face-api's own descriptors for the same 150×150 crops.
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, loadFacePipeline, locateModelDir, readImage, type FaceEmbedder, type FacePipeline } from '@facerec/node';
import { lfwImage, lfwPeople } from '../../../core/test/helpers/datasets.js';

interface FaceApi {
  nets: { faceRecognitionNet: { loadFromDisk(dir: string): Promise<void>; dispose(): void } };
  computeFaceDescriptor(input: tf.Tensor3D): Promise<Float32Array>;
}

describe("dlib ResNet-34 descriptor against face-api's", () => {
  let pipeline: FacePipeline;
  let faceapi: FaceApi;
  beforeAll(async () => {
    await initBackend('wasm');
    pipeline = await loadFacePipeline({ embedder: 'dlib' });
    // face-api's node-wasm build runs on this process's tfjs engine (and backend).
    faceapi = createRequire(import.meta.url)('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
    await faceapi.nets.faceRecognitionNet.loadFromDisk(locateModelDir(undefined, '@vladmandic/face-api'));
  });
  afterAll(() => {
    pipeline?.dispose();
    faceapi?.nets.faceRecognitionNet.dispose();
  });

  it('matches face-api on 6 LFW crops (1 − cosine ≤ 1e-6), also on repeated calls, without leaking tensors', async () => {
    // Six of the LFW fixture's 40 people, spread over the alphabet.
    const people = lfwPeople().filter((_, i) => i % 7 === 0).slice(0, 6);
    expect(people).toHaveLength(6);
    const crops = await Promise.all(people.map(async (p) => {
      const img = await readImage(lfwImage(p.name, p.images[0]!));
      return tf.tidy(() => {
        const t = tf.tensor3d(Float32Array.from(img.data), [img.height, img.width, img.channels]);
        const side = Math.round(Math.min(img.width, img.height) * 0.56);
        const crop = tf.slice(t, [Math.floor((img.height - side) / 2), Math.floor((img.width - side) / 2), 0], [side, side, -1]);
        const rgb = img.channels === 1 ? tf.tile(crop, [1, 1, 3]) : crop;
        return tf.round(tf.image.resizeBilinear(rgb as tf.Tensor3D, [150, 150]));
      });
    }));
    const batch = tf.stack(crops) as tf.Tensor4D;
    const ints = crops.map((c) => tf.cast(c, 'int32') as tf.Tensor3D);
    const before = tf.memory().numTensors;
    for (let call = 0; call < 3; call++) {
      const ours = await (pipeline.embedder as FaceEmbedder).embedCrops(batch);
      for (const [i, crop] of ints.entries()) {
        const theirs = await faceapi.computeFaceDescriptor(crop);
        const norm = Math.hypot(...theirs);
        const cosine = ours[i]!.reduce((s, v, k) => s + v * theirs[k]! / norm, 0);
        expect(1 - cosine).toBeLessThanOrEqual(1e-6);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([batch, ...crops, ...ints]);
  });
});
