// Property-based fuzzing of the model and gallery loaders: mutated files end in ModelFormatError naming them (or a model that works), never a raw TypeError or RangeError.
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DETECTOR_FILE, FaceRecognizer, Gallery, ModelFormatError, NumericError, fileSystemHandler, initBackend, loadGallery, loadGraphModelFile,
  locateModelDir, saveGallery,
} from '@facerec/node';
import { patternImages } from '../../../core/test/helpers/synthetic.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';
import { FUZZ_SEED, fuzzRuns, mutated, mutatedJsonFile, printTallies, runCase, tally, type FuzzTally } from './harness.js';

/** A model load reads a few files and builds a small network: a second is generous; ten is a hang. */
const MAX_MS = 10_000;

/** The two files of a folder, each either as saved or mutated (at least one mutated). */
function mutatedPair(jsonText: string, binary: Uint8Array): fc.Arbitrary<{ json: Uint8Array; bin: Uint8Array }> {
  const json = new TextEncoder().encode(jsonText);
  const mJson = mutatedJsonFile(jsonText);
  const mBin = mutated(fc.constant(binary));
  return fc.oneof(
    mJson.map((j) => ({ json: j, bin: binary })),
    mBin.map((b) => ({ json, bin: b })),
    fc.tuple(mJson, mBin).map(([j, b]) => ({ json: j, bin: b })),
  );
}

/** Replaces the folder's content with exactly `files`. */
function writeFolder(dir: string, files: Record<string, Uint8Array>): void {
  for (const name of readdirSync(dir)) rmSync(path.join(dir, name), { recursive: true, force: true });
  for (const [name, bytes] of Object.entries(files)) writeFileSync(path.join(dir, name), bytes);
}

/** A ModelFormatError that names `dir` (the folder or a file in it), or NumericError for non-finite numbers. */
const modelError = (dir: string) => (error: unknown) =>
  (error instanceof ModelFormatError && error.message.includes(dir)) || error instanceof NumericError;

/**
 * Fuzzes a loader on mutated folders. Every case must leave no tensor behind, except where `leaks` is given:
 * then leaks are counted instead (tfjs-layers keeps the variables of a model it could not finish building,
 * and of layers smuggled into a config as a "constraint"; see the trained-model case).
 */
async function fuzzFolder(
  t: FuzzTally,
  runs: number,
  dir: string,
  pair: fc.Arbitrary<Record<string, Uint8Array>>,
  load: () => Promise<void>,
  leaks?: { cases: number; tensors: number },
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(pair, async (files) => {
      writeFolder(dir, files);
      const tensors = tf.memory().numTensors;
      await runCase(t, { isTyped: modelError(dir), maxMs: MAX_MS }, load);
      const leaked = tf.memory().numTensors - tensors;
      if (leaked !== 0 && leaks) {
        leaks.cases++;
        leaks.tensors += leaked;
      } else if (leaked !== 0) {
        throw new Error(`${leaked} tensors leaked`);
      }
    }),
    { numRuns: runs, seed: FUZZ_SEED },
  );
}

