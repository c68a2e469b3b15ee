// Model loading from folders: the installed npm packages by default, clear ModelFormatErrors for wrong or truncated files.
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { DETECTOR_FILE, DLIB, MESH_FILE, MOBILEFACE, MOBILEFACENET, ModelFormatError, initBackend, loadEmbeddingNet, loadFacePipeline, locateModelDir } from '@facerec/node';
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

/** Adds dlib's ResNet-34 files to `dir`, so a pipeline loads past the detector. */
async function withDlib(dir: string): Promise<string> {
  for (const f of [`${DLIB.file}-weights_manifest.json`, `${DLIB.file}.bin`]) await copyFile(path.join(faceapi, f), path.join(dir, f));
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

  it('loads what each preset names: embedder, and whether the face mesh refines landmarks or only checks faces', async () => {
    const before = tf.memory().numTensors;
    const expected = { default: ['dlib', true, false], fast: ['dlib', false, true], mobileface: ['mobileface', false, true], faceres: ['faceres', true, false], accurate: ['dlib+mobilefacenet', true, false] } as const;
    for (const [preset, [embedder, mesh, check]] of Object.entries(expected)) {
      const pipeline = await loadFacePipeline({ preset: preset as keyof typeof expected });
      expect([preset, pipeline.embedder.spec.name, pipeline.refiner !== undefined, pipeline.checker !== undefined]).toEqual([preset, embedder, mesh, check]);
      pipeline.dispose();
    }
    const meshed = await loadFacePipeline({ preset: 'fast', mesh: true });
    expect([meshed.refiner !== undefined, meshed.checker]).toEqual([true, undefined]);
    meshed.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(loadFacePipeline({ preset: 'tiny' as never })).rejects.toThrow(/unknown preset "tiny"; use default, fast, mobileface, faceres, accurate/);
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

  it('names a truncated or foreign TFLite file', async () => {
    const dir = await makeTempDir('facerec-models-');
    const file = path.join(dir, `${MOBILEFACENET.file}.tflite`);
    const bytes = await readFile(path.join(locateModelDir(undefined, MOBILEFACENET.package), `${MOBILEFACENET.file}.tflite`));
    await writeFile(file, bytes.subarray(0, bytes.length - 4096));
    await expect(loadEmbeddingNet(MOBILEFACENET, dir)).rejects.toThrow(/MobileFaceNet\.tflite: .*truncated/);
    await copyFile(path.join(faceapi, `${DLIB.file}.bin`), file);
    await expect(loadEmbeddingNet(MOBILEFACENET, dir)).rejects.toThrow(/MobileFaceNet\.tflite: is not a TFLite file/);
  });

  // Files of the right size but another model's content: each must fail at load, naming the file.
  describe('right size, wrong content', () => {
    /** The detector's weight file with `edit` applied to a copy of its bytes. */
    const editedDetector = (edit: (bytes: Buffer, json: { weightsManifest: WeightManifestJson }) => void) => detectorFolder(async (b) => {
      const json = JSON.parse(await readFile(path.join(human, `${DETECTOR_FILE}.json`), 'utf8')) as { weightsManifest: WeightManifestJson };
      const copy = Buffer.from(b);
      edit(copy, json);
      return copy;
    });

    it('rejects detector weights that are another model\'s bytes cut to the same size', async () => {
      const dir = await withDlib(await detectorFolder(async (b) => (await readFile(path.join(human, 'mobileface.bin'))).subarray(0, b.length)));
      const error = await loadFacePipeline({ modelDir: dir, preset: 'fast' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelFormatError);
      expect((error as ModelFormatError).source).toBe(path.join(dir, `${DETECTOR_FILE}.json`));
      expect((error as Error).message).toMatch(/corrupt or belongs to another model/);
    });

    it('rejects a shape constant of the detector overwritten with garbage (it made a kernel read out of bounds)', async () => {
      const dir = await withDlib(await editedDetector((bytes, json) => {
        const { offset, entry } = weightOffset(json, (w) => w.dtype === 'int32');
        bytes.writeInt32LE(0x3f800000, offset); // 1.0f read as an int: what float bytes look like there
        expect(entry.dtype).toBe('int32');
      }));
      await expect(loadFacePipeline({ modelDir: dir, preset: 'fast' })).rejects.toThrow(/facemesh-detection-short\.json: weight .* holds the shape constant 1065353216/);
    });

    it('rejects a face-mesh model.json swapped for the detector\'s, naming it', async () => {
      const dir = await withDlib(await detectorFolder((b) => b));
      await copyFile(path.join(human, `${DETECTOR_FILE}.json`), path.join(dir, `${MESH_FILE}.json`));
      const before = tf.memory().numTensors;
      const error = await loadFacePipeline({ modelDir: dir, preset: 'default' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelFormatError);
      expect((error as Error).message).toContain(`${path.join(dir, MESH_FILE)}.json: takes input [-1, 128, 128, 3] but the face mesh takes [-1, 192, 192, 3]`);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('rejects an embedder whose model.json is another embedder\'s', async () => {
      const dir = await makeTempDir('facerec-models-');
      await copyFile(path.join(human, 'faceres.json'), path.join(dir, `${MOBILEFACE.file}.json`));
      await copyFile(path.join(human, 'faceres.bin'), path.join(dir, 'faceres.bin'));
      await expect(loadEmbeddingNet(MOBILEFACE, dir)).rejects.toThrow(/mobileface\.json: takes input \[-1, 224, 224, 3\] but the mobileface embedder takes \[-1, 112, 112, 3\]/);
    });

    it('rejects dlib weights with a wrong shape or NaN values', async () => {
      const dir = await makeTempDir('facerec-models-');
      const manifestFile = path.join(dir, `${DLIB.file}-weights_manifest.json`);
      const manifest = JSON.parse(await readFile(path.join(faceapi, `${DLIB.file}-weights_manifest.json`), 'utf8')) as WeightManifestJson;
      const bin = await readFile(path.join(faceapi, `${DLIB.file}.bin`));
      await writeFile(path.join(dir, `${DLIB.file}.bin`), bin);
      const fc = manifest[0]!.weights.find((w) => w.name === 'fc')!;
      fc.shape = [128, 256]; // the same bytes, transposed
      await writeFile(manifestFile, JSON.stringify(manifest));
      await expect(loadEmbeddingNet(DLIB, dir)).rejects.toThrow(/weight fc has shape \[128, 256\], dlib's ResNet-34 needs \[256, 128\]/);
      fc.shape = [256, 128];
      await writeFile(manifestFile, JSON.stringify(manifest));
      const { offset } = weightOffset(manifest, (w) => w.quantization === undefined && w.dtype === 'float32');
      const nan = Buffer.from(bin);
      nan.writeFloatLE(Number.NaN, offset);
      await writeFile(path.join(dir, `${DLIB.file}.bin`), nan);
      const before = tf.memory().numTensors;
      await expect(loadEmbeddingNet(DLIB, dir)).rejects.toThrow(/face_recognition_model-weights_manifest\.json: weight .* holds NaN or infinite values/);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});

interface WeightEntryJson { name: string; shape: number[]; dtype: string; quantization?: { dtype: string } }
type WeightManifestJson = Array<{ paths: string[]; weights: WeightEntryJson[] }>;

/** Byte offset of the first weight matching `pick` in a manifest (a graph model.json or a weights manifest). */
function weightOffset(json: WeightManifestJson | { weightsManifest: WeightManifestJson }, pick: (w: WeightEntryJson) => boolean): { offset: number; entry: WeightEntryJson } {
  const groups = Array.isArray(json) ? json : json.weightsManifest;
  const bytes: Record<string, number> = { float32: 4, int32: 4, float16: 2, uint8: 1 };
  let offset = 0;
  for (const w of groups.flatMap((g) => g.weights)) {
    if (pick(w)) return { offset, entry: w };
    offset += bytes[w.quantization?.dtype ?? w.dtype]! * w.shape.reduce((a, b) => a * b, 1);
  }
  throw new Error('no such weight');
}
