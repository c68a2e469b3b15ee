// Encrypted PGlite galleries: only a sealed dump on disk, the right key reopens it, a wrong key or a changed byte is a DecryptionError, a removed person is in no saved byte, saves on close when asked, kill -9 leaves a whole dump.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { Cipher, DecryptionError, GalleryStoreError, PBKDF2_MIN_ITERATIONS, PGLITE_DATA, PGLITE_SEALED, openGalleryStore, openPgliteStore, type GalleryInfo } from '@facerec/node';
import { readSealedDump } from '../../src/stores/pglite-sealed.js';
import { killAfterReady } from '../fixtures/processes.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';
import { unit } from './suite.js';

afterAll(removeTempDirs);
const info: GalleryInfo = { embedder: 'test', dimensions: 32, threshold: 0.5 };
const create = async (): Promise<GalleryInfo> => info;
// The fewest PBKDF2 iterations allowed, so the test spends its time in the database, not the key derivation.
const pass = { passphrase: 'correct horse battery staple', iterations: PBKDF2_MIN_ITERATIONS };
const SECRET = 'Zorro Secretperson';

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DecryptionError);
  return (error as DecryptionError).reason;
}

/** The plain tar of the database in the sealed dump (what someone holding the key could read). */
async function plainDump(dir: string): Promise<Buffer> {
  const blob = (await readSealedDump(path.join(dir, PGLITE_SEALED), new Cipher(pass)))!;
  return gunzipSync(Buffer.from(await blob.arrayBuffer()));
}

describe('encrypted PGlite gallery', () => {
  // One folder for the file: starting a PGlite database (WASM + initdb) is the slow part.
  let dir = '';
  const secret = unit(77);
  const needle = Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength);

  it('keeps only a sealed dump on disk and reopens with its key', async () => {
    dir = path.join(await makeTempDir(), 'faces');
    expect(await openPgliteStore(dir, { encryption: pass })).toBeUndefined(); // nothing there, nothing to create
    const store = (await openGalleryStore(`pglite:${dir}`, { create, encryption: pass }))!;
    await store.add('ann', [unit(1), unit(2)]);
    await store.add(SECRET, [secret]);
    await store.close();
    expect(await readdir(dir)).toEqual([PGLITE_SEALED]);
    const sealed = await readFile(path.join(dir, PGLITE_SEALED));
    expect(sealed.indexOf(needle)).toBe(-1);
    expect(sealed.indexOf('Secretperson')).toBe(-1);
    // Inside the sealed dump the database holds the embedding (so the removal check below can fail).
    expect((await plainDump(dir)).indexOf(needle)).toBeGreaterThanOrEqual(0);

    const again = (await openGalleryStore(`pglite:${dir}`, { encryption: pass }))!;
    expect(again.info).toEqual(info);
    expect(await again.labels()).toEqual(['ann', SECRET]);
    expect((await again.search([unit(2)], { k: 1 }))[0]![0]!.label).toBe('ann');
    await again.close();
  }, 600_000);

  it('a missing or wrong key, a changed byte or a cut file is a DecryptionError, never a gallery', async () => {
    const file = path.join(dir, PGLITE_SEALED);
    const original = await readFile(file);
    expect(await reasonOf(openGalleryStore(`pglite:${dir}`))).toBe('no-key');
    expect(await reasonOf(openGalleryStore(`pglite:${dir}`, { encryption: { passphrase: 'wrong', iterations: PBKDF2_MIN_ITERATIONS } }))).toBe('wrong-key');
    expect(await reasonOf(openGalleryStore(`pglite:${dir}`, { encryption: { key: new Uint8Array(32).fill(7) } }))).toBe('wrong-key');
    try {
      const changed = Buffer.from(original);
      changed[Math.floor(changed.length / 2)] ^= 1;
      await writeFile(file, changed);
      expect(await reasonOf(openGalleryStore(`pglite:${dir}`, { encryption: pass }))).toBe('damaged');
      await writeFile(file, original.subarray(0, original.length - 100));
      expect(await reasonOf(openGalleryStore(`pglite:${dir}`, { encryption: pass }))).toBe('damaged');
    } finally {
      await writeFile(file, original);
    }
    // An unencrypted PGlite folder is not silently reused as an encrypted one.
    const plain = await makeTempDir();
    await mkdir(path.join(plain, PGLITE_DATA));
    await expect(openPgliteStore(plain, { create, encryption: pass })).rejects.toThrow(GalleryStoreError);
  }, 600_000);

  it('removing a person leaves none of their bytes in the saved dump, even to the key holder', async () => {
    const store = (await openGalleryStore(`pglite:${dir}`, { encryption: pass }))!;
    expect(await store.remove(SECRET)).toBe(true);
    await store.close();
    const tar = await plainDump(dir);
    expect(tar.indexOf(needle)).toBe(-1);
    expect(tar.indexOf('Secretperson')).toBe(-1);
    const again = (await openGalleryStore(`pglite:${dir}`, { encryption: pass }))!;
    expect(await again.labels()).toEqual(['ann']);
    await again.close();
  }, 600_000);

  it("save: 'on-close' writes nothing until close, then one dump without the removed person", async () => {
    const file = path.join(dir, PGLITE_SEALED);
    const before = await readFile(file);
    const ann = Buffer.from(unit(1).buffer);
    expect((await plainDump(dir)).indexOf(ann)).toBeGreaterThanOrEqual(0);
    const store = (await openGalleryStore(`pglite:${dir}`, { encryption: pass, save: 'on-close' }))!;
    await store.add('carl', [unit(5), unit(6)]);
    expect(await store.remove('ann')).toBe(true);
    expect((await readFile(file)).equals(before)).toBe(true);
    await store.close();
    expect((await readFile(file)).equals(before)).toBe(false);
    expect((await plainDump(dir)).indexOf(ann)).toBe(-1);
    const again = (await openGalleryStore(`pglite:${dir}`, { encryption: pass }))!;
    expect(await again.labels()).toEqual(['carl']);
    await again.close();
  }, 600_000);

  it('a process killed while it saves leaves the last whole dump (and its temp file is cleaned up)', async () => {
    const script = `
      const unit = (i, d = 32) => { const v = Float32Array.from({ length: d }, (_, k) => Math.sin(i * 12.9898 + k * 78.233) * 43758.5453 % 1); const n = Math.hypot(...v); return v.map((x) => x / n); };
      import { openGalleryStore } from '@facerec/node';
      const store = await openGalleryStore('pglite:' + process.argv[1], { encryption: { passphrase: process.argv[2], iterations: 10000 } });
      await store.add('kept', [unit(300)]);
      console.log('ready');
      for (let i = 0; ; i++) await store.add('big' + i, Array.from({ length: 20 }, (_, k) => unit(1000 + i * 20 + k)));`;
    await killAfterReady(script, [dir, pass.passphrase], 1500);
    const store = (await openGalleryStore(`pglite:${dir}`, { encryption: pass, lockTimeoutMs: 5000 }))!;
    const labels = await store.labels();
    expect(labels).toContain('kept');
    const big = labels.filter((l) => l.startsWith('big')).length;
    // Each enrolment is saved whole or not at all.
    expect(await store.count()).toEqual({ people: 2 + big, embeddings: 3 + big * 20 });
    await store.close();
    expect(await readdir(dir)).toEqual([PGLITE_SEALED]);
  }, 600_000);
});
