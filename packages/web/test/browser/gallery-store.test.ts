// The IndexedDB gallery: survives closing and reopening, removing a person removes their rows, export/import as files, refusals.
import { Gallery, IndexedDbGalleryStore, initBackend, InvalidArgumentError, ModelFormatError, type GalleryInfo } from '@facerec/web';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';

const NAME = 'facerec-test-gallery';
const OTHER = 'facerec-test-gallery-2';
const INFO: GalleryInfo = { embedder: 'dlib', dimensions: 4, threshold: 0.9, landmarks: 'mesh' };
const v = (...values: number[]) => Float32Array.from(values);

beforeAll(async () => {
  await initBackend('cpu');
});

afterEach(async () => {
  await IndexedDbGalleryStore.deleteDatabase(NAME);
  await IndexedDbGalleryStore.deleteDatabase(OTHER);
});

async function seeded(): Promise<Gallery> {
  const gallery = new Gallery(undefined, { store: await IndexedDbGalleryStore.open(NAME, { info: INFO }) });
  await gallery.enroll('alice', [v(1, 0, 0, 0), v(0.9, 0.1, 0, 0)]);
  await gallery.enroll('bob', [v(0, 1, 0, 0)]);
  return gallery;
}

describe('IndexedDbGalleryStore', () => {
  test('survives closing and reopening: people, embeddings, embedder and landmark source', async () => {
    await (await seeded()).close();
    const store = await IndexedDbGalleryStore.open(NAME);
    expect(store.kind).toBe('indexeddb');
    expect(store.info).toEqual(INFO);
    const gallery = new Gallery(undefined, { store });
    expect(await gallery.labels()).toEqual(['alice', 'bob']);
    expect(await gallery.count()).toEqual({ people: 2, embeddings: 3 });
    const [who] = await gallery.match([v(0.95, 0.05, 0, 0)]);
    expect(who!.label).toBe('alice');
    await gallery.close();
  });

  test('removing a person removes their embeddings from the database', async () => {
    const gallery = await seeded();
    expect(await gallery.remove('alice')).toBe(true);
    await gallery.close();
    const store = await IndexedDbGalleryStore.open(NAME);
    expect(await store.count()).toEqual({ people: 1, embeddings: 1 });
    const [hits] = await store.search([v(1, 0, 0, 0)], { k: 1 });
    expect(hits!.map((c) => c.label)).toEqual(['bob']);
    await store.close();
  });

  test('export as gallery.json + embeddings.bin, import into another database', async () => {
    const gallery = await seeded();
    const files = await (gallery.store as IndexedDbGalleryStore).exportFiles();
    expect(files.map((f) => f.name)).toEqual(['gallery.json', 'embeddings.bin']);
    expect(JSON.parse(await files[0]!.text())).toMatchObject({ format: 'facerec-gallery', embedder: 'dlib', landmarks: 'mesh', rows: ['alice', 'alice', 'bob'] });
    expect(files[1]!.size).toBe(3 * 4 * 4);
    await gallery.close();
    const copy = await IndexedDbGalleryStore.open(OTHER, { info: INFO });
    expect(await copy.importFiles([...files].reverse())).toBe(3);
    expect(await copy.labels()).toEqual(['alice', 'bob']);
    await expect(copy.importFiles([files[0]!])).rejects.toThrow(ModelFormatError);
    const faceres = new File([JSON.stringify({ ...JSON.parse(await files[0]!.text()), embedder: 'faceres' })], 'gallery.json');
    await expect(copy.importFiles([faceres, files[1]!])).rejects.toThrow(/holds faceres/);
    const short = new File([new Uint8Array(8)], 'embeddings.bin');
    await expect(copy.importFiles([files[0]!, short])).rejects.toThrow(/holds 8 bytes/);
    expect(await copy.count()).toEqual({ people: 2, embeddings: 3 });
    await copy.close();
  });

  test('refuses a missing database without info, another embedder, and a wrong embedding without storing anything', async () => {
    await expect(IndexedDbGalleryStore.open(NAME)).rejects.toThrow(InvalidArgumentError);
    const store = await IndexedDbGalleryStore.open(NAME, { info: INFO });
    await expect(store.add('carol', [v(1, 0, 0, 0), v(1, 0, 0)])).rejects.toThrow(InvalidArgumentError);
    await store.close();
    await expect(IndexedDbGalleryStore.open(NAME, { info: { ...INFO, embedder: 'faceres' } })).rejects.toThrow(/holds dlib/);
    const reopened = await IndexedDbGalleryStore.open(NAME);
    expect(await reopened.count()).toEqual({ people: 0, embeddings: 0 });
    await reopened.close();
    await expect(reopened.labels()).rejects.toThrow(/closed/);
  });
});
