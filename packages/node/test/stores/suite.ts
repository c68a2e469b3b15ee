// The one test suite every gallery store passes (memory, folder, PGlite, PostgreSQL over the wire): same calls, same assertions.
import { describe, expect, it } from 'vitest';
import { Gallery, InvalidArgumentError, UNKNOWN, type GalleryInfo, type GalleryStore } from '@facerec/node';

/** Opens a new, empty store holding `info`, each call a separate gallery. */
export type StoreMaker = (info: GalleryInfo) => Promise<GalleryStore>;

const D = 32;
export const suiteInfo: GalleryInfo = { embedder: 'test', dimensions: D, threshold: 0.5, landmarks: 'mesh' };

/** A deterministic pseudo-random unit vector for `i`. */
export function unit(i: number, d = D): Float32Array {
  const v = Float32Array.from({ length: d }, (_, k) => Math.sin(i * 12.9898 + k * 78.233) * 43758.5453 % 1);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/** `v` moved a little towards `w` (a new photo of the same person), unit length again. */
function near(v: Float32Array, w: Float32Array, t = 0.15): Float32Array {
  const m = v.map((x, k) => (1 - t) * x + t * w[k]!);
  const n = Math.hypot(...m);
  return m.map((x) => x / n);
}

function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k]! * b[k]!;
  return s;
}

/** Registers the shared tests for the store `kind` made by `make`. */
export function storeSuite(kind: string, make: () => StoreMaker): void {
  describe(`${kind} store`, () => {
    it('starts empty, describes its embeddings, and answers unknown', async () => {
      const store = await make()(suiteInfo);
      try {
        expect(store.kind).toBe(kind);
        expect(store.info).toEqual(suiteInfo);
        expect(await store.count()).toEqual({ people: 0, embeddings: 0 });
        expect(await store.labels()).toEqual([]);
        expect(await store.search([unit(1)], { k: 3 })).toEqual([[]]);
        const gallery = new Gallery(undefined, { store });
        const [r] = await gallery.match([unit(1)]);
        expect(r).toEqual({ label: UNKNOWN, score: -1, unknown: true, candidates: [] });
      } finally {
        await store.close();
      }
    });

    it('adds, counts, lists in natural order, finds the nearest people with their best score, removes', async () => {
      const store = await make()(suiteInfo);
      try {
        await store.add('person10', [unit(10), unit(11)]);
        await store.add('person2', [unit(2)]);
        await store.add('ann', [unit(3)]);
        await store.add('person2', [unit(4)]);
        expect(await store.count()).toEqual({ people: 3, embeddings: 5 });
        expect(await store.labels()).toEqual(['ann', 'person2', 'person10']);
        const q = near(unit(11), unit(2));
        const [found] = await store.search([q], { k: 3 });
        // A person's score is their best embedding's cosine similarity (computed in float32 by every store).
        const want = [
          { label: 'person10', score: Math.max(cosine(q, unit(10)), cosine(q, unit(11))) },
          { label: 'person2', score: Math.max(cosine(q, unit(2)), cosine(q, unit(4))) },
          { label: 'ann', score: cosine(q, unit(3)) },
        ].sort((x, y) => y.score - x.score);
        expect(found!.map((c) => c.label)).toEqual(want.map((c) => c.label));
        found!.forEach((c, i) => expect(c.score).toBeCloseTo(want[i]!.score, 5));
        expect(found![0]!.label).toBe('person10');
        const [two, three] = await store.search([unit(3), unit(4)], { k: 1 });
        expect(two).toEqual([{ label: 'ann', score: expect.closeTo(1, 5) as number }]);
        expect(three![0]!.label).toBe('person2');
        expect((await store.search([unit(3)], { k: 3, minScore: 0.9 }))[0]!.map((c) => c.label)).toEqual(['ann']);
        expect(await store.remove('person2')).toBe(true);
        expect(await store.remove('person2')).toBe(false);
        expect(await store.count()).toEqual({ people: 2, embeddings: 3 });
        expect((await store.search([unit(4)], { k: 3 }))[0]!.map((c) => c.label)).not.toContain('person2');
      } finally {
        await store.close();
      }
    });

    it('gives back every embedding it holds, unchanged, to copy it elsewhere', async () => {
      const store = await make()(suiteInfo);
      try {
        await store.add('ann', [unit(1), unit(2)]);
        await store.add('bob', [unit(3)]);
        const rows: Array<[string, number[]]> = [];
        for await (const e of store.entries()) rows.push([e.label, Array.from(e.embedding)]);
        rows.sort((a, b) => a[0].localeCompare(b[0]) || a[1][0]! - b[1][0]!);
        const want: Array<[string, number[]]> = [['ann', Array.from(unit(1))], ['ann', Array.from(unit(2))], ['bob', Array.from(unit(3))]];
        want.sort((a, b) => a[0].localeCompare(b[0]) || a[1][0]! - b[1][0]!);
        expect(rows).toEqual(want);
      } finally {
        await store.close();
      }
    });

    it('refuses embeddings of the wrong size without adding any of them', async () => {
      const store = await make()(suiteInfo);
      try {
        await expect(store.add('ann', [unit(1), unit(2, 8)])).rejects.toThrow(InvalidArgumentError);
        expect(await store.count()).toEqual({ people: 0, embeddings: 0 });
        await expect(store.search([unit(1, 8)], { k: 1 })).rejects.toThrow(/32-d/);
      } finally {
        await store.close();
      }
    });

    it('works under a Gallery: enrol, identify by embedding, top-k, threshold, remove', async () => {
      const store = await make()(suiteInfo);
      const gallery = new Gallery(undefined, { store });
      try {
        expect(gallery.embedderName).toBe('test');
        expect(gallery.landmarks).toBe('mesh');
        expect(gallery.threshold).toBe(0.5);
        // Enrolled embeddings are normalised first: a scaled copy is the same face.
        expect(await gallery.enroll('ann', [unit(1).map((x) => x * 3), unit(5)])).toEqual({ added: 2, noFace: [] });
        await gallery.enroll('bob', [unit(2)]);
        const [a, b, none] = await gallery.match([near(unit(1), unit(9)), unit(2), unit(7)], { topK: 2 });
        expect(a!.label).toBe('ann');
        expect(a!.candidates).toHaveLength(2);
        expect(b!.label).toBe('bob');
        expect(none!.unknown).toBe(true);
        expect(await gallery.count()).toEqual({ people: 2, embeddings: 3 });
        expect(await gallery.remove('ann')).toBe(true);
        expect(await gallery.labels()).toEqual(['bob']);
      } finally {
        await gallery.close();
      }
    });

    it('finds the right person among 200 embeddings of 40 people', async () => {
      const store = await make()(suiteInfo);
      try {
        for (let p = 0; p < 40; p++) await store.add(`p${p}`, Array.from({ length: 5 }, (_, j) => unit(1000 + p * 5 + j)));
        expect(await store.count()).toEqual({ people: 40, embeddings: 200 });
        const probes = [0, 17, 25, 39].map((p) => near(unit(1000 + p * 5 + 2), unit(7), 0.1));
        const found = await store.search(probes, { k: 1 });
        expect(found.map((f) => f[0]!.label)).toEqual(['p0', 'p17', 'p25', 'p39']);
      } finally {
        await store.close();
      }
    });
  });
}
