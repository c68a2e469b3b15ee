// Exact 1:N search of the memory store: the WebAssembly SIMD kernel against its JS twin, and the search against a naive reference.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Gallery, MemoryGalleryStore } from '../../src/gallery/index.js';
import { DOT_KERNEL_HEX } from '../../src/gallery/dot-kernel-binary.js';
import { dotScoresJs, kernelModule } from '../../src/gallery/dot-kernel.js';
import { searchExact } from '../../src/gallery/exact-search.js';
import { EmbeddingStore } from '../../src/gallery/store.js';
import { QUERY_GROUP, SCORE_CHUNK, WasmRows } from '../../src/gallery/wasm-rows.js';
import { compareLabels } from '../../src/recognizer/labels.js';
import type { Candidate } from '../../src/recognizer/result.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Deterministic floats in [-0.5, 0.5). */
function randoms(count: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: count }, () => (s = (s * 16807) % 2147483647) / 2147483647 - 0.5);
}

/** Every person's best dot product, in float64 (exact for the small-integer data of the property test), ranked. */
function reference(rows: ReadonlyArray<{ label: string; v: number[] }>, q: number[], k: number, minScore = -Infinity): Candidate[] {
  const best = new Map<string, number>();
  for (const { label, v } of rows) {
    const s = v.reduce((sum, x, i) => sum + x * q[i]!, 0);
    if (!(best.get(label)! >= s)) best.set(label, s);
  }
  return [...best].map(([label, score]) => ({ label, score }))
    .filter((c) => c.score >= minScore)
    .sort((a, b) => b.score - a.score || compareLabels(a.label, b.label))
    .slice(0, k);
}

