// Recognizers in IndexedDB and as files; enrolled faces in the FaceStore.
import {
  deleteStoredRecognizer,
  exportRecognizer,
  FaceStore,
  importRecognizer,
  initBackend,
  listStoredRecognizers,
  loadRecognizer,
  ModelFormatError,
  saveRecognizer,
} from '@facerec/web';
import type { FaceRecognizer, RawImage } from '@facerec/web';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { maxAbsDiff, randomRecognizer } from './helpers/faces.js';

const face: RawImage = { data: Uint8ClampedArray.from({ length: 40 * 40 * 4 }, (_, i) => (i * 13) % 256), width: 40, height: 40, channels: 4 };

async function probabilities(recognizer: FaceRecognizer): Promise<number[]> {
  const p = await recognizer.predict(face, { topK: recognizer.labels.length });
  return recognizer.labels.map((l) => p.candidates.find((c) => c.label === l)!.score);
}

describe('recognizers', () => {
  let recognizer: FaceRecognizer;
  beforeAll(async () => {
    await initBackend('cpu');
    recognizer = await randomRecognizer({ channels: 1, size: 24, seed: 9 });
    recognizer.threshold = 0.35;
  });
  afterAll(() => recognizer.dispose());

  test('save to IndexedDB, list, load, delete', async () => {
    await saveRecognizer(recognizer, 'storage-test');
    const listed = await listStoredRecognizers();
    expect(listed.find((m) => m.name === 'storage-test')).toMatchObject({ url: 'indexeddb://storage-test' });
    const loaded = await loadRecognizer('storage-test');
    expect(loaded.labels).toEqual(recognizer.labels);
    expect(loaded.threshold).toBe(0.35);
    expect(maxAbsDiff(await probabilities(loaded), await probabilities(recognizer))).toBe(0);
    loaded.dispose();
    await deleteStoredRecognizer('storage-test');
    expect((await listStoredRecognizers()).some((m) => m.name === 'storage-test')).toBe(false);
    await expect(loadRecognizer('storage-test')).rejects.toThrow(ModelFormatError);
    await expect(saveRecognizer(recognizer, 'indexeddb://x')).rejects.toThrow(/plain model name/);
  });

  test('export as two files, import them back (any order)', async () => {
    const files = await exportRecognizer(recognizer, 'team');
    expect(files.map((f) => f.name)).toEqual(['team.json', 'team.weights.bin']);
    const json = JSON.parse(await files[0]!.text());
    expect(json.weightsManifest[0].paths).toEqual(['./team.weights.bin']);
    expect(json.userDefinedMetadata.facerec.labels).toEqual(recognizer.labels);
    const imported = await importRecognizer([files[1]!, files[0]!]);
    expect(maxAbsDiff(await probabilities(imported), await probabilities(recognizer))).toBe(0);
    imported.dispose();
  });

  test('importing files that are not a model names the problem', async () => {
    const files = await exportRecognizer(recognizer, 'team');
    await expect(importRecognizer([files[1]!])).rejects.toThrow(/exactly one model \.json.*team\.weights\.bin/);
    await expect(importRecognizer([files[0]!])).rejects.toThrow(ModelFormatError);
    const notFacerec = new File([JSON.stringify({ modelTopology: {}, weightsManifest: [] })], 'other.json');
    await expect(importRecognizer([notFacerec])).rejects.toThrow(/other\.json/);
  });
});

describe('FaceStore', () => {
  const NAME = 'facerec-faces-test';
  let store: FaceStore;
  beforeAll(async () => {
    await FaceStore.deleteDatabase(NAME);
    store = await FaceStore.open(NAME);
  });
  afterAll(async () => {
    store.close();
    await FaceStore.deleteDatabase(NAME);
  });

  test('add, count, dataset, export, import, delete', async () => {
    const small: RawImage = { data: new Uint8Array([1, 2, 3, 4]), width: 2, height: 2, channels: 1 };
    const a = await store.add('alice', face, 'webcam');
    await store.add('alice', small);
    await store.add(' bob ', small, 'bob.png');
    expect(Object.fromEntries(await store.counts())).toEqual({ alice: 2, bob: 1 });
    const dataset = await store.toDataset();
    expect(dataset.map((d) => d.label)).toEqual(['alice', 'alice', 'bob']);
    expect(Array.from(dataset[1]!.image.data)).toEqual([1, 2, 3, 4]);
    expect(dataset[0]!.source).toBe('webcam');

    const file = await store.exportFile();
    await store.clear();
    expect((await store.list()).length).toBe(0);
    expect(await store.importFile(file)).toBe(3);
    const back = await store.list();
    expect(back.map((f) => f.label)).toEqual(['alice', 'alice', 'bob']);
    expect(Array.from(back[0]!.image.data)).toEqual(Array.from(face.data));

    await store.deleteLabel('alice');
    expect(Object.fromEntries(await store.counts())).toEqual({ bob: 1 });
    await store.delete(back[2]!.id);
    expect((await store.list()).length).toBe(0);
    expect(a).toBeGreaterThan(0);
  });

  test('rejects bad faces and files', async () => {
    await expect(store.add('', face)).rejects.toThrow(/label/);
    await expect(store.add('x', { ...face, width: 41 })).rejects.toThrow(/expected width × height × channels/);
    await expect(store.importFile(new File(['{"format":"other"}'], 'x.json'))).rejects.toThrow(/x\.json.*facerec-faces/);
  });
});
