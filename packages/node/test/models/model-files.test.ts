// Model loading from folders: the installed npm packages by default, clear ModelFormatErrors for wrong or truncated files.
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { DETECTOR_FILE, DLIB, ModelFormatError, initBackend, loadEmbeddingNet, loadFacePipeline, locateModelDir } from '@facerec/node';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';

let human = '';
let faceapi = '';
beforeAll(async () => {
  await initBackend('wasm');
  human = locateModelDir();
  faceapi = locateModelDir(undefined, '@vladmandic/face-api');
});
afterAll(removeTempDirs);

/** A folder with the detector's model.json and a weight file made by `weights`. */
async function detectorFolder(weights: (original: Buffer) => Buffer | Promise<Buffer>): Promise<string> {
  const dir = await makeTempDir('facerec-models-');
  await copyFile(path.join(human, `${DETECTOR_FILE}.json`), path.join(dir, `${DETECTOR_FILE}.json`));
  await writeFile(path.join(dir, `${DETECTOR_FILE}.bin`), await weights(await readFile(path.join(human, `${DETECTOR_FILE}.bin`))));
  return dir;
}

describe('model folders', () => {
  it('finds the models in the installed npm packages and loads a working pipeline without leaking tensors', async () => {
    expect(human).toMatch(/human-models[/\\]models$/);
    expect(faceapi).toMatch(/face-api[/\\]model$/);
    const before = tf.memory().numTensors;
    const pipeline = await loadFacePipeline({ preset: 'mobileface' });
    expect(pipeline.embedder.spec.name).toBe('mobileface');
    const faces = await pipeline.embedFaces({ data: new Uint8Array(64 * 64 * 3).fill(128), width: 64, height: 64, channels: 3 });
    expect(faces).toEqual([]); // a flat grey square holds no face
    pipeline.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names a truncated weight file', async () => {
    const dir = await detectorFolder((b) => b.subarray(0, b.length - 1000));
    const error = await loadFacePipeline({ modelDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFormatError);
    expect((error as Error).message).toMatch(new RegExp(`${DETECTOR_FILE}\\.json.*truncated: 200268 bytes, the manifest needs 201268`));
  });

  it('names a wrong weight file (another model\'s weights)', async () => {
    const dir = await detectorFolder(() => readFile(path.join(human, 'mobileface.bin')));
    await expect(loadFacePipeline({ modelDir: dir })).rejects.toThrow(/too long: 2183192 bytes, the manifest needs 201268/);
  });

  it('names a model.json that is not JSON, a missing weight file and a missing folder', async () => {
    const dir = await detectorFolder((b) => b);
    await writeFile(path.join(dir, `${DETECTOR_FILE}.json`), '{"modelTopology": ');
    await expect(loadFacePipeline({ modelDir: dir })).rejects.toThrow(/facemesh-detection-short\.json: is not valid JSON/);
    const missing = await makeTempDir('facerec-models-');
    await copyFile(path.join(human, `${DETECTOR_FILE}.json`), path.join(missing, `${DETECTOR_FILE}.json`));
    await expect(loadFacePipeline({ modelDir: missing })).rejects.toThrow(/facemesh-detection-short\.bin: cannot be read \(ENOENT\)/);
    await expect(loadFacePipeline({ modelDir: path.join(missing, 'nope') })).rejects.toThrow(ModelFormatError);
  });

  it('loads what each preset names: embedder and whether the face mesh refines landmarks', async () => {
    const before = tf.memory().numTensors;
    const expected = { default: ['dlib', true], fast: ['dlib', false], mobileface: ['mobileface', false], faceres: ['faceres', true] } as const;
    for (const [preset, [embedder, mesh]] of Object.entries(expected)) {
      const pipeline = await loadFacePipeline({ preset: preset as keyof typeof expected });
      expect([preset, pipeline.embedder.spec.name, pipeline.refiner !== undefined]).toEqual([preset, embedder, mesh]);
      pipeline.dispose();
    }
    const meshed = await loadFacePipeline({ preset: 'fast', mesh: true });
    expect(meshed.refiner).toBeDefined();
    meshed.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(loadFacePipeline({ preset: 'tiny' as never })).rejects.toThrow(/unknown preset "tiny"; use default, fast, mobileface, faceres/);
  });

  it('checks face-api\'s ResNet-34 weights too', async () => {
    const dir = await makeTempDir('facerec-models-');
    const manifest = `${DLIB.file}-weights_manifest.json`;
    await copyFile(path.join(faceapi, manifest), path.join(dir, manifest));
    const bin = await readFile(path.join(faceapi, `${DLIB.file}.bin`));
    await writeFile(path.join(dir, `${DLIB.file}.bin`), bin.subarray(0, 5000));
    await expect(loadEmbeddingNet(DLIB, dir)).rejects.toThrow(/face_recognition_model-weights_manifest\.json.*truncated/);
    await writeFile(path.join(dir, manifest), JSON.stringify([{ paths: [`${DLIB.file}.bin`], weights: [{ name: 'x', shape: [1250], dtype: 'float32' }] }]));
    await expect(loadEmbeddingNet(DLIB, dir)).rejects.toThrow(/weight conv32_down\/conv\/filters is missing/);
  });
});
