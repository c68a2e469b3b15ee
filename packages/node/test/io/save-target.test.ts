// A model save replaces only a missing, empty or facerec model folder; anything else is refused with nothing changed.
import { mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FOLDER_MARKER, SaveTargetError, fileSystemHandler } from '../../src/io/index.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(removeTempDirs);

function makeModel(seed: number): tfl.Sequential {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ inputShape: [4], units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed }) }));
  return model;
}

/** Every file under `dir` with its content: what a refused save must leave exactly as it was. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, full)] = entry.isFile() ? await readFile(full, 'utf8') : '<dir>';
  }
  return out;
}

async function refusal(dir: string): Promise<SaveTargetError> {
  const error = await makeModel(1).save(fileSystemHandler(dir)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SaveTargetError);
  return error as SaveTargetError;
}

describe('model saves only replace what facerec wrote', () => {
  it('refuses a folder of someone else\'s files, naming it and a few entries, and changes nothing', async () => {
    const parent = await makeTempDir();
    const photos = path.join(parent, 'photos');
    await mkdir(path.join(photos, 'alice'), { recursive: true });
    await writeFile(path.join(photos, 'alice', 'a.jpg'), 'jpeg bytes');
    await writeFile(path.join(photos, 'notes.txt'), 'mine');
    const before = await snapshot(parent);
    const error = await refusal(photos);
    expect(error.path).toBe(photos);
    expect(error.message).toContain(photos);
    expect(error.message).toMatch(/alice, notes\.txt/);
    expect(error.unexpected).toEqual(['alice', 'notes.txt']);
    expect(await snapshot(parent)).toEqual(before);
  });

  it('refuses a marked model folder that also holds a file facerec did not write', async () => {
    const dir = path.join(await makeTempDir(), 'model');
    await makeModel(1).save(fileSystemHandler(dir));
    await writeFile(path.join(dir, 'README.txt'), 'my notes about this model');
    const before = await snapshot(dir);
    expect((await refusal(dir)).message).toMatch(/README\.txt/);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('refuses a file, the current folder, a gallery folder and an unknown model.json', async () => {
    const parent = await makeTempDir();
    const file = path.join(parent, 'file.txt');
    await writeFile(file, 'x');
    expect((await refusal(file)).message).toMatch(/not a folder/);
    expect(await readFile(file, 'utf8')).toBe('x');

    const cwd = process.cwd();
    const empty = path.join(parent, 'empty');
    await mkdir(empty);
    process.chdir(empty);
    try {
      expect((await refusal('.')).message).toMatch(/current folder/);
      expect((await refusal('..')).message).toMatch(/current folder/);
    } finally {
      process.chdir(cwd);
    }
    expect((await readdir(parent)).sort()).toEqual(['empty', 'file.txt']);

    const gallery = path.join(parent, 'gallery');
    await mkdir(gallery);
    await writeFile(path.join(gallery, FOLDER_MARKER), JSON.stringify({ kind: 'gallery', formatVersion: 1 }));
    await writeFile(path.join(gallery, 'gallery.json'), '{}');
    expect((await refusal(gallery)).message).toMatch(/holds a facerec gallery, not a model/);

    // A model.json that names other weight files is not one fileSystemHandler wrote.
    const other = path.join(parent, 'other');
    await mkdir(other);
    await writeFile(path.join(other, 'model.json'), JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [] }] }));
    await refusal(other);
    expect(await readdir(other)).toEqual(['model.json']);
  });

  it('replaces a missing, empty, marked or older unmarked model folder, and writes the marker', async () => {
    const parent = await makeTempDir();
    const fresh = path.join(parent, 'a', 'model');
    await makeModel(1).save(fileSystemHandler(fresh));
    expect((await readdir(fresh)).sort()).toEqual([FOLDER_MARKER, 'model.json', 'weights.bin']);
    expect(JSON.parse(await readFile(path.join(fresh, FOLDER_MARKER), 'utf8'))).toMatchObject({ kind: 'model', formatVersion: 1 });
    await makeModel(2).save(fileSystemHandler(fresh)); // marked: replaced

    const empty = path.join(parent, 'empty');
    await mkdir(empty);
    await writeFile(path.join(empty, '.DS_Store'), 'finder metadata');
    await makeModel(1).save(fileSystemHandler(empty));

    // A folder saved before the marker existed: model.json + weights.bin only.
    const legacy = path.join(parent, 'legacy');
    await makeModel(3).save(fileSystemHandler(legacy));
    await rm(path.join(legacy, FOLDER_MARKER));
    await makeModel(4).save(fileSystemHandler(legacy));
    expect((await readdir(legacy)).sort()).toEqual([FOLDER_MARKER, 'model.json', 'weights.bin']);
    expect((await readdir(parent)).sort()).toEqual(['a', 'empty', 'legacy']);
  });

  it('saves through a symbolic link into the folder it points to, keeping the link', async () => {
    const parent = await makeTempDir();
    const real = path.join(parent, 'v1');
    await makeModel(1).save(fileSystemHandler(real));
    const link = path.join(parent, 'current');
    await symlink(real, link);
    await makeModel(2).save(fileSystemHandler(link));
    expect((await readdir(parent)).sort()).toEqual(['current', 'v1']);
    expect((await readdir(link)).sort()).toEqual([FOLDER_MARKER, 'model.json', 'weights.bin']);
  });
});
