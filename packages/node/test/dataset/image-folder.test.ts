// loadImageFolder on generated trees (skips, errors, ordering, splits) and on the real ORL dataset.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, DatasetError, InvalidArgumentError, InvalidImageError, type LabeledImage } from '@facerec/core';
import { loadImageFolder, loadImagesForPrediction } from '../../src/dataset/index.js';
import { ORL_DIR } from '../../../core/test/helpers/datasets.js';
import { grayPgm, jpegBytes, pngBytes } from '../fixtures/images.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';

afterAll(removeTempDirs);

/** Writes `files` (relative path → bytes or text) under a new temp folder and returns its path. */
async function tree(files: Record<string, Uint8Array | string>): Promise<string> {
  const root = await makeTempDir('facerec-dataset-');
  for (const [name, content] of Object.entries(files)) {
    const full = path.join(root, name);
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, content);
  }
  return root;
}

const names = (images: LabeledImage[]): string[] => images.map((i) => `${i.label}/${path.basename(i.source!)}`);

describe('loadImageFolder on a small tree', () => {
  let root: string;
  beforeAll(async () => {
    root = await tree({
      // alice's pixel value encodes the file number, to check the order files are read in
      'alice/1.pgm': grayPgm(4, 4, 1),
      'alice/10.pgm': grayPgm(4, 4, 10),
      'alice/2.pgm': grayPgm(4, 4, 2),
      'alice/notes.txt': 'not an image',
      'bob/a.png': pngBytes(3, 2, 0, [1, 2, 3, 4, 5, 6]),
      'bob/b.png': pngBytes(5, 5, 2, new Array<number>(75).fill(9)),
      'bob/.hidden.png': 'hidden',
      'carol/x.jpg': jpegBytes(8, 8, new Array<number>(192).fill(100)),
      'carol/y.pgm': grayPgm(6, 3, 50),
      'carol/corrupt.jpg': new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2, 3]),
      '.DS_Store': 'junk',
      '.cache/1.pgm': grayPgm(2, 2, 0), // a hidden folder is not a person
      'README.md': 'top-level file',
    });
  });

  it('throws InvalidImageError naming a corrupt image by default', async () => {
    const error = await loadImageFolder(root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidImageError);
    expect((error as Error).message).toContain(path.join(root, 'carol', 'corrupt.jpg'));
  });

  it("with onCorrupt 'skip' lists the corrupt file and every non-image or hidden entry", async () => {
    const data = await loadImageFolder(root, { onCorrupt: 'skip' });
    expect(data.root).toBe(root);
    expect(data.labels).toEqual(['alice', 'bob', 'carol']);
    expect(names(data.train)).toEqual([
      'alice/1.pgm', 'alice/2.pgm', 'alice/10.pgm', 'bob/a.png', 'bob/b.png', 'carol/x.jpg', 'carol/y.pgm',
    ]);
    expect(data.test).toEqual([]);
    const skipped = Object.fromEntries(data.skipped.map((s) => [path.relative(root, s.file), s.reason]));
    expect(Object.keys(skipped).sort()).toEqual(
      ['.DS_Store', '.cache', 'README.md', 'alice/notes.txt', 'bob/.hidden.png', 'carol/corrupt.jpg'].map((f) => path.normalize(f)).sort(),
    );
    expect(skipped['.DS_Store']).toBe('hidden');
    expect(skipped['.cache']).toBe('hidden');
    expect(skipped['README.md']).toMatch(/not a folder/);
    expect(skipped[path.normalize('carol/corrupt.jpg')]).toMatch(/corrupt/);
    expect(data.counts).toEqual({ alice: { train: 3, test: 0 }, bob: { train: 2, test: 0 }, carol: { train: 2, test: 0 } });
  });

  it('reads files in natural order, keeps mixed sizes and sets source on every image', async () => {
    const data = await loadImageFolder(root, { onCorrupt: 'skip' });
    const alice = data.train.filter((i) => i.label === 'alice');
    expect(alice.map((i) => i.image.data[0])).toEqual([1, 2, 10]);
    expect(data.train.every((i) => i.source?.startsWith(root))).toBe(true);
    const sizes = new Set(data.train.map((i) => `${i.image.width}x${i.image.height}x${i.image.channels}`));
    expect(sizes).toEqual(new Set(['4x4x1', '3x2x1', '5x5x3', '8x8x1', '6x3x1']));
  });

  it("'first' split takes each person's first N files by natural order", async () => {
    const data = await loadImageFolder(root, { onCorrupt: 'skip', split: { type: 'first', count: 1 } });
    expect(names(data.train)).toEqual(['alice/1.pgm', 'bob/a.png', 'carol/x.jpg']);
    expect(names(data.test)).toEqual(['alice/2.pgm', 'alice/10.pgm', 'bob/b.png', 'carol/y.pgm']);
    expect(data.counts.alice).toEqual({ train: 1, test: 2 });
  });

  it("'first' split that leaves a person without test images is an error naming the person", async () => {
    const error = await loadImageFolder(root, { onCorrupt: 'skip', split: { type: 'first', count: 2 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as DatasetError).path).toBe(path.join(root, 'bob'));
    expect((error as Error).message).toMatch(/"bob" has 2 image/);
  });

  it('stops with AbortError when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(loadImageFolder(root, { onCorrupt: 'skip', signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
  });

  it('rejects bad options', async () => {
    await expect(loadImageFolder(root, { concurrency: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(loadImageFolder(root, { split: { type: 'fraction', test: 1 } })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(loadImageFolder(root, { split: { type: 'first', count: 0 } })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe("'fraction' split", () => {
  let root: string;
  beforeAll(async () => {
    const files: Record<string, Uint8Array> = {};
    for (const [person, count] of [['p1', 10], ['p2', 7], ['p3', 2], ['p4', 1]] as const) {
      for (let i = 1; i <= count; i++) files[`${person}/${i}.pgm`] = grayPgm(2, 2, i);
    }
    root = await tree(files);
  });

  it('is deterministic per seed, stratified, and keeps at least one test image per person with >= 2', async () => {
    const split = { type: 'fraction', test: 0.3, seed: 7 } as const;
    const a = await loadImageFolder(root, { split });
    const b = await loadImageFolder(root, { split });
    expect(names(a.train)).toEqual(names(b.train));
    expect(names(a.test)).toEqual(names(b.test));
    expect(a.counts).toEqual({
      p1: { train: 7, test: 3 },
      p2: { train: 5, test: 2 },
      p3: { train: 1, test: 1 },
      p4: { train: 1, test: 0 },
    });
    // Every image lands in exactly one part.
    expect([...names(a.train), ...names(a.test)].sort()).toEqual(
      [...names((await loadImageFolder(root)).train)].sort(),
    );
  });

  it('changes with the seed', async () => {
    const runs = await Promise.all(
      [1, 2, 3, 4].map((seed) => loadImageFolder(root, { split: { type: 'fraction', test: 0.3, seed } })),
    );
    expect(new Set(runs.map((r) => names(r.test).join())).size).toBeGreaterThan(1);
  });

  it("keeps other people's split when a person is added", async () => {
    const split = { type: 'fraction', test: 0.3, seed: 7 } as const;
    const before = await loadImageFolder(root, { split });
    await mkdir(path.join(root, 'p0'));
    await writeFile(path.join(root, 'p0', '1.pgm'), grayPgm(2, 2, 0));
    await writeFile(path.join(root, 'p0', '2.pgm'), grayPgm(2, 2, 0));
    const after = await loadImageFolder(root, { split });
    expect(names(after.test).filter((n) => !n.startsWith('p0/'))).toEqual(names(before.test));
  });
});

describe('dataset errors', () => {
  const img = grayPgm(2, 2, 1);

  it('rejects a missing folder and a file, naming them', async () => {
    const dir = await makeTempDir();
    const missing = path.join(dir, 'nope');
    await expect(loadImageFolder(missing)).rejects.toMatchObject({ name: 'DatasetError', path: missing });
    const file = path.join(dir, 'file.pgm');
    await writeFile(file, img);
    await expect(loadImageFolder(file)).rejects.toThrow(/not a folder/);
  });

  it('rejects a folder without person folders', async () => {
    const root = await tree({ 'a.pgm': img, 'b.pgm': img });
    await expect(loadImageFolder(root)).rejects.toThrow(/no person folders/);
  });

  it('rejects a single person (recognition needs two)', async () => {
    const root = await tree({ 'solo/1.pgm': img, 'solo/2.pgm': img });
    const error = await loadImageFolder(root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as Error).message).toMatch(/at least 2 people/);
  });

  it('rejects an empty person folder, naming it', async () => {
    const root = await tree({ 'a/1.pgm': img, 'b/1.pgm': img, 'empty/notes.txt': 'x' });
    const error = await loadImageFolder(root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as DatasetError).path).toBe(path.join(root, 'empty'));
  });

  it('rejects a person whose only image is corrupt, even when skipping corrupt files', async () => {
    const root = await tree({ 'a/1.pgm': img, 'b/1.pgm': img, 'c/1.pgm': 'P5 broken' });
    await expect(loadImageFolder(root, { onCorrupt: 'skip' })).rejects.toThrow(/"c" has no readable images/);
  });

  it('minImagesPerPerson drops small and empty people and reports them', async () => {
    const root = await tree({
      'a/1.pgm': img, 'a/2.pgm': img, 'b/1.pgm': img, 'b/2.pgm': img, 'c/1.pgm': img, 'd/x.txt': 'x',
    });
    const data = await loadImageFolder(root, { minImagesPerPerson: 2 });
    expect(data.labels).toEqual(['a', 'b']);
    const dropped = data.skipped.filter((s) => /minImagesPerPerson/.test(s.reason)).map((s) => path.basename(s.file));
    expect(dropped).toEqual(['c', 'd']);
    await expect(loadImageFolder(root, { minImagesPerPerson: 3 })).rejects.toThrow(/found 0 person.*dropped by minImagesPerPerson/);
  });

  it('lists every corrupt image in one error, and marks each as corrupt when skipping', async () => {
    const root = await tree({ 'a/1.pgm': img, 'a/2.jpg': 'not a jpeg', 'b/1.pgm': img, 'b/2.png': 'not a png', 'b/3.pgm': 'P5 broken' });
    const error = await loadImageFolder(root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidImageError);
    expect((error as InvalidImageError).source).toBe(path.join(root, 'a', '2.jpg'));
    for (const f of ['a/2.jpg', 'b/2.png', 'b/3.pgm']) expect((error as Error).message).toContain(path.join(root, f));
    expect((error as Error).message).toMatch(/2 more corrupt image\(s\)/);
    const data = await loadImageFolder(root, { onCorrupt: 'skip' });
    expect(data.skipped.filter((s) => s.corrupt).map((s) => path.relative(root, s.file))).toEqual(['a/2.jpg', 'b/2.png', 'b/3.pgm'].map(path.normalize));
  });

  it('refuses a person folder called "unknown", the answer for faces that match nobody', async () => {
    const root = await tree({ 'a/1.pgm': img, 'unknown/1.pgm': img });
    const error = await loadImageFolder(root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as DatasetError).path).toBe(path.join(root, 'unknown'));
    expect((error as Error).message).toMatch(/may not be called "unknown"/);
  });

  it('orders person folders naturally', async () => {
    const root = await tree({ 's10/1.pgm': img, 's2/1.pgm': img, 's1/1.pgm': img });
    expect((await loadImageFolder(root)).labels).toEqual(['s1', 's2', 's10']);
  });
});

describe('loadImagesForPrediction', () => {
  it('loads files and folders in order, skipping non-images in folders', async () => {
    const root = await tree({ 'one.pgm': grayPgm(2, 2, 1), 'dir/10.pgm': grayPgm(2, 2, 10), 'dir/2.pgm': grayPgm(2, 2, 2), 'dir/n.txt': 'x' });
    const { images, skipped } = await loadImagesForPrediction([path.join(root, 'one.pgm'), path.join(root, 'dir')]);
    expect(images.map((i) => i.image.data[0])).toEqual([1, 2, 10]);
    expect(images[0]!.source).toBe(path.join(root, 'one.pgm'));
    expect(skipped.map((s) => path.basename(s.file))).toEqual(['n.txt']);
  });

  it('names a missing or corrupt file, or skips it on request', async () => {
    const root = await tree({ 'ok.pgm': grayPgm(2, 2, 1), 'bad.pgm': 'P5 nope' });
    const missing = path.join(root, 'missing.jpg');
    await expect(loadImagesForPrediction([missing])).rejects.toThrow(/missing\.jpg/);
    const { images, skipped } = await loadImagesForPrediction([path.join(root, 'ok.pgm'), path.join(root, 'bad.pgm')], {
      onCorrupt: 'skip',
    });
    expect(images).toHaveLength(1);
    expect(skipped.map((s) => path.basename(s.file))).toEqual(['bad.pgm']);
    await expect(loadImagesForPrediction([])).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('real ORL dataset', () => {
  it('splits first 5 / last 5 into 200 / 200', async () => {
    const data = await loadImageFolder(ORL_DIR, { split: { type: 'first', count: 5 } });
    expect(data.labels).toHaveLength(40);
    expect(data.labels.slice(0, 3)).toEqual(['s1', 's2', 's3']);
    expect(data.labels.at(-1)).toBe('s40');
    expect(data.train).toHaveLength(200);
    expect(data.test).toHaveLength(200);
    const s1 = (images: LabeledImage[]) => images.filter((i) => i.label === 's1').map((i) => path.basename(i.source!));
    expect(s1(data.train)).toEqual(['1.pgm', '2.pgm', '3.pgm', '4.pgm', '5.pgm']);
    expect(s1(data.test)).toEqual(['6.pgm', '7.pgm', '8.pgm', '9.pgm', '10.pgm']);
    expect(data.train.every((i) => i.image.width === 92 && i.image.height === 112 && i.image.channels === 1)).toBe(true);
    expect(data.skipped.map((s) => path.basename(s.file))).toEqual(['README.orig']);
  });
});
