// Gallery folders: atomic save/load, and a process killed while saving never loses an enrolled person.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GALLERY_EMBEDDINGS, GALLERY_INDEX, Gallery, ModelFormatError, initBackend, loadGallery, openGallery, saveGallery } from '@facerec/node';
import { killAfterReady } from '../fixtures/processes.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';

afterAll(removeTempDirs);
const info = { embedder: 'test', dimensions: 8, threshold: 0.4 };
const unit = (i: number) => Float32Array.from({ length: 8 }, (_, k) => Math.sin(i * 7.3 + k));

describe('saveGallery / loadGallery', () => {
  it('round-trips people, embeddings and threshold, and replaces the folder', async () => {
    const dir = path.join(await makeTempDir(), 'gallery');
    const g = new Gallery(undefined, info);
    await g.enroll('ann', [unit(1), unit(2)]);
    await g.enroll('bob', [unit(3)]);
    await saveGallery(g, dir);
    const back = await loadGallery(dir);
    expect(await back.labels()).toEqual(['ann', 'bob']);
    expect(back.threshold).toBe(0.4);
    expect(Array.from((await back.toData()).embeddings)).toEqual(Array.from((await g.toData()).embeddings));
    expect((await readFile(path.join(dir, GALLERY_EMBEDDINGS))).byteLength).toBe(3 * 8 * 4);
    await back.remove('ann');
    await saveGallery(back, dir);
    expect(await (await loadGallery(dir)).labels()).toEqual(['bob']);
  });

  it('names a truncated embedding file and a foreign index', async () => {
    const dir = path.join(await makeTempDir(), 'gallery');
    const g = new Gallery(undefined, info);
    await g.enroll('ann', [unit(1)]);
    await saveGallery(g, dir);
    const bin = path.join(dir, GALLERY_EMBEDDINGS);
    await writeFile(bin, (await readFile(bin)).subarray(0, 16));
    await expect(loadGallery(dir)).rejects.toThrow(/embedding file holds 4 values, the index needs 1 × 8/);
    await writeFile(path.join(dir, GALLERY_INDEX), '{"format": "other"}');
    await expect(loadGallery(dir)).rejects.toThrow(ModelFormatError);
  });

  it('keeps every enrolled person when the saving process is killed at a random moment, and the next save cleans up', async () => {
    const parent = await makeTempDir();
    const dir = path.join(parent, 'gallery');
    // The child saves 30 people, says so, then keeps enrolling and saving bigger galleries until killed.
    const script = `
      import { Gallery, saveGallery } from '@facerec/node';
      const unit = (i) => Float32Array.from({ length: 8 }, (_, k) => Math.sin(i * 7.3 + k));
      const g = new Gallery(undefined, { embedder: 'test', dimensions: 8, threshold: 0.4 });
      for (let i = 0; i < 30; i++) await g.enroll('person' + i, [unit(i)]);
      await saveGallery(g, process.argv[1]);
      console.log('ready');
      for (let i = 30; ; i++) { await g.enroll('person' + i, Array.from({ length: 50 }, (_, k) => unit(i * 100 + k))); await saveGallery(g, process.argv[1]); }
    `;
    for (const delay of Array.from({ length: 3 }, () => Math.floor(Math.random() * 400))) {
      await killAfterReady(script, [dir], delay);
      const g = await loadGallery(dir);
      const labels = await g.labels();
      for (let i = 0; i < 30; i++) expect(labels, `killed after ${delay} ms`).toContain(`person${i}`);
      expect((await g.count()).embeddings).toBe(30 + (labels.length - 30) * 50);
      // The next save (its lock taken over from the dead child, if it held it) leaves only the gallery.
      await saveGallery(g, dir);
      expect(await readdir(parent), `killed after ${delay} ms`).toEqual(['gallery']);
    }
  }, 60_000);
});

describe('openGallery', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('reopens a gallery with the embedder and landmark source it was enrolled with', async () => {
    const dir = path.join(await makeTempDir(), 'gallery');
    const first = await openGallery(dir, { preset: 'fast' });
    expect([first.pipeline.embedder.spec.name, first.pipeline.refiner, first.gallery.landmarks]).toEqual(['dlib', undefined, 'detector']);
    await first.gallery.enroll('ann', [Float32Array.from({ length: 128 }, (_, k) => Math.cos(k))]);
    await saveGallery(first.gallery, dir);
    first.gallery.dispose();
    first.pipeline.dispose();
    const again = await openGallery(dir); // no preset: the saved gallery decides
    expect([again.pipeline.embedder.spec.name, again.pipeline.refiner, again.gallery.landmarks]).toEqual(['dlib', undefined, 'detector']);
    expect(await again.gallery.labels()).toEqual(['ann']);
    again.gallery.dispose();
    again.pipeline.dispose();
    const meshDir = path.join(await makeTempDir(), 'gallery');
    const meshed = await openGallery(meshDir);
    expect(meshed.gallery.landmarks).toBe('mesh');
    expect(meshed.pipeline.refiner).toBeDefined();
    meshed.gallery.dispose();
    meshed.pipeline.dispose();
  });
});
