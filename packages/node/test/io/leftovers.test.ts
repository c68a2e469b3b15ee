// What killed writers leave beside a target: dead writers' temp folders are removed by the next save, live ones kept,
// and a swap cut between its two renames is undone so the previous folder is loadable again.
import { mkdir, readdir, rename, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSystemHandler, writeFileAtomic } from '../../src/io/index.js';
import { parseLeftover } from '../../src/io/leftovers.js';
import { hostTag } from '../../src/io/process-alive.js';
import { deadPid } from '../fixtures/processes.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(removeTempDirs);

function makeModel(seed: number): tfl.Sequential {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ inputShape: [3], units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed }) }));
  return model;
}
const predict = (model: tfl.LayersModel): number[] => tf.tidy(() => Array.from((model.predict(tf.ones([1, 3])) as tf.Tensor).dataSync()));

async function makeFolder(dir: string, files: Record<string, string> = { 'half.bin': 'half written' }): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
}

describe('leftovers of killed writers', () => {
  it('temp names carry pid and host, and parse back', () => {
    expect(parseLeftover('model', `.model.saving-123-${hostTag()}-0a1b2c3d`)).toEqual({ tag: 'saving', pid: 123, host: hostTag() });
    expect(parseLeftover('model', '.model.old-77-deadbeef')).toEqual({ tag: 'old', pid: 77, host: undefined });
    expect(parseLeftover('model', '.model.saving-Ab3xYz')).toEqual({ tag: 'saving', pid: undefined, host: undefined });
    expect(parseLeftover('model', '.modelx.saving-1-h-0a1b2c3d')).toBeUndefined();
    expect(parseLeftover('model', 'model')).toBeUndefined();
  });

  it('the next save removes dead writers\' temp folders and keeps live, foreign-host and recent unnamed ones', async () => {
    const parent = await makeTempDir();
    const dir = path.join(parent, 'model');
    await makeModel(1).save(fileSystemHandler(dir));
    const dead = await deadPid();
    const host = hostTag();
    const deadSaving = `.model.saving-${dead}-${host}-0000000a`;
    const deadOld = `.model.old-${dead}-${host}-0000000b`;
    const liveSaving = `.model.saving-${process.ppid}-${host}-0000000c`; // the test runner: alive
    const otherHost = `.model.saving-${dead}-another-machine-0000000d`;
    const legacyOld = '.model.saving-AbCdEf';
    const legacyNew = '.model.saving-GhIjKl';
    const unrelated = '.model-notes';
    for (const name of [deadSaving, deadOld, liveSaving, otherHost, legacyOld, legacyNew, unrelated]) await makeFolder(path.join(parent, name));
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(path.join(parent, legacyOld), twoHoursAgo, twoHoursAgo);

    await makeModel(2).save(fileSystemHandler(dir));
    expect((await readdir(parent)).sort()).toEqual([unrelated, legacyNew, liveSaving, otherHost, 'model'].sort());
    expect(predict(await tfl.loadLayersModel(fileSystemHandler(dir)))).toEqual(predict(makeModel(2)));
  });

  it('a swap killed between its renames is undone: the previous model loads, and the next save leaves nothing', async () => {
    const parent = await makeTempDir();
    const dir = path.join(parent, 'model');
    await makeModel(1).save(fileSystemHandler(dir));
    const dead = await deadPid();
    const host = hostTag();
    // What a writer leaves when killed after moving the old folder aside and before moving its own in.
    await rename(dir, path.join(parent, `.model.old-${dead}-${host}-00000001`));
    await makeFolder(path.join(parent, `.model.saving-${dead}-${host}-00000002`), { 'model.json': '{"complete": "but never moved in"}' });

    expect(predict(await tfl.loadLayersModel(fileSystemHandler(dir)))).toEqual(predict(makeModel(1)));
    await makeModel(3).save(fileSystemHandler(dir));
    expect(await readdir(parent)).toEqual(['model']);
  });

  it('a load while a running writer is between its renames waits for the folder instead of failing', async () => {
    const parent = await makeTempDir();
    const dir = path.join(parent, 'model');
    await makeModel(1).save(fileSystemHandler(dir));
    const aside = path.join(parent, `.model.old-${process.ppid}-${hostTag()}-00000001`); // the test runner: alive
    await rename(dir, aside);
    setTimeout(() => void rename(aside, dir), 200);
    expect(predict(await tfl.loadLayersModel(fileSystemHandler(dir)))).toEqual(predict(makeModel(1)));
  });

  it('an old folder alone (the swap had finished) is never brought back over a deleted target', async () => {
    const parent = await makeTempDir();
    const dead = await deadPid();
    await makeFolder(path.join(parent, `.model.old-${dead}-${hostTag()}-00000001`));
    const dir = path.join(parent, 'model');
    await expect(tfl.loadLayersModel(fileSystemHandler(dir))).rejects.toThrow(/not found/);
    await makeModel(1).save(fileSystemHandler(dir));
    expect(await readdir(parent)).toEqual(['model']);
  });

  it('writeFileAtomic removes temp files of dead writers of the same file', async () => {
    const parent = await makeTempDir();
    const dead = await deadPid();
    await writeFile(path.join(parent, `.eval.json.tmp-${dead}-${hostTag()}-00000001`), '{"half');
    await writeFile(path.join(parent, `.eval.json.tmp-${process.ppid}-${hostTag()}-00000002`), '{"live');
    await writeFileAtomic(path.join(parent, 'eval.json'), '{}');
    expect((await readdir(parent)).sort()).toEqual([`.eval.json.tmp-${process.ppid}-${hostTag()}-00000002`, 'eval.json']);
  });
});
