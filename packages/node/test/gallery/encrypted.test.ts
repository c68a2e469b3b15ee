// Encrypted gallery folders: round trip, wrong or missing key, a changed or cut file, and removed people gone from the saved bytes.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cipher, DecryptionError, GALLERY_EMBEDDINGS, GALLERY_INDEX, Gallery, PBKDF2_MIN_ITERATIONS, initBackend, loadGallery, saveGallery, updateGallery, type EncryptionOptions } from '@facerec/node';
import { openGalleryData } from '@facerec/core/internal';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';

afterAll(removeTempDirs);
const info = { embedder: 'test', dimensions: 8, threshold: 0.4 };
const unit = (i: number) => {
  const v = Float32Array.from({ length: 8 }, (_, k) => Math.sin(i * 7.3 + k));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
// Few PBKDF2 iterations keep the tests fast; the default (600,000) only changes the time.
const pass: EncryptionOptions = { passphrase: 'Ünïcode passphrase', iterations: PBKDF2_MIN_ITERATIONS };

async function saved(people: Record<string, number[]>, encryption?: EncryptionOptions): Promise<string> {
  const dir = path.join(await makeTempDir(), 'gallery');
  const g = new Gallery(undefined, info);
  for (const [label, seeds] of Object.entries(people)) await g.enroll(label, seeds.map(unit));
  await saveGallery(g, dir, encryption ? { encryption } : {});
  return dir;
}

async function reason(p: Promise<unknown>): Promise<string> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DecryptionError);
  return (error as DecryptionError).reason;
}

