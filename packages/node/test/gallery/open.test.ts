// openGallery reads the index, loads the matching pipeline, and builds the gallery once (no toData/fromData copy).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GALLERY_INDEX, Gallery, ModelFormatError, initBackend, openGallery, saveGallery } from '@facerec/node';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';

afterAll(removeTempDirs);
beforeAll(async () => {
  await initBackend('wasm');
});

describe('openGallery', () => {
  it('builds the saved gallery once, with the pipeline its index names', async () => {
    const dir = path.join(await makeTempDir(), 'gallery');
    const saved = new Gallery(undefined, { embedder: 'dlib', dimensions: 128, threshold: 0.8, landmarks: 'detector' });
    await saved.enroll('ann', [Float32Array.from({ length: 128 }, (_, k) => Math.cos(k))]);
    await saveGallery(saved, dir);
    saved.dispose();
    const toData = vi.spyOn(Gallery.prototype, 'toData');
    const fromData = vi.spyOn(Gallery, 'fromData');
    try {
      const before = tf.memory().numTensors;
      const { gallery, pipeline } = await openGallery(dir);
      expect(toData).not.toHaveBeenCalled();
      expect(fromData).toHaveBeenCalledTimes(1);
      expect(fromData.mock.calls[0]![1]).toBe(pipeline);
      expect([pipeline.embedder.spec.name, pipeline.refiner, gallery.threshold]).toEqual(['dlib', undefined, 0.8]);
      expect((await gallery.match([Float32Array.from({ length: 128 }, (_, k) => Math.cos(k))]))[0]!.label).toBe('ann');
      gallery.dispose();
      pipeline.dispose();
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      toData.mockRestore();
      fromData.mockRestore();
    }
  });

  it('names the index file when it is not a gallery index, before loading any model', async () => {
    const dir = path.join(await makeTempDir(), 'gallery');
    await saveGallery(new Gallery(undefined, { embedder: 'dlib', dimensions: 128, threshold: 0.8 }), dir);
    await writeFile(path.join(dir, GALLERY_INDEX), '{ "format": "facerec-gallery", ');
    const broken = await openGallery(dir).catch((e: unknown) => e);
    expect(broken).toBeInstanceOf(ModelFormatError);
    expect((broken as Error).message).toContain(`${path.join(dir, GALLERY_INDEX)}: is not valid JSON`);
    await writeFile(path.join(dir, GALLERY_INDEX), '{ "format": "facerec-gallery", "formatVersion": 9 }');
    await expect(openGallery(dir)).rejects.toThrow(/gallery format version 9 is not supported/);
  });
});
