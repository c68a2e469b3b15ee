// explainMatch's gradient methods on a backend that lacks a gradient kernel: a typed refusal, and no tensor left behind.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainMatch, FaceEmbedder, initBackend, loadFacePipeline, readImage, type ExplainMethod, type FacePipeline, type RawImage } from '@facerec/node';
import { templateInPixels } from '@facerec/core/internal';
import { lfwImage } from '../../../core/test/helpers/datasets.js';

/** Runs `fn` with the backend's kernel `name` unregistered (as on a backend that never had it), then puts it back. */
async function withoutKernel<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const config = tf.getKernel(name, tf.getBackend());
  if (!config) throw new Error(`the ${tf.getBackend()} backend has no ${name} kernel to take away`);
  tf.unregisterKernel(name, tf.getBackend());
  try {
    return await fn();
  } finally {
    tf.registerKernel(config);
  }
}

describe('explainMatch when the backend cannot take a gradient', () => {
  let pipeline: FacePipeline;
  let aligned: { image: RawImage; landmarks: ReturnType<typeof templateInPixels> };

  beforeAll(async () => {
    await initBackend('wasm');
    pipeline = await loadFacePipeline({ preset: 'default' });
    const embedder = pipeline.embedder as FaceEmbedder;
    const photo = await readImage(lfwImage('Abel_Pacheco', 1));
    // Also the warm-up: dlib keeps the filters of its backward pass from the first gradient explanation on, and
    // integrated gradients' grey face at its layer.
    const ex = await explainMatch(pipeline, photo, photo, { method: 'gradient-x-input' });
    await explainMatch(pipeline, photo, photo, { method: 'integrated-gradients' });
    aligned = { image: ex.faces[0]!.face, landmarks: templateInPixels(embedder.spec.template, embedder.spec.inputSize) };
  });
  afterAll(() => pipeline?.dispose());

  it.each(['gradcam', 'gradient-x-input', 'integrated-gradients'] as const)('%s: the error comes through and every tensor is freed', async (method: ExplainMethod) => {
    const before = tf.memory().numTensors;
    // dlib's backward pass runs AvgPoolGrad in every down block after the layer it starts from.
    await withoutKernel('AvgPoolGrad', () => expect(explainMatch(pipeline, aligned, aligned, { method })).rejects.toThrow(/AvgPoolGrad/));
    expect(tf.memory().numTensors, 'tensors leaked').toBe(before);
    // The engine is usable afterwards: the next explanation works and frees everything too.
    const ex = await explainMatch(pipeline, aligned, aligned, { method });
    expect(ex.score).toBeCloseTo(1, 4);
    expect(tf.memory().numTensors, 'tensors leaked').toBe(before);
  });
});