describe(`model and gallery loaders under fuzzing (seed ${FUZZ_SEED})`, () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });
  afterAll(async () => {
    printTallies();
    await removeTempDirs();
  });

  describe('a trained model folder (model.json + weights.bin)', () => {
    let saved: { json: string; bin: Uint8Array };
    const images = patternImages(3, 4, 24, 1);
    const probe = images.images[0]!;

    beforeAll(async () => {
      const recognizer = new FaceRecognizer({ inputSize: [24, 24], seed: 1 });
      await recognizer.fit(images.images.map((image, i) => ({ image, label: ['ann', 'bob', 'cy'][images.labels[i]!]! })), { epochs: 1, augmentation: null });
      const dir = await makeTempDir();
      await recognizer.save(fileSystemHandler(dir));
      recognizer.dispose();
      saved = { json: readFileSync(path.join(dir, 'model.json'), 'utf8'), bin: new Uint8Array(readFileSync(path.join(dir, 'weights.bin'))) };
    });

    it('fileSystemHandler(dir).load() gives artifacts or a ModelFormatError', async () => {
      const t = tally('model folder handler');
      const dir = await makeTempDir();
      const pairs = mutatedPair(saved.json, saved.bin).map(({ json, bin }) => ({ 'model.json': json, 'weights.bin': bin }));
      await fuzzFolder(t, fuzzRuns(40, 0.2), dir, pairs, async () => {
        await fileSystemHandler(dir).load!();
      });
    }, 600_000);

    it('a model.json whose weight group lists no file is a ModelFormatError naming the folder (found by fuzzing)', async () => {
      const dir = await makeTempDir();
      const json = JSON.parse(saved.json) as { weightsManifest: Array<{ paths: string[] }> };
      json.weightsManifest[0]!.paths = [];
      writeFolder(dir, { 'model.json': new TextEncoder().encode(JSON.stringify(json)), 'weights.bin': saved.bin });
      const error = await fileSystemHandler(dir).load!().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelFormatError);
      expect((error as Error).message).toContain(`Model ${dir}: truncated`);
    });

    it('a model.json whose input layer has a non-string dtype is a ModelFormatError at load, not a tfjs error at predict (found by fuzzing)', async () => {
      const dir = await makeTempDir();
      const json = JSON.parse(saved.json) as Record<string, unknown>;
      // The first layer config with a batch input shape is the input layer, wherever tfjs nests it.
      const input = (function find(node: unknown): Record<string, unknown> | undefined {
        if (node === null || typeof node !== 'object') return undefined;
        const record = node as Record<string, unknown>;
        if ('batch_input_shape' in record) return record;
        for (const value of Object.values(record)) {
          const found = find(value);
          if (found) return found;
        }
        return undefined;
      })(json.modelTopology);
      input!['dtype'] = 7;
      writeFolder(dir, { 'model.json': new TextEncoder().encode(JSON.stringify(json)), 'weights.bin': saved.bin });
      const tensors = tf.memory().numTensors;
      const error = await FaceRecognizer.load(fileSystemHandler(dir), { source: dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelFormatError);
      expect((error as Error).message).toContain(dir);
      expect(tf.memory().numTensors).toBe(tensors);
    });

    it('FaceRecognizer.load gives a recognizer that predicts, or a ModelFormatError', async () => {
      const t = tally('trained model load + predict');
      const dir = await makeTempDir();
      const pairs = mutatedPair(saved.json, saved.bin).map(({ json, bin }) => ({ 'model.json': json, 'weights.bin': bin }));
      const leaks = { cases: 0, tensors: 0 };
      await fuzzFolder(t, fuzzRuns(20, 0.1), dir, pairs, async () => {
        const recognizer = await FaceRecognizer.load(fileSystemHandler(dir), { source: dir });
        try {
          await recognizer.predict(probe);
        } finally {
          recognizer.dispose();
        }
      }, leaks);
      console.log(`fuzz trained model load: ${leaks.cases} cases left ${leaks.tensors} tensors (tfjs-layers: half-built models, layers as constraints)`);
    }, 600_000);
  });

  it('a pretrained graph model (the face detector) loads or gives a ModelFormatError', async () => {
    const t = tally('pretrained graph model load');
    const models = locateModelDir();
    const dir = await makeTempDir();
    const json = readFileSync(path.join(models, `${DETECTOR_FILE}.json`), 'utf8');
    const bin = new Uint8Array(readFileSync(path.join(models, `${DETECTOR_FILE}.bin`)));
    const pairs = mutatedPair(json, bin).map((p) => ({ [`${DETECTOR_FILE}.json`]: p.json, [`${DETECTOR_FILE}.bin`]: p.bin }));
    await fuzzFolder(t, fuzzRuns(12, 0.05), dir, pairs, async () => {
      const model = await loadGraphModelFile(dir, DETECTOR_FILE);
      model.dispose();
    });
  }, 600_000);

  describe('regressions the fuzzing found', () => {
    it('a graph model with a null weight entry, or a graph tfjs cannot build, is a ModelFormatError that leaves no tensor', async () => {
      const models = locateModelDir();
      const json = JSON.parse(readFileSync(path.join(models, `${DETECTOR_FILE}.json`), 'utf8')) as { weightsManifest: Array<{ weights: unknown[] }>; modelTopology: { node: Array<{ op: unknown }> } };
      const bin = readFileSync(path.join(models, `${DETECTOR_FILE}.bin`));
      const dir = await makeTempDir();
      const nulled = structuredClone(json);
      nulled.weightsManifest[0]!.weights[3] = null;
      const broken = structuredClone(json);
      broken.modelTopology.node[5]!.op = 7; // tfjs-converter: node.op.startsWith is not a function, after decoding the weights
      for (const doc of [nulled, broken]) {
        writeFolder(dir, { [`${DETECTOR_FILE}.json`]: new TextEncoder().encode(JSON.stringify(doc)), [`${DETECTOR_FILE}.bin`]: bin });
        const tensors = tf.memory().numTensors;
        await expect(loadGraphModelFile(dir, DETECTOR_FILE)).rejects.toThrow(ModelFormatError);
        expect(tf.memory().numTensors).toBe(tensors);
      }
    });

    it('a gallery whose embeddings hold NaN, or whose index has a threshold of 8, is a ModelFormatError naming the file', async () => {
      const gallery = new Gallery(undefined, { embedder: 'dlib', dimensions: 2, threshold: 0.6 });
      await gallery.enroll('ann', [Float32Array.of(1, 0)]);
      const dir = path.join(await makeTempDir(), 'g');
      await saveGallery(gallery, dir);
      gallery.dispose();
      const json = readFileSync(path.join(dir, 'gallery.json'), 'utf8');
      writeFileSync(path.join(dir, 'embeddings.bin'), new Uint8Array(Float32Array.of(Number.NaN, 0).buffer));
      await expect(loadGallery(dir)).rejects.toThrow(/Model .*embeddings\.bin: value 0 is NaN/);
      writeFileSync(path.join(dir, 'embeddings.bin'), new Uint8Array(Float32Array.of(1, 0).buffer));
      writeFileSync(path.join(dir, 'gallery.json'), json.replace('"threshold": 0.6', '"threshold": 8'));
      const error = await loadGallery(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelFormatError);
      expect((error as Error).message).toMatch(/gallery\.json.*threshold/);
    });
  });

  it('a gallery folder (gallery.json + embeddings.bin) loads into a gallery that matches, or gives a ModelFormatError', async () => {
    const t = tally('gallery load + match');
    const gallery = new Gallery(undefined, { embedder: 'dlib', dimensions: 8, threshold: 0.6 });
    const unit = (k: number) => Float32Array.from({ length: 8 }, (_, i) => (i === k ? 1 : 0.1));
    await gallery.enroll('ann', [unit(0), unit(1)]);
    await gallery.enroll('bob', [unit(2)]);
    const source = await makeTempDir();
    await saveGallery(gallery, path.join(source, 'g'));
    gallery.dispose();
    const json = readFileSync(path.join(source, 'g', 'gallery.json'), 'utf8');
    const bin = new Uint8Array(readFileSync(path.join(source, 'g', 'embeddings.bin')));
    const dir = await makeTempDir();
    const pairs = mutatedPair(json, bin).map((p) => ({ 'gallery.json': p.json, 'embeddings.bin': p.bin }));
    await fuzzFolder(t, fuzzRuns(60, 0.5), dir, pairs, async () => {
      const loaded = await loadGallery(dir);
      try {
        await loaded.labels();
        await loaded.match([unit(0)]);
      } finally {
        loaded.dispose();
      }
    });
  }, 600_000);
});
