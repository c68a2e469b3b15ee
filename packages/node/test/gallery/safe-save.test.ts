// Gallery writes: only a gallery folder facerec wrote is replaced, writers take turns under a lock (stale locks are
// recovered), updateGallery re-reads under the lock so concurrent additions all land, and a conflicting preset is refused.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FOLDER_MARKER, GALLERY_EMBEDDINGS, GALLERY_INDEX, Gallery, InvalidArgumentError, LockedError, SaveTargetError,
  fileSystemHandler, initBackend, loadGallery, openGallery, saveGallery, updateGallery,
} from '@facerec/node';
import * as tfl from '@tensorflow/tfjs-layers';
import { expectNoLeakPerTest } from '../../../core/test/helpers/memory.js';
import { deadPid } from '../fixtures/processes.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';

beforeAll(async () => {
  await initBackend('cpu');
});
afterAll(removeTempDirs);
expectNoLeakPerTest();
const info = { embedder: 'test', dimensions: 8, threshold: 0.4 };
const unit = (i: number) => Float32Array.from({ length: 8 }, (_, k) => Math.sin(i * 7.3 + k));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function galleryWith(...labels: string[]): Promise<Gallery> {
  const g = new Gallery(undefined, info);
  for (const [i, label] of labels.entries()) await g.enroll(label, [unit(i)]);
  return g;
}

describe('saveGallery replaces only a gallery facerec wrote', () => {
  it('refuses a folder of photos (enroll photos alice photos/alice/a.jpg) and changes nothing', async () => {
    const photos = path.join(await makeTempDir(), 'photos');
    await mkdir(path.join(photos, 'alice'), { recursive: true });
    await writeFile(path.join(photos, 'alice', 'a.jpg'), 'jpeg bytes');
    const error = await saveGallery(await galleryWith('ann'), photos).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SaveTargetError);
    expect((error as Error).message).toMatch(new RegExp(`${photos}: it holds files that are not a facerec gallery \\(alice\\)`));
    expect(await readdir(photos)).toEqual(['alice']);
    expect(await readFile(path.join(photos, 'alice', 'a.jpg'), 'utf8')).toBe('jpeg bytes');
    expect(await readdir(path.dirname(photos))).toEqual(['photos']); // no lock file or temp folder left
  });

  it('refuses a model folder, and a gallery folder holding an extra file', async () => {
    const parent = await makeTempDir();
    const model = path.join(parent, 'model');
    const layers = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 1 })] });
    await layers.save(fileSystemHandler(model));
    layers.dispose();
    await expect(saveGallery(await galleryWith('ann'), model)).rejects.toThrow(/holds a facerec model, not a gallery/);
    const gallery = path.join(parent, 'gallery');
    await saveGallery(await galleryWith('ann'), gallery);
    await writeFile(path.join(gallery, 'photo.jpg'), 'someone put this here');
    await expect(saveGallery(await galleryWith('bob'), gallery)).rejects.toThrow(/photo\.jpg/);
    expect(await (await loadGallery(gallery)).labels()).toEqual(['ann']);
  });

  it('replaces a gallery saved before the marker existed, and adds the marker', async () => {
    const dir = path.join(await makeTempDir(), 'gallery');
    await saveGallery(await galleryWith('ann'), dir);
    await rm(path.join(dir, FOLDER_MARKER));
    await saveGallery(await galleryWith('bob'), dir);
    expect((await readdir(dir)).sort()).toEqual([GALLERY_EMBEDDINGS, FOLDER_MARKER, GALLERY_INDEX].sort());
    expect(await (await loadGallery(dir)).labels()).toEqual(['bob']);
  });
});

