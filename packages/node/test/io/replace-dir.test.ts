// replaceDirectory: a failure while filling the new folder leaves the old one untouched and no temp folder.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replaceDirectory } from '../../src/io/replace-dir.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';

afterAll(removeTempDirs);

describe('replaceDirectory', () => {
  it('swaps in the new content and removes the old folder', async () => {
    const parent = await makeTempDir();
    const target = path.join(parent, 'model');
    await mkdir(target);
    await writeFile(path.join(target, 'old.txt'), 'old');
    await replaceDirectory(target, async (temp) => {
      expect(path.dirname(temp)).toBe(parent); // same filesystem as the target, so rename is atomic
      await writeFile(path.join(temp, 'new.txt'), 'new');
    });
    expect(await readdir(target)).toEqual(['new.txt']);
    expect(await readdir(parent)).toEqual(['model']);
  });

  it('a failure mid-write removes the half-written temp folder and keeps the old content', async () => {
    const parent = await makeTempDir();
    const target = path.join(parent, 'model');
    await mkdir(target);
    await writeFile(path.join(target, 'weights.bin'), 'old weights');
    await expect(
      replaceDirectory(target, async (temp) => {
        await writeFile(path.join(temp, 'weights.bin'), 'half');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(await readdir(parent)).toEqual(['model']);
    expect(await readFile(path.join(target, 'weights.bin'), 'utf8')).toBe('old weights');
  });

  it('creates missing parents for a new target', async () => {
    const parent = await makeTempDir();
    const target = path.join(parent, 'a', 'b', 'model');
    await replaceDirectory(target, async (temp) => writeFile(path.join(temp, 'x'), 'x'));
    expect(await readdir(target)).toEqual(['x']);
    expect(await readdir(path.join(parent, 'a', 'b'))).toEqual(['model']);
  });
});
