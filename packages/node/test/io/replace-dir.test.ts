// replaceFolder: swaps in the new folder with the marker; a failure mid-write keeps the old one and leaves no temp folder.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replaceFolder } from '../../src/io/replace-dir.js';
import { FOLDER_MARKER, type FolderSpec } from '../../src/io/save-target.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';

afterAll(removeTempDirs);

/** A folder kind that writes `data.txt`; unmarked folders are never its own. */
const spec: FolderSpec = { kind: 'model', files: ['data.txt'], isUnmarked: async () => false };

describe('replaceFolder', () => {
  it('swaps in the new content with its marker and removes the old folder', async () => {
    const parent = await makeTempDir();
    const target = path.join(parent, 'model');
    await replaceFolder(target, spec, async (temp) => writeFile(path.join(temp, 'data.txt'), 'old'));
    await replaceFolder(target, spec, async (temp) => {
      expect(path.dirname(temp)).toBe(parent); // same filesystem as the target, so rename is atomic
      expect(path.basename(temp)).toMatch(new RegExp(`^\\.model\\.saving-${process.pid}-`));
      await writeFile(path.join(temp, 'data.txt'), 'new');
    });
    expect((await readdir(target)).sort()).toEqual(['data.txt', FOLDER_MARKER]);
    expect(await readFile(path.join(target, 'data.txt'), 'utf8')).toBe('new');
    expect(await readdir(parent)).toEqual(['model']);
  });

  it('a failure mid-write removes the half-written temp folder and keeps the old content', async () => {
    const parent = await makeTempDir();
    const target = path.join(parent, 'model');
    await replaceFolder(target, spec, async (temp) => writeFile(path.join(temp, 'data.txt'), 'old weights'));
    await expect(
      replaceFolder(target, spec, async (temp) => {
        await writeFile(path.join(temp, 'data.txt'), 'half');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(await readdir(parent)).toEqual(['model']);
    expect(await readFile(path.join(target, 'data.txt'), 'utf8')).toBe('old weights');
  });

  it('creates missing parents for a new target', async () => {
    const parent = await makeTempDir();
    const target = path.join(parent, 'a', 'b', 'model');
    await replaceFolder(target, spec, async (temp) => writeFile(path.join(temp, 'data.txt'), 'x'));
    expect((await readdir(target)).sort()).toEqual(['data.txt', FOLDER_MARKER]);
    expect(await readdir(path.join(parent, 'a', 'b'))).toEqual(['model']);
  });

  it('never calls fill for a folder it would refuse', async () => {
    const target = path.join(await makeTempDir(), 'mine');
    await mkdir(target);
    await writeFile(path.join(target, 'data.txt'), 'a file with the right name, but no marker');
    let filled = false;
    await expect(replaceFolder(target, spec, async () => void (filled = true))).rejects.toThrow(/not a model facerec saved/);
    expect(filled).toBe(false);
    expect(await readdir(target)).toEqual(['data.txt']);
  });
});
