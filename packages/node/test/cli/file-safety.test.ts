// The CLI never deletes a user's files and never loses an enrolment: refused targets (exit 1, nothing changed),
// two `facerec enroll` processes into one gallery both land, a held lock ends in a clear error, a conflicting
// preset is an error. Spawns packages/node/dist/cli.js: build @facerec/node first.
import { spawn } from 'node:child_process';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gallery, initBackend, loadGallery, saveGallery } from '@facerec/node';
import { expectNoLeak } from '../../../core/test/helpers/memory.js';
import { runCapture } from '../fixtures/cli.js';
import { repoRoot } from '../fixtures/processes.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';

const orl = path.join(repoRoot, 'examples', 'data', 'orl');
const cli = path.join(repoRoot, 'packages', 'node', 'dist', 'cli.js');
let work = '';
let data = '';

/** Every path under `dir` with the file content: a refused command must leave it exactly so. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, full)] = entry.isFile() ? (await readFile(full)).toString('base64') : '<dir>';
  }
  return out;
}

function runCli(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

beforeAll(async () => {
  // The in-process commands below are refused before they start a backend; the leak checks still need one.
  await initBackend('cpu');
  work = await makeTempDir();
  data = path.join(work, 'ds');
  // Two ORL people, three photos each: a dataset for train and photos for enroll.
  for (const [person, from] of [['ann', 's1'], ['bob', 's2']] as const) {
    await mkdir(path.join(data, person), { recursive: true });
    for (const i of [1, 2, 3]) await cp(path.join(orl, from, `${i}.pgm`), path.join(data, person, `${i}.pgm`));
  }
});
afterAll(removeTempDirs);

describe('facerec never deletes files it did not write', () => {
  const train = ['--epochs', '1', '--input-size', '16', '--backend', 'cpu'];

  it('refuses train --out <the dataset> and --out . (a file is refused by the same check, test/io/save-target): exit 1, the folder named, nothing changed', async () => {
    const before = await snapshot(work);
    const intoData = await runCapture('train', data, '--out', data, ...train);
    expect(intoData.code).toBe(1);
    expect(intoData.err).toMatch(new RegExp(`Refusing to save into ${data}: .*\\(ann, bob\\)`));
    // Refused before any work: the backend never started and the dataset was never read.
    expect(intoData.err).not.toMatch(/backend:|dataset:/);
    const cwd = process.cwd();
    process.chdir(data);
    try {
      const intoCwd = await runCapture('train', '.', '--out', '.', ...train);
      expect(intoCwd.code).toBe(1);
      expect(intoCwd.err).toMatch(/Refusing to save into \.: it is the current folder/);
    } finally {
      process.chdir(cwd);
    }
    expect(await snapshot(work)).toEqual(before);
  });

  it('refuses enroll into a folder of photos before loading any model: exit 1, nothing changed', async () => {
    const before = await snapshot(work);
    const r = await expectNoLeak(() => runCapture('enroll', data, 'ann', path.join(data, 'ann', '1.pgm')));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`Refusing to save into ${data}: it holds files that are not a facerec gallery (ann, bob)`);
    expect(await snapshot(work)).toEqual(before);
  });

  it('refuses --preset that does not match an existing gallery (exit 2, naming its embedder)', async () => {
    const dir = path.join(work, 'fast-gallery');
    const g = new Gallery(undefined, { embedder: 'dlib', dimensions: 128, threshold: 0.9, landmarks: 'detector' });
    await g.enroll('zed', [Float32Array.from({ length: 128 }, (_, k) => Math.cos(k))]);
    await saveGallery(g, dir);
    const r = await expectNoLeak(() => runCapture('enroll', dir, 'ann', path.join(data, 'ann', '1.pgm'), '--preset', 'mobileface', '--backend', 'cpu'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/holds dlib embeddings \(detector landmarks\), but preset "mobileface"/);
    expect(await (await loadGallery(dir)).labels()).toEqual(['zed']);
  });
});

describe('concurrent facerec enroll', () => {
  it('two processes into one gallery both land; one facing a held lock fails naming the pid', async () => {
    const gallery = path.join(work, 'gallery');
    const locked = path.join(work, 'locked');
    await saveGallery(new Gallery(undefined, { embedder: 'dlib', dimensions: 128, threshold: 0.9, landmarks: 'detector' }), locked);
    // This test process holds the lock of `locked` (it runs, so the lock is not stale).
    await writeFile(path.join(work, '.locked.lock'), JSON.stringify({ pid: process.pid, hostname: os.hostname(), time: new Date().toISOString() }));
    const flags = ['--preset', 'fast', '--backend', 'wasm', '--threads', '1'];
    const [ann, bob, waited] = await Promise.all([
      runCli('enroll', gallery, 'ann', path.join(data, 'ann', '1.pgm'), path.join(data, 'ann', '2.pgm'), ...flags),
      runCli('enroll', gallery, 'bob', path.join(data, 'bob', '1.pgm'), ...flags),
      runCli('enroll', locked, 'carl', path.join(data, 'ann', '3.pgm'), ...flags, '--lock-timeout', '0.5'),
    ]);
    expect(ann.code, ann.err).toBe(0);
    expect(bob.code, bob.err).toBe(0);
    const saved = await loadGallery(gallery);
    expect(await saved.labels()).toEqual(['ann', 'bob']);
    expect((await saved.count()).embeddings).toBe(3);
    expect(waited.code).toBe(1);
    expect(waited.err).toContain(`gallery ${locked} is locked by pid ${process.pid}`);
    expect((await (await loadGallery(locked)).count()).embeddings).toBe(0);
    expect((await readdir(work)).filter((name) => name.startsWith('.'))).toEqual(['.locked.lock']);
  }, 90_000);
});
