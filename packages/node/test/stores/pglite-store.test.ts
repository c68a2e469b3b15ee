// The PGlite gallery folder: persists across opens, one process at a time (a lock), concurrent enrolments all land, kill -9 loses only the enrolment under way.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GalleryStoreError, LockedError, openGalleryStore, openPgliteStore, type GalleryInfo } from '@facerec/node';
import { bufferCacheFor } from '../../src/stores/pglite.js';
import type { SqlClient } from '../../src/stores/sql-store.js';
import { killAfterReady, repoRoot } from '../fixtures/processes.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';
import { unit } from './suite.js';

afterAll(removeTempDirs);
const info: GalleryInfo = { embedder: 'test', dimensions: 32, threshold: 0.5 };
const create = async (): Promise<GalleryInfo> => info;

/** Runs the ES module `script` with `args` in a child (which imports the built @facerec/node); resolves with its output, rejects when it fails. */
function runChild(script: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited with ${code}: ${out}`))));
  });
}

// What the children run: unit vectors as in suite.ts, written out so the child needs only the built package.
const UNIT = 'const unit = (i, d = 32) => { const v = Float32Array.from({ length: d }, (_, k) => Math.sin(i * 12.9898 + k * 78.233) * 43758.5453 % 1); const n = Math.hypot(...v); return v.map((x) => x / n); };';

describe('PGlite gallery folder', () => {
  // One folder for the whole file: starting a new PGlite database (initdb in WASM) is the slow part.
  let dir = '';

  it('persists across opens, and a second process waits for the first to close it (then a LockedError)', async () => {
    dir = path.join(await makeTempDir(), 'faces');
    expect(await openPgliteStore(dir)).toBeUndefined(); // no gallery and nothing to create it with
    const store = (await openGalleryStore(`pglite:${dir}`, { create }))!;
    expect(store.kind).toBe('pglite');
    await store.add('ann', [unit(1), unit(2)]);
    const error = await openPgliteStore(dir, { lockTimeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockedError);
    expect((error as LockedError).holder?.pid).toBe(process.pid);
    await store.close();
    const again = (await openGalleryStore(`pglite:${dir}`))!;
    expect(again.info).toEqual(info);
    expect(await again.labels()).toEqual(['ann']);
    expect((await again.search([unit(2)], { k: 1 }))[0]![0]!.label).toBe('ann');
    await again.close();
  }, 600_000);

  it('starts PostgreSQL with the buffer cache asked for, or one sized to the gallery, and refuses a bad size', async () => {
    // The store's connection is private: read the setting through it, as the searches see it.
    const setting = async (store: unknown): Promise<string> =>
      ((await (store as { client: SqlClient }).client.query<{ shared_buffers: string }>('SHOW shared_buffers')).rows[0]!.shared_buffers);
    const sized = (await openPgliteStore(dir))!;
    try {
      expect(await setting(sized)).toBe('128MB'); // a small gallery: PostgreSQL's own default
    } finally {
      await sized.close();
    }
    const asked = (await openPgliteStore(dir, { bufferCacheMb: 48 }))!;
    try {
      expect(await setting(asked)).toBe('48MB');
    } finally {
      await asked.close();
    }
    await expect(openPgliteStore(dir, { bufferCacheMb: 4096 })).rejects.toThrow(/bufferCacheMb/);
    // 1.25× the tables and indexes, rounded up to 64 MB, within 128..768 MB.
    expect([0, 200 * 2 ** 20, 420 * 2 ** 20, 4 * 2 ** 30].map(bufferCacheFor)).toEqual([128, 256, 576, 768]);
  }, 600_000);

  it('refuses a folder that holds anything else', async () => {
    const foreign = await makeTempDir();
    await writeFile(path.join(foreign, 'notes.txt'), 'mine');
    await expect(openPgliteStore(foreign, { create })).rejects.toThrow(GalleryStoreError);
    await expect(openPgliteStore(foreign, { create })).rejects.toThrow(/notes\.txt/);
  });

  it('two processes enrolling at once both land', async () => {
    const script = `${UNIT}
      import { openGalleryStore } from '@facerec/node';
      const [dir, who] = process.argv.slice(1);
      const store = await openGalleryStore('pglite:' + dir, { lockTimeoutMs: 600000 });
      for (let i = 0; i < 10; i++) await store.add(who + i, [unit(i + (who === 'a' ? 100 : 200))]);
      await store.close();`;
    await Promise.all([runChild(script, [dir, 'a']), runChild(script, [dir, 'b'])]);
    const store = (await openGalleryStore(`pglite:${dir}`))!;
    const labels = await store.labels();
    for (const who of ['a', 'b']) for (let i = 0; i < 10; i++) expect(labels).toContain(`${who}${i}`);
    expect(await store.count()).toEqual({ people: 21, embeddings: 22 });
    await store.close();
  }, 600_000);

  it('a process killed while it enrols loses only the person it was enrolling', async () => {
    const script = `${UNIT}
      import { openGalleryStore } from '@facerec/node';
      const store = await openGalleryStore('pglite:' + process.argv[1]);
      for (let i = 0; i < 5; i++) await store.add('kept' + i, [unit(300 + i)]);
      console.log('ready');
      for (let i = 0; ; i++) await store.add('big' + i, Array.from({ length: 50 }, (_, k) => unit(1000 + i * 50 + k)));`;
    await killAfterReady(script, [dir], 300);
    // The dead child's lock is taken over; PostgreSQL's WAL brings the database back to its last commit.
    const store = (await openGalleryStore(`pglite:${dir}`, { lockTimeoutMs: 5000 }))!;
    const labels = await store.labels();
    for (let i = 0; i < 5; i++) expect(labels).toContain(`kept${i}`);
    const big = labels.filter((l) => l.startsWith('big')).length;
    // Every enrolment is one transaction: a person is there with all 50 embeddings or not at all.
    expect(await store.count()).toEqual({ people: 26 + big, embeddings: 27 + big * 50 });
    await store.close();
  }, 600_000);
});
