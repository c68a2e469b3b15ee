// Options of detection and identification are checked (NaN, negative, fractional values name the option), and a
// disposed pipeline answers with a clear error instead of a TypeError.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gallery, InvalidArgumentError, initBackend, loadFacePipeline, readImage, type FacePipeline, type IdentifyOptions, type RawImage } from '@facerec/node';
import { lfwImage, lfwPeople } from '../../../core/test/helpers/datasets.js';

let pipeline: FacePipeline;
let gallery: Gallery;
let photo: RawImage;

beforeAll(async () => {
  await initBackend('wasm');
  pipeline = await loadFacePipeline({ preset: 'fast' });
  const person = lfwPeople()[0]!;
  photo = await readImage(lfwImage(person.name, person.images[0]!));
  gallery = new Gallery(pipeline);
  await gallery.enroll(person.name, [photo]);
});
afterAll(() => {
  gallery?.dispose();
  pipeline?.dispose();
});

describe('detection and identification options', () => {
  it('finds the one face of an LFW photo with the defaults', async () => {
    expect(await gallery.identify(photo)).toHaveLength(1);
  });

  const bad: Array<[IdentifyOptions, string]> = [
    [{ iouThreshold: Number.NaN }, 'iouThreshold'],
    [{ iouThreshold: 1.5 }, 'iouThreshold'],
    [{ maxFaces: -1 }, 'maxFaces'],
    [{ maxFaces: 0 }, 'maxFaces'],
    [{ maxFaces: 2.5 }, 'maxFaces'],
    [{ scoreThreshold: Number.NaN }, 'scoreThreshold'],
    [{ minFaceSize: Number.NaN }, 'minFaceSize'],
    [{ minFaceSize: -40 }, 'minFaceSize'],
    [{ minFaceSize: Number.POSITIVE_INFINITY }, 'minFaceSize'],
    [{ topK: Number.NaN }, 'topK'],
    [{ threshold: Number.NaN }, 'threshold'],
  ];
  it.each(bad)('rejects %o naming %s, without leaking tensors', async (options, name) => {
    const before = tf.memory().numTensors;
    const error = await gallery.identify(photo, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe(name);
    if (!('topK' in options || 'threshold' in options)) await expect(pipeline.detect(photo, options)).rejects.toThrow(InvalidArgumentError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('accepts maxFaces: Infinity', async () => {
    expect(await pipeline.detect(photo, { maxFaces: Number.POSITIVE_INFINITY })).toHaveLength(1);
  });
});

describe('a disposed pipeline', () => {
  it('says it was disposed (detect, embed, identify), and may be disposed twice', async () => {
    const p = await loadFacePipeline({ preset: 'mobileface' });
    const g = new Gallery(p);
    p.dispose();
    p.dispose();
    for (const call of [() => p.detect(photo), () => p.embedFaces(photo), () => p.embedMainFace(photo), () => g.identify(photo)]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toMatch(/Invalid pipeline: was disposed/);
    }
    g.dispose();
  });
});
