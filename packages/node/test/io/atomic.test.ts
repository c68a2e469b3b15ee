// writeFileAtomic / writeJsonFile / readJsonFile: content, replacement, no leftovers, errors naming the file.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FacerecError } from '@facerec/core';
import { readJsonFile, writeFileAtomic, writeJsonFile } from '../../src/io/index.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';

afterAll(removeTempDirs);

describe('atomic file helpers', () => {
  it('writes text and bytes, replaces existing files, creates parents and leaves no temp files', async () => {
    const dir = await makeTempDir();
    const file = path.join(dir, 'out', 'report.txt');
    await writeFileAtomic(file, 'first');
    await writeFileAtomic(file, new Uint8Array([104, 105]));
    expect(await readFile(file, 'utf8')).toBe('hi');
    expect(await readdir(path.dirname(file))).toEqual(['report.txt']);
  });

  it('round-trips JSON', async () => {
    const file = path.join(await makeTempDir(), 'eval.json');
    const value = { accuracy: 0.95, labels: ['s1', 's2'], nested: { n: null } };
    await writeJsonFile(file, value);
    expect(await readJsonFile(file)).toEqual(value);
    expect((await readFile(file, 'utf8')).endsWith('}\n')).toBe(true);
  });

  it('names the file when reading fails or JSON is invalid', async () => {
    const dir = await makeTempDir();
    const missing = path.join(dir, 'missing.json');
    await expect(readJsonFile(missing)).rejects.toThrow(/missing\.json.*ENOENT/);
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, '{"a": ');
    await expect(readJsonFile(bad)).rejects.toThrow(FacerecError);
    await expect(readJsonFile(bad)).rejects.toThrow(/bad\.json is not valid JSON/);
  });

  it('fails with the file named and no temp file when the folder cannot be created', async () => {
    const dir = await makeTempDir();
    await writeFile(path.join(dir, 'file'), 'x');
    const target = path.join(dir, 'file', 'out.json');
    await expect(writeFileAtomic(target, '{}')).rejects.toThrow(/out\.json/);
    expect(await readdir(dir)).toEqual(['file']);
  });
});