describe('the dot-product kernel', () => {
  it('compiles here (Node has WebAssembly SIMD), so the tests below exercise both forms', () => {
    expect(kernelModule()).not.toBeNull();
  });

  it('gives the same float32 scores in WebAssembly and in JS, bit for bit', () => {
    for (const [d, n, m] of [[16, 5, 1], [128, 1_000, 3], [512, 37, QUERY_GROUP], [64, SCORE_CHUNK + 3, 2]] as const) {
      const wasm = WasmRows.create(d, n)!;
      expect(wasm).not.toBeNull();
      const rows = randoms(n * d, d + n);
      wasm.rows.set(rows);
      const queries = randoms(m * d, 7 * m);
      for (const [first, count] of [[0, Math.min(n, SCORE_CHUNK)], [n - Math.min(n, 4), Math.min(n, 4)]] as const) {
        const fromWasm = Array.from(wasm.scores(queries, m, first, count));
        const js = new Float32Array(m * count);
        dotScoresJs(rows, first, count, d, queries, m, js);
        expect(fromWasm, `d ${d} rows ${first}..${first + count} × ${m} queries`).toEqual(Array.from(js));
        // And both are the dot product (float32 rounding aside).
        const q = m - 1, r = count - 1;
        let exact = 0;
        for (let i = 0; i < d; i++) exact += rows[(first + r) * d + i]! * queries[q * d + i]!;
        expect(js[q * count + r]).toBeCloseTo(exact, 4);
      }
    }
  });

  it('screens with exact integer dot products of 8-bit rows and queries', () => {
    const d = 32, n = 50, m = 3;
    const wasm = WasmRows.create(d, n)!;
    const rows = randoms(n * d, 21);
    wasm.rows.set(rows);
    for (let r = 0; r < n; r++) wasm.quantize(r);
    const queries = randoms(m * d, 22);
    const bounds = wasm.quantizeQueries(queries, m);
    const dots = wasm.screen(m, 10, 40);
    const { scale, errorNorm, norm } = wasm.quantization;
    for (let q = 0; q < m; q++) {
      for (let r = 10; r < 50; r++) {
        // Rebuild the 8-bit copies the way the store documents them and check the kernel's integer sum.
        let sum = 0, real = 0;
        for (let i = 0; i < d; i++) {
          const x = rows[r * d + i]!, y = queries[q * d + i]!;
          sum += Math.round(x / scale[r]!) * Math.round(y / bounds[q]!.scale);
          real += x * y;
        }
        expect(dots[q * 40 + r - 10]).toBe(sum);
        const estimate = scale[r]! * bounds[q]!.scale * sum;
        expect(Math.abs(real - estimate)).toBeLessThanOrEqual(norm[r]! * bounds[q]!.errorNorm + errorNorm[r]! * bounds[q]!.quantNorm);
      }
    }
  });

  it('is the module dot-kernel.wat compiles to (checked where wabt\'s wat2wasm is installed)', (context) => {
    const wat = path.join(import.meta.dirname, '../../src/gallery/dot-kernel.wat');
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'facerec-wat-'));
    try {
      try {
        execFileSync('wat2wasm', [wat, '-o', path.join(tmp, 'k.wasm')], { stdio: 'ignore' });
      } catch {
        context.skip();
      }
      expect(readFileSync(path.join(tmp, 'k.wasm')).toString('hex')).toBe(DOT_KERNEL_HEX);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('EmbeddingStore rows', () => {
  it('move into WebAssembly memory past the threshold, keep their values through growth and removal', () => {
    const d = 32;
    const s = new EmbeddingStore(d, 4, { wasmFromFloats: 16 * d });
    const data = randoms(100 * d, 3);
    for (let r = 0; r < 100; r++) {
      s.add(`p${r % 7}`, data.subarray(r * d, (r + 1) * d));
      expect(s.kernel, `after ${r + 1} rows`).toBe(r + 1 > 8 ? 'wasm' : 'js');
    }
    expect(Array.from(s.matrix())).toEqual(Array.from(data));
    expect(s.remove('p0')).toBe(15);
    expect(s.size).toBe(85);
    // Every remaining row is one of the originals, under its own label.
    for (let r = 0; r < s.size; r++) {
      const label = s.labels[r]!;
      const original = Number(/\d+/.exec(label)![0]);
      expect(label).not.toBe('p0');
      const row = Array.from(s.row(r));
      const from = Array.from({ length: 100 }, (_, i) => i).find((i) => Array.from(data.subarray(i * d, (i + 1) * d)).every((x, k) => x === row[k]));
      expect(from! % 7).toBe(original);
    }
  });

  it('fall back to a plain array, losing nothing, when WebAssembly memory cannot grow', () => {
    const d = 16;
    const s = new EmbeddingStore(d, 2, { wasmFromFloats: 4 * d });
    // Past the first pages (the kernel's scratch space leaves room for about 1,000 such rows) memory must grow.
    const n = 3_000;
    const data = randoms(n * d, 5);
    for (let r = 0; r < 10; r++) s.add(`p${r}`, data.subarray(r * d, (r + 1) * d));
    expect(s.kernel).toBe('wasm');
    const memory = (globalThis as unknown as { WebAssembly: { Memory: { prototype: { grow(pages: number): number } } } }).WebAssembly.Memory;
    vi.spyOn(memory.prototype, 'grow').mockImplementation(() => {
      throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
    });
    for (let r = 10; r < n; r++) s.add(`p${r}`, data.subarray(r * d, (r + 1) * d));
    expect(memory.prototype.grow).toHaveBeenCalled();
    expect(s.kernel).toBe('js');
    expect(Array.from(s.matrix())).toEqual(Array.from(data));
    const [found] = searchExact(s, [data.subarray(2_033 * d, 2_034 * d)], { k: 1 });
    expect(found![0]!.label).toBe('p2033');
  });
});

describe('searchExact', () => {
  // Small integers make every dot product exact in float32 and float64 alike, so the answer must equal the
  // reference exactly, ties (which such data has plenty of) included.
  const label = fc.constantFrom('a', 'b', 'B', 'c2', 'c10', 'd');
  const op = (d: number) => fc.oneof(
    { weight: 4, arbitrary: fc.record({ add: label, rows: fc.array(fc.array(fc.integer({ min: -2, max: 2 }), { minLength: d, maxLength: d }), { minLength: 1, maxLength: 3 }) }) },
    { weight: 1, arbitrary: fc.record({ remove: label }) },
  );

  for (const [d, wasmFromFloats, name] of [[16, 0, 'WebAssembly kernel'], [16, Infinity, 'JS kernel'], [5, 0, 'JS kernel, 5-d rows']] as const) {
    it(`answers what a naive exact search answers, ties in label order (${name})`, () => {
      fc.assert(fc.property(
        fc.array(op(d), { maxLength: 25 }),
        fc.array(fc.array(fc.integer({ min: -2, max: 2 }), { minLength: d, maxLength: d }), { minLength: 1, maxLength: QUERY_GROUP + 2 }),
        fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 65, max: 70 })),
        fc.option(fc.integer({ min: -3, max: 3 }), { nil: undefined }),
        (ops, queries, k, minScore) => {
          const store = new EmbeddingStore(d, 1, { wasmFromFloats });
          const rows: Array<{ label: string; v: number[] }> = [];
          for (const o of ops) {
            if ('add' in o) {
              for (const v of o.rows) store.add(o.add, v);
              rows.push(...o.rows.map((v) => ({ label: o.add, v })));
            } else {
              expect(store.remove(o.remove)).toBe(rows.filter((r) => r.label === o.remove).length);
              rows.splice(0, rows.length, ...rows.filter((r) => r.label !== o.remove));
            }
          }
          if (wasmFromFloats === 0 && d % 16 === 0 && rows.length > 1) expect(store.kernel).toBe('wasm');
          const found = searchExact(store, queries.map((q) => Float32Array.from(q)), { k, ...(minScore !== undefined ? { minScore } : {}) });
          expect(found).toEqual(queries.map((q) => reference(rows, q, k, minScore)));
        },
      ), { numRuns: 150, seed: 14 });
    });
  }
});

