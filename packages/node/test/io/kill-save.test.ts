// A process killed (kill -9) at a random moment of a model-save loop never loses the model saved before, and the next
// save leaves no temp folder behind. Needs the built @facerec/node (the child imports it).
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSystemHandler } from '../../src/io/index.js';
import { killAfterReady } from '../fixtures/processes.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(removeTempDirs);

// Version v of the model has every weight equal to v and says so in its metadata: a mix of two saves shows.
const script = `
  import * as tf from '@tensorflow/tfjs-core';
  import '@tensorflow/tfjs-backend-cpu';
  import * as tfl from '@tensorflow/tfjs-layers';
  import { fileSystemHandler } from '@facerec/node';
  await tf.setBackend('cpu');
  const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [512], units: 1024 })] });
  for (let v = 1; ; v++) {
    model.setWeights(model.getWeights().map((w) => tf.fill(w.shape, v)));
    model.setUserDefinedMetadata({ version: v });
    await model.save(fileSystemHandler(process.argv[1]));
    if (v === 1) console.log('ready');
  }
`;

/** The version of the model in `dir`, after checking every weight belongs to it. */
async function savedVersion(dir: string): Promise<number> {
  const model = await tfl.loadLayersModel(fileSystemHandler(dir));
  const version = (model.getUserDefinedMetadata() as { version: number }).version;
  for (const w of model.getWeights()) expect(new Set(w.dataSync())).toEqual(new Set([version]));
  model.dispose();
  return version;
}

describe('model saves killed with SIGKILL', () => {
  it('keep the last complete model loadable, and the next save cleans up', async () => {
    const parent = await makeTempDir();
    const dir = path.join(parent, 'model');
    const delays = Array.from({ length: 3 }, () => Math.floor(Math.random() * 300));
    for (const delay of delays) {
      await killAfterReady(script, [dir], delay);
      const version = await savedVersion(dir);
      expect(version, `killed ${delay} ms after the first save`).toBeGreaterThanOrEqual(1);
      const next = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 1 })] });
      await next.save(fileSystemHandler(dir));
      next.dispose();
      expect(await readdir(parent), `killed ${delay} ms after the first save`).toEqual(['model']);
    }
  }, 60_000);
});