/** Every file under `dir` (and beside it: temporary folders of a save), concatenated. */
async function allBytes(dir: string): Promise<Buffer> {
  const parent = path.dirname(dir);
  const files = (await readdir(parent, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
  return Buffer.concat(await Promise.all(files.map((f) => readFile(f))));
}

/** The float32 little-endian bytes of an embedding, as a saved gallery stores them. */
const floatBytes = (e: Float32Array) => Buffer.from(new Uint8Array(Float32Array.from(e).buffer));

describe('encrypted gallery folders', () => {
  it('round-trip with a passphrase and with a raw key, and hold no name or embedding in the clear', async () => {
    const key = { key: new Uint8Array(32).fill(9) };
    for (const encryption of [pass, key]) {
      const dir = await saved({ 'Ann Secretname': [1, 2], bob: [3] }, encryption);
      const back = await loadGallery(dir, undefined, { encryption });
      expect(await back.labels()).toEqual(['Ann Secretname', 'bob']);
      expect(back.threshold).toBe(0.4);
      expect(Array.from((await back.toData()).embeddings)).toEqual(Array.from(unit(1)).concat(Array.from(unit(2)), Array.from(unit(3))));
      const bytes = await allBytes(dir);
      expect(bytes.indexOf('Secretname')).toBe(-1);
      for (const i of [1, 2, 3]) expect(bytes.indexOf(floatBytes(unit(i)))).toBe(-1);
      expect(JSON.parse(await readFile(path.join(dir, GALLERY_INDEX), 'utf8'))).toMatchObject({ format: 'facerec-gallery', encrypted: { cipher: 'AES-256-GCM' } });
    }
  });

  it('says no-key without a key and wrong-key for another passphrase or key', async () => {
    const dir = await saved({ ann: [1] }, pass);
    expect(await reason(loadGallery(dir))).toBe('no-key');
    expect(await reason(loadGallery(dir, undefined, { encryption: { ...pass, passphrase: 'ünïcode passphrase' } }))).toBe('wrong-key');
    expect(await reason(loadGallery(dir, undefined, { encryption: { key: new Uint8Array(32) } }))).toBe('wrong-key');
  });

  it('refuses a changed byte in the header, the ciphertext or the tag, and a truncated file, and never answers', async () => {
    const dir = await saved({ ann: [1, 2], bob: [3] }, pass);
    const bin = path.join(dir, GALLERY_EMBEDDINGS);
    const good = await readFile(bin);
    // 12: salt (another key: wrong-key), 30: IV, 60: ciphertext, last byte: the GCM tag.
    for (const [at, why] of [[12, 'wrong-key'], [30, 'damaged'], [60, 'damaged'], [good.length - 1, 'damaged']] as const) {
      const bad = Buffer.from(good);
      bad[at]! ^= 0x80;
      await writeFile(bin, bad);
      expect(await reason(loadGallery(dir, undefined, { encryption: pass })), `byte ${at}`).toBe(why);
    }
    await writeFile(bin, good.subarray(0, good.length - 5));
    expect(await reason(loadGallery(dir, undefined, { encryption: pass }))).toBe('damaged');
    await writeFile(bin, good);
    expect(await (await loadGallery(dir, undefined, { encryption: pass })).labels()).toEqual(['ann', 'bob']);
  });

  it('updateGallery reads and writes encrypted, and a plain gallery becomes encrypted when saved with a key', async () => {
    const dir = await saved({ ann: [1] });
    const cipher = new Cipher(pass);
    await updateGallery(dir, undefined, (g) => g.enroll('bob', [unit(2)]), { encryption: cipher });
    await updateGallery(dir, undefined, (g) => g.enroll('cy', [unit(3)]), { encryption: pass });
    expect(await reason(loadGallery(dir))).toBe('no-key');
    expect(await (await loadGallery(dir, undefined, { encryption: pass })).labels()).toEqual(['ann', 'bob', 'cy']);
  });

  for (const encrypted of [false, true]) {
    it(`${encrypted ? 'encrypted' : 'unencrypted'}: a removed person's embeddings are in none of the saved bytes${encrypted ? ', even decrypted' : ''}`, async () => {
      const encryption = encrypted ? pass : undefined;
      const dir = await saved({ ann: [1, 2], bob: [3], cy: [4] }, encryption);
      // The embedding is in the saved bytes before the removal (so the scan below can find it).
      const before = encrypted ? await plainPayload(dir) : await allBytes(dir);
      expect(before.indexOf(floatBytes(unit(2)))).toBeGreaterThanOrEqual(0);
      await updateGallery(dir, undefined, (g) => g.remove('ann'), encryption ? { encryption } : {});
      for (const bytes of [await allBytes(dir), ...(encrypted ? [await plainPayload(dir)] : [])]) {
        for (const i of [1, 2]) expect(bytes.indexOf(floatBytes(unit(i)))).toBe(-1);
        expect(bytes.indexOf('"ann"')).toBe(-1);
      }
      expect(await (await loadGallery(dir, undefined, encryption ? { encryption } : {})).labels()).toEqual(['bob', 'cy']);
    });
  }
});

/** The decrypted payload of an encrypted gallery folder (index JSON + rows), as bytes. */
async function plainPayload(dir: string): Promise<Buffer> {
  const data = await openGalleryData(await readFile(path.join(dir, GALLERY_EMBEDDINGS)), new Cipher(pass), 'x');
  return Buffer.concat([Buffer.from(JSON.stringify(data.index)), floatBytesAll(data.embeddings)]);
}

const floatBytesAll = (e: Float32Array) => Buffer.from(new Uint8Array(e.buffer, e.byteOffset, e.byteLength));

describe('encrypted folder store', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('openGalleryStore(folder, { encryption }) adds, removes and searches an encrypted folder; other stores refuse encryption', async () => {
    const { openGalleryStore } = await import('@facerec/node');
    const dir = path.join(await makeTempDir(), 'gallery');
    const store = (await openGalleryStore(dir, { encryption: pass, create: () => Promise.resolve(info) }))!;
    await store.add('ann', [unit(1)]);
    await store.add('bob', [unit(2)]);
    await store.remove('ann');
    expect((await store.search([unit(2)], { k: 1 }))[0]![0]!.label).toBe('bob');
    await store.close();
    expect(await reason(loadGallery(dir))).toBe('no-key');
    expect((await allBytes(dir)).indexOf(floatBytes(unit(2)))).toBe(-1);
    const again = (await openGalleryStore(dir, { encryption: pass }))!;
    expect(await again.labels()).toEqual(['bob']);
    await again.close();
    await expect(openGalleryStore(dir)).rejects.toThrow(DecryptionError);
    // A server is not encrypted by facerec: refused before connecting, rather than stored in the clear.
    await expect(openGalleryStore('postgres://facerec@127.0.0.1:1/db', { encryption: pass })).rejects.toThrow(/not a PostgreSQL server/);
  });
});