describe('MemoryGalleryStore search', () => {
  it('ranks equal scores by label, the same before and after a save and load (the old store ranked them by enrol history)', async () => {
    const info = { embedder: 'test', dimensions: 3, threshold: 0.5 };
    const g = new Gallery(undefined, info);
    const x = Float32Array.of(1, 0, 0);
    await g.enroll('a', [x]);
    await g.enroll('b', [x]);
    await g.enroll('c', [Float32Array.of(0, 1, 0)]);
    await g.remove('a');
    await g.enroll('a', [x]);
    const [before] = await g.match([x], { topK: 2 });
    const [after] = await Gallery.fromData(await g.toData()).match([x], { topK: 2 });
    expect(before!.candidates.map((c) => c.label)).toEqual(['a', 'b']);
    expect(after!.candidates).toEqual(before!.candidates);
  });

  it('searches a gallery past the WebAssembly threshold exactly, and keeps no copy on the tfjs backend', async () => {
    const d = 128, n = 3_000;
    const store = new MemoryGalleryStore({ embedder: 'test', dimensions: d, threshold: 0.5 });
    const twin = new EmbeddingStore(d, 64, { wasmFromFloats: Infinity });
    const data = randoms(n * d, 11);
    for (let r = 0; r < n; r++) {
      store.addSync(`p${r % 1_000}`, [data.subarray(r * d, (r + 1) * d)]);
      twin.add(`p${r % 1_000}`, data.subarray(r * d, (r + 1) * d));
    }
    expect((store as unknown as { rows: EmbeddingStore }).rows.kernel).toBe('wasm');
    const queries = Array.from({ length: 10 }, (_, i) => data.slice((i * 297) * d, (i * 297 + 1) * d));
    const bytes = tf.memory().numBytes;
    const found = await store.search(queries, { k: 5 });
    expect(tf.memory().numBytes).toBe(bytes);
    expect(found).toEqual(searchExact(twin, queries, { k: 5 }));
    found.forEach((candidates, i) => expect(candidates[0]!.label).toBe(`p${(i * 297) % 1_000}`));
    expect(await store.search(queries.slice(0, 1), { k: 3, minScore: found[0]![1]!.score + 1 })).toEqual([[found[0]![0]!]]);
  });

  it('gives the full scan\'s answer when screening keeps many rows: near-duplicates, fewer people than k', () => {
    const d = 64;
    const base = randoms(d, 31);
    const full = new EmbeddingStore(d, 64, { wasmFromFloats: Infinity });
    const screened = new EmbeddingStore(d, 64, { wasmFromFloats: 0 });
    // 6,000 rows within 1e-4 of one vector (their 8-bit copies are nearly all equal), 500 people, plus 3 rows of
    // a few people only, so k = 5 over the last store has fewer people than k.
    const noise = randoms(6_000 * d, 32);
    const few = new EmbeddingStore(d, 64, { wasmFromFloats: 0 });
    const fewTwin = new EmbeddingStore(d, 64, { wasmFromFloats: Infinity });
    for (let r = 0; r < 6_000; r++) {
      const row = base.map((x, i) => x + noise[r * d + i]! * 2e-4);
      full.add(`p${r % 500}`, row);
      screened.add(`p${r % 500}`, row);
      few.add(`f${r % 3}`, row);
      fewTwin.add(`f${r % 3}`, row);
    }
    expect(screened.kernel).toBe('wasm');
    const queries = [base, base.map((x, i) => x + noise[i]! * 1e-4), randoms(d, 33)];
    for (const k of [1, 5, 64]) {
      expect(searchExact(screened, queries, { k })).toEqual(searchExact(full, queries, { k }));
      expect(searchExact(few, queries, { k })).toEqual(searchExact(fewTwin, queries, { k }));
    }
  });

  it('refuses NaN queries, naming them', async () => {
    const store = new MemoryGalleryStore({ embedder: 'test', dimensions: 2, threshold: 0.5 });
    await store.add('a', [Float32Array.of(1, 0)]);
    await expect(store.search([Float32Array.of(1, 0), Float32Array.of(Number.NaN, 0)], { k: 1 })).rejects.toThrow(/queries\[1\]: holds NaN/);
  });
});