describe('gallery lock', () => {
  it('updateGallery calls that overlap all land (each re-reads the gallery under the lock)', async () => {
    const parent = await makeTempDir();
    const dir = path.join(parent, 'gallery');
    const add = (label: string, i: number) => updateGallery(dir, undefined, async (g) => {
      await sleep(20); // a slow update: without the lock the others would read the same old gallery
      await g.enroll(label, [unit(i)]);
      return (await g.count()).embeddings;
    });
    await saveGallery(await galleryWith('first'), dir);
    const sizes = await Promise.all(['a', 'b', 'c', 'd'].map((label, i) => add(label, i)));
    expect(sizes.sort()).toEqual([2, 3, 4, 5]);
    expect(await (await loadGallery(dir)).labels()).toEqual(['a', 'b', 'c', 'd', 'first']);
    expect(await readdir(parent)).toEqual(['gallery']);
  });

  it('an update that throws saves nothing and releases the lock', async () => {
    const parent = await makeTempDir();
    const dir = path.join(parent, 'gallery');
    await saveGallery(await galleryWith('ann'), dir);
    await expect(updateGallery(dir, undefined, async (g) => { await g.remove('ann'); throw new Error('changed my mind'); })).rejects.toThrow('changed my mind');
    expect(await (await loadGallery(dir)).labels()).toEqual(['ann']);
    expect(await readdir(parent)).toEqual(['gallery']);
  });

  it('a writer waits for the holder, or fails after lockTimeoutMs with "gallery <dir> is locked by pid N"', async () => {
    const parent = await makeTempDir();
    const dir = path.join(parent, 'gallery');
    await saveGallery(await galleryWith('ann'), dir);
    await writeFile(path.join(parent, '.gallery.lock'), JSON.stringify({ pid: process.ppid, hostname: os.hostname(), time: new Date().toISOString() }));
    const error = await saveGallery(await galleryWith('bob'), dir, { lockTimeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockedError);
    expect((error as Error).message).toMatch(new RegExp(`^gallery ${dir} is locked by pid ${process.ppid} `));
    expect(await (await loadGallery(dir)).labels()).toEqual(['ann']);
    // Released while the next writer waits: it gets in.
    const waiting = saveGallery(await galleryWith('carl'), dir, { lockTimeoutMs: 5000 });
    await sleep(150);
    await rm(path.join(parent, '.gallery.lock'));
    await waiting;
    expect(await (await loadGallery(dir)).labels()).toEqual(['carl']);
  });

  it('recovers a stale lock left by a process that no longer runs', async () => {
    const parent = await makeTempDir();
    const dir = path.join(parent, 'gallery');
    await saveGallery(await galleryWith('ann'), dir);
    const pid = await deadPid();
    await writeFile(path.join(parent, '.gallery.lock'), JSON.stringify({ pid, hostname: os.hostname(), time: new Date().toISOString() }));
    await updateGallery(dir, undefined, (g) => g.enroll('bob', [unit(5)]), { lockTimeoutMs: 0 });
    expect(await (await loadGallery(dir)).labels()).toEqual(['ann', 'bob']);
    expect(await readdir(parent)).toEqual(['gallery']);
  });
});

describe('openGallery with a preset', () => {
  it('refuses a preset that makes other embeddings than the saved gallery, accepts the same one', async () => {
    await initBackend('wasm');
    const dir = path.join(await makeTempDir(), 'gallery');
    const g = new Gallery(undefined, { embedder: 'dlib', dimensions: 128, threshold: 0.9, landmarks: 'detector' });
    await g.enroll('ann', [Float32Array.from({ length: 128 }, (_, k) => Math.cos(k))]);
    await saveGallery(g, dir);
    for (const preset of ['mobileface', 'default'] as const) {
      const error = await openGallery(dir, { preset }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toMatch(new RegExp(`gallery ${dir} holds dlib embeddings \\(detector landmarks\\), but preset "${preset}"`));
    }
    const same = await openGallery(dir, { preset: 'fast' });
    expect(await same.gallery.labels()).toEqual(['ann']);
    same.gallery.dispose();
    same.pipeline.dispose();
  });
});
