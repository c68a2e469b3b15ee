// Model folders: save/load round trip with a real tfjs model, atomic replacement, and format errors.
import { mkdir, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FacerecError, ModelFormatError } from '@facerec/core';
import { FOLDER_MARKER, fileSystemHandler } from '../../src/io/index.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(removeTempDirs);

function makeModel(seed: number): tfl.Sequential {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ inputShape: [4], units: 3, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed }) }));
  model.add(tfl.layers.dense({ units: 2, biasInitializer: 'ones' }));
  return model;
}

const input = (): tf.Tensor => tf.tensor2d([[1, 2, 3, 4], [-1, 0.5, 2, -3]]);
const predict = (model: tfl.LayersModel): number[] => Array.from((model.predict(input()) as tf.Tensor).dataSync());

/** Entries of `dir` that look like leftovers of a save (hidden temp or old folders). */
async function leftovers(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith('.'));
}

describe('fileSystemHandler', () => {
  it('saves model.json + weights.bin and loads identical predictions and metadata', async () => {
    const parent = await makeTempDir();
    const dir = path.join(parent, 'models', 'orl');
    const model = makeModel(1);
    const metadata = { facerec: { labels: ['s1', 's2'], inputSize: [4] } };
    model.setUserDefinedMetadata(metadata);
    const result = await model.save(fileSystemHandler(dir));
    expect(result.modelArtifactsInfo.modelTopologyType).toBe('JSON');
    expect(result.modelArtifactsInfo.weightDataBytes).toBe((4 * 3 + 3 + 3 * 2 + 2) * 4);

    expect((await readdir(dir)).sort()).toEqual([FOLDER_MARKER, 'model.json', 'weights.bin']);
    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as Record<string, unknown>;
    expect(json.format).toBe('layers-model');
    expect(json.generatedBy).toMatch(/TensorFlow\.js/);
    expect(json).toHaveProperty('convertedBy', null);
    expect(json.userDefinedMetadata).toEqual(metadata);
    const manifest = json.weightsManifest as Array<{ paths: string[]; weights: unknown[] }>;
    expect(manifest).toHaveLength(1);
    expect(manifest[0]!.paths).toEqual(['weights.bin']);
    expect(manifest[0]!.weights).toHaveLength(4);
    expect(json.modelTopology).toHaveProperty('class_name', 'Sequential');

    const loaded = await tfl.loadLayersModel(fileSystemHandler(dir));
    expect(predict(loaded)).toEqual(predict(model));
    expect(loaded.getUserDefinedMetadata()).toEqual(metadata);
    // Loading through the model.json path works too.
    const viaJson = await tfl.loadLayersModel(fileSystemHandler(path.join(dir, 'model.json')));
    expect(predict(viaJson)).toEqual(predict(model));
    expect(await leftovers(path.join(parent, 'models'))).toEqual([]);
  });

  it('replaces an existing model folder and leaves nothing behind', async () => {
    const parent = await makeTempDir();
    const dir = path.join(parent, 'model');
    await makeModel(1).save(fileSystemHandler(dir));
    const second = makeModel(2);
    await second.save(fileSystemHandler(dir));
    expect((await readdir(dir)).sort()).toEqual([FOLDER_MARKER, 'model.json', 'weights.bin']);
    expect(predict(await tfl.loadLayersModel(fileSystemHandler(dir)))).toEqual(predict(second));
    expect(await readdir(parent)).toEqual(['model']);
  });

  it('a save that fails leaves no temp folder and keeps the previous model intact', async () => {
    const parent = await makeTempDir();
    const dir = path.join(parent, 'model');
    const original = makeModel(3);
    await original.save(fileSystemHandler(dir));
    // JSON.stringify throws on a BigInt.
    let artifacts: tf.io.ModelArtifacts | undefined;
    await makeModel(4).save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
      }),
    );
    const broken = { ...artifacts!, userDefinedMetadata: { bad: BigInt(1) as unknown as number } };
    await expect(fileSystemHandler(dir).save!(broken)).rejects.toThrow(FacerecError);
    expect(await readdir(parent)).toEqual(['model']);
    expect(predict(await tfl.loadLayersModel(fileSystemHandler(dir)))).toEqual(predict(original));
  });

  it('fails cleanly when the target is under a file', async () => {
    const parent = await makeTempDir();
    await writeFile(path.join(parent, 'file.txt'), 'x');
    await expect(makeModel(1).save(fileSystemHandler(path.join(parent, 'file.txt', 'model')))).rejects.toThrow(
      /Cannot save model/,
    );
    await expect(makeModel(1).save(fileSystemHandler(path.join(parent, 'file.txt')))).rejects.toThrow(/not a folder/);
    expect(await readdir(parent)).toEqual(['file.txt']);
    expect(await readFile(path.join(parent, 'file.txt'), 'utf8')).toBe('x');
  });

  describe('load errors', () => {
    let dir: string;
    beforeAll(async () => {
      dir = path.join(await makeTempDir(), 'model');
    });
    async function freshModel(): Promise<void> {
      await rm(dir, { recursive: true, force: true });
      await makeModel(1).save(fileSystemHandler(dir));
    }
    async function loadError(target = dir): Promise<ModelFormatError> {
      const error = await tfl.loadLayersModel(fileSystemHandler(target)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelFormatError);
      return error as ModelFormatError;
    }

    it('truncated weights.bin', async () => {
      await freshModel();
      await truncate(path.join(dir, 'weights.bin'), 10);
      const error = await loadError();
      expect(error.source).toBe(path.join(dir, 'weights.bin'));
      expect(error.message).toMatch(/truncated: has 10 bytes.*needs 92/);
    });

    it('weights.bin larger than the manifest', async () => {
      await freshModel();
      await writeFile(path.join(dir, 'weights.bin'), new Uint8Array(200));
      expect((await loadError()).message).toMatch(/larger than expected/);
    });

    it('missing weights.bin', async () => {
      await freshModel();
      await rm(path.join(dir, 'weights.bin'));
      expect((await loadError()).source).toBe(path.join(dir, 'weights.bin'));
    });

    it('missing model.json, missing folder, and a plain file', async () => {
      await freshModel();
      await rm(path.join(dir, 'model.json'));
      const error = await loadError();
      expect(error.source).toBe(path.join(dir, 'model.json'));
      expect(error.message).toMatch(/ENOENT/);
      expect((await loadError(path.join(dir, 'nope'))).message).toMatch(/not found/);
      expect((await loadError(path.join(dir, 'weights.bin'))).message).toMatch(/expected a model folder/);
    });

    it('invalid JSON and missing or malformed fields', async () => {
      await freshModel();
      const jsonPath = path.join(dir, 'model.json');
      const good = JSON.parse(await readFile(jsonPath, 'utf8')) as Record<string, unknown>;
      const cases: Array<[string, RegExp]> = [
        ['{ not json', /invalid JSON/],
        ['[1, 2]', /expected a JSON object/],
        [JSON.stringify({ ...good, modelTopology: undefined }), /modelTopology/],
        [JSON.stringify({ ...good, weightsManifest: undefined }), /weightsManifest/],
        [JSON.stringify({ ...good, weightsManifest: [{ paths: ['../escape.bin'], weights: [] }] }), /bad path/],
        [JSON.stringify({ ...good, weightsManifest: [{ paths: ['weights.bin'], weights: [{ name: 'w', dtype: 'float64', shape: [1] }] }] }), /unknown dtype/],
      ];
      for (const [text, pattern] of cases) {
        await writeFile(jsonPath, text);
        const error = await loadError();
        expect(error.source).toBe(jsonPath);
        expect(error.message).toMatch(pattern);
      }
    });
  });

  it('refuses weight data that does not match the specs when saving', async () => {
    const parent = await makeTempDir();
    const handler = fileSystemHandler(path.join(parent, 'm'));
    await expect(
      handler.save!({
        modelTopology: {},
        weightSpecs: [{ name: 'w', shape: [4], dtype: 'float32' }],
        weightData: new ArrayBuffer(8),
      }),
    ).rejects.toBeInstanceOf(ModelFormatError);
    await mkdir(path.join(parent, 'still-empty'));
    expect((await readdir(parent)).sort()).toEqual(['still-empty']);
  });
});
