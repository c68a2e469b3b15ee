// `facerec gallery list|remove|copy`: a gallery moves folder → PGlite → folder with every embedding unchanged, and people can be listed and removed.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gallery, loadGallery, saveGallery } from '@facerec/node';
import { runCapture } from '../fixtures/cli.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';
import { unit } from './suite.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(removeTempDirs);

/** Every file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('facerec gallery', () => {
  it('copies a folder gallery into PGlite and back without changing an embedding; lists and removes people', async () => {
    const root = await makeTempDir();
    const [folder, db, back, other] = ['folder', 'db', 'back', 'other'].map((name) => path.join(root, name)) as [string, string, string, string];
    const g = new Gallery(undefined, { embedder: 'test', dimensions: 32, threshold: 0.42, landmarks: 'detector' });
    await g.enroll('ann', [unit(1), unit(2)]);
    await g.enroll('bob', [unit(3)]);
    await g.enroll('carl', [unit(4)]);
    await saveGallery(g, folder);

    const copied = await runCapture('gallery', 'copy', folder, `pglite:${db}`);
    expect(copied.err).toBe('');
    expect(copied.code).toBe(0);
    expect(copied.out).toMatch(/copied 4 embeddings of 3 people .* \(folder\) to pglite:.* \(pglite\)/);

    const listed = await runCapture('gallery', 'list', `pglite:${db}`, '--json');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.out)).toEqual({
      store: 'pglite', embedder: 'test', dimensions: 32, threshold: 0.42, landmarks: 'detector',
      people: [{ label: 'ann', embeddings: 2 }, { label: 'bob', embeddings: 1 }, { label: 'carl', embeddings: 1 }],
    });
    // Copying again into a gallery that holds people is refused (no duplicates), as is a gallery of another embedder.
    const again = await runCapture('gallery', 'copy', folder, `pglite:${db}`);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already holds 3 people/);
    const foreign = new Gallery(undefined, { embedder: 'other', dimensions: 32, threshold: 0.5 });
    await foreign.enroll('zed', [unit(9)]);
    await saveGallery(foreign, other);
    const mixed = await runCapture('gallery', 'copy', folder, other);
    expect(mixed.code).toBe(1);
    expect(mixed.err).toMatch(/holds other embeddings .* they do not compare/);

    const removed = await runCapture('gallery', 'remove', `pglite:${db}`, 'carl', 'nobody');
    expect(removed.code).toBe(1);
    expect(removed.out).toBe('removed carl\n');
    expect(removed.err).toMatch(/nobody: not enrolled/);
    // Compacted: no file of the database holds carl's embedding or name any more (a DELETE alone leaves both).
    const carl = Buffer.from(unit(4).buffer);
    for (const file of await filesUnder(db)) {
      const bytes = await readFile(file);
      expect(bytes.includes(carl), file).toBe(false);
      expect(bytes.includes(Buffer.from('carl')), file).toBe(false);
    }

    const exported = await runCapture('gallery', 'export', `pglite:${db}`, back);
    expect(exported.code).toBe(0);
    const reloaded = await loadGallery(back);
    expect(await reloaded.labels()).toEqual(['ann', 'bob']);
    expect(reloaded.threshold).toBe(0.42);
    expect(reloaded.landmarks).toBe('detector');
    const rows = (await reloaded.toData());
    const byLabel = rows.index.rows.map((label, r) => [label, Array.from(rows.embeddings.subarray(r * 32, (r + 1) * 32))]);
    expect(byLabel).toEqual(expect.arrayContaining([['ann', Array.from(unit(1))], ['ann', Array.from(unit(2))], ['bob', Array.from(unit(3))]]));
    expect(byLabel).toHaveLength(3);
    reloaded.dispose();
  }, 600_000);

  it('copies a gallery into an encrypted pglite: gallery, which lists and removes only with its passphrase', async () => {
    const root = await makeTempDir();
    const [folder, db] = [path.join(root, 'folder'), path.join(root, 'db')];
    const g = new Gallery(undefined, { embedder: 'test', dimensions: 32, threshold: 0.42 });
    await g.enroll('ann', [unit(1)]);
    await g.enroll('bob', [unit(2)]);
    await saveGallery(g, folder);
    process.env.FACEREC_TEST_GALLERY_PASS = 'open sesame';
    try {
      const copied = await runCapture('gallery', 'copy', folder, `pglite:${db}`, '--to-passphrase-env', 'FACEREC_TEST_GALLERY_PASS');
      expect(copied.err).toBe('');
      expect(copied.out).toMatch(/copied 2 embeddings of 2 people .* \(pglite, encrypted\)/);
      expect(await readdir(db)).toEqual(['gallery.pglite.enc']);
      const noKey = await runCapture('gallery', 'list', `pglite:${db}`);
      expect(noKey.code).toBe(1);
      expect(noKey.err).toMatch(/encrypted gallery: give its passphrase or key/);
      const removed = await runCapture('gallery', 'remove', `pglite:${db}`, 'bob', '--passphrase-env', 'FACEREC_TEST_GALLERY_PASS');
      expect(removed.out).toBe('removed bob\n');
      const listed = await runCapture('gallery', 'list', `pglite:${db}`, '--json', '--passphrase-env', 'FACEREC_TEST_GALLERY_PASS');
      expect(JSON.parse(listed.out).people).toEqual([{ label: 'ann', embeddings: 1 }]);
      expect((await runCapture('gallery', 'list', `pglite:${db}`, '--passphrase-env', 'FACEREC_TEST_UNSET_VARIABLE')).code).toBe(2);
    } finally {
      delete process.env.FACEREC_TEST_GALLERY_PASS;
    }
  }, 600_000);

  it('answers usage errors with exit code 2', async () => {
    const root = await makeTempDir();
    expect((await runCapture('gallery', 'list', path.join(root, 'none'))).code).toBe(2);
    expect((await runCapture('gallery', 'shuffle', root)).code).toBe(2);
    expect((await runCapture('gallery', 'copy', root)).code).toBe(2);
    expect((await runCapture('gallery', 'copy', root, `pglite:${root}/x`, '--index', 'ivf')).code).toBe(2);
  });
});
