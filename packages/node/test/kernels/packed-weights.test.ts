// Packed-filter cache: reused filters skip repacking (inference), new ones (training) never fill it,
// and results with a cached packing match cpu exactly as the first, uncached call does.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { packedWeightBytes } from '../../src/backends/wasm/index';
import { PackedWeightCache, type PackedWeightHost } from '../../src/backends/wasm/packed-weights';
import { expectClose, randomValues, runOn, setUpWasm } from './helpers';

/** A fake allocator that records what is live. */
function fakeHost(alive: Set<object>) {
  const live = new Set<number>();
  let next = 64;
  const host: PackedWeightHost = {
    alloc: (bytes) => {
      const raw = next;
      next += bytes + 128;
      live.add(raw);
      return { raw, ptr: raw };
    },
    free: (raw) => {
      if (!live.delete(raw)) throw new Error(`double free of ${raw}`);
    },
    alive: (id) => alive.has(id),
  };
  return { host, live };
}

const tensorInfo = (dataId: object) => ({ dataId, shape: [3, 3, 4, 4], dtype: 'float32' as const });

describe('PackedWeightCache', () => {
  it('packs into scratch on first use, caches from the second, then reuses without packing', () => {
    const ids = new Set<object>([{}]);
    const [id] = ids;
    const { host, live } = fakeHost(ids);
    const cache = new PackedWeightCache(host);
    let packs = 0;
    const pack = () => void packs++;
    expect(cache.get(tensorInfo(id!), 'k', 100, () => 7, pack)).toBe(7);
    const cached = cache.get(tensorInfo(id!), 'k', 100, () => 7, pack);
    expect(cached).not.toBe(7);
    expect(cache.get(tensorInfo(id!), 'k', 100, () => 7, pack)).toBe(cached);
    expect(packs).toBe(2);
    expect(cache.size).toBe(100);
    expect(live.size).toBe(1);
    // Another packing kind of the same tensor is a separate entry.
    cache.get(tensorInfo(id!), 'other', 50, () => 7, pack);
    expect(cache.get(tensorInfo(id!), 'other', 50, () => 7, pack)).not.toBe(7);
    expect(cache.size).toBe(150);
  });

  it('never caches tensors used once (training), and frees packings of disposed tensors', () => {
    const ids = new Set<object>();
    const { host, live } = fakeHost(ids);
    const cache = new PackedWeightCache(host);
    for (let step = 0; step < 20; step++) {
      const id = {};
      ids.add(id);
      expect(cache.get(tensorInfo(id), 'k', 100, () => 7, () => {})).toBe(7);
    }
    expect(cache.size).toBe(0);
    const kept = {};
    ids.add(kept);
    cache.get(tensorInfo(kept), 'k', 100, () => 7, () => {});
    cache.get(tensorInfo(kept), 'k', 100, () => 7, () => {});
    expect(live.size).toBe(1);
    ids.delete(kept); // tfjs disposed it
    const other = {};
    ids.add(other);
    cache.get(tensorInfo(other), 'k', 10, () => 7, () => {});
    expect(live.size).toBe(0);
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used packing to stay within its budget', () => {
    const [a, b, c] = [{}, {}, {}];
    const { host, live } = fakeHost(new Set([a, b, c]));
    const cache = new PackedWeightCache(host, 250);
    const use = (id: object) => cache.get(tensorInfo(id), 'k', 100, () => 7, () => {});
    use(a); use(a); use(b); use(b); use(a);
    expect(cache.size).toBe(200);
    use(c); use(c); // b is the least recently used
    expect(cache.size).toBe(200);
    expect(live.size).toBe(2);
    expect(use(a)).not.toBe(7);
    let repacked = false;
    cache.get(tensorInfo(b), 'k', 100, () => 7, () => (repacked = true));
    expect(repacked).toBe(true);
    cache.clear();
    expect(live.size).toBe(0);
  });
});

describe('cached packings on the wasm kernels', () => {
  beforeAll(async () => {
    await setUpWasm();
  });

  // Winograd forward (3x3 stride 1), the direct path (stride 2) and the input gradient, each with one
  // filter tensor used three times: the 2nd and 3rd calls read the cached packing.
  const cases: [string, number[], (x: tf.Tensor4D, f: tf.Tensor4D) => tf.Tensor][] = [
    ['winograd forward', [2, 9, 9, 16], (x, f) => tf.fused.conv2d({ x, filter: f, strides: 1, pad: 'same', activation: 'relu' })],
    ['direct forward (stride 2)', [2, 9, 9, 16], (x, f) => tf.conv2d(x, f, 2, 'valid')],
    ['input gradient', [2, 9, 9, 24], (dy, f) => tf.conv2dTranspose(dy, f, [2, 9, 9, 16], 1, 'same')],
  ];
  for (const [name, xShape, fn] of cases) {
    it(`${name}: every call matches cpu (rtol 1e-4) and the packing is kept, then freed with the filter`, () => {
      const xv = randomValues(xShape.reduce((a, b) => a * b, 1), 5);
      const fv = randomValues(3 * 3 * 16 * 24, 6);
      const expected = runOn('cpu', [{ shape: xShape, values: xv }, { shape: [3, 3, 16, 24], values: fv }], (x, f) => fn(x as tf.Tensor4D, f as tf.Tensor4D));
      tf.setBackend('wasm');
      const before = packedWeightBytes();
      const x = tf.tensor4d(xv, xShape as [number, number, number, number]);
      const f = tf.tensor4d(fv, [3, 3, 16, 24]);
      for (let call = 0; call < 3; call++) {
        const y = fn(x, f);
        expectClose([{ shape: y.shape, values: y.dataSync() as Float32Array }], expected);
        y.dispose();
        if (call === 0) expect(packedWeightBytes()).toBe(before);
      }
      expect(packedWeightBytes()).toBeGreaterThan(before);
      f.dispose();
      // The next packing (of another filter) sweeps the disposed one's.
      const g = tf.tensor4d(fv, [3, 3, 16, 24]);
      fn(x, g).dispose();
      expect(packedWeightBytes()).toBe(before);
      g.dispose();
      x.dispose();
    });
  }

  it('tells apart reshapes of one filter (they share its data id): each shape gets its own packing', () => {
    const fv = randomValues(3 * 3 * 16 * 24, 8);
    const xa = randomValues(2 * 7 * 7 * 16, 9), xb = randomValues(2 * 7 * 7 * 24, 10);
    const shapes: [number, number, number, number][] = [[3, 3, 16, 24], [3, 3, 24, 16]];
    const expected = shapes.map((shape, i) =>
      runOn('cpu', [{ shape: [2, 7, 7, shape[2]], values: i === 0 ? xa : xb }, { shape: [3, 3, 16, 24], values: fv }], (x, f) =>
        tf.conv2d(x as tf.Tensor4D, tf.reshape(f!, shape) as tf.Tensor4D, 1, 'same')));
    tf.setBackend('wasm');
    const f = tf.tensor4d(fv, [3, 3, 16, 24]);
    const inputs = [tf.tensor4d(xa, [2, 7, 7, 16]), tf.tensor4d(xb, [2, 7, 7, 24])];
    for (let round = 0; round < 3; round++) {
      shapes.forEach((shape, i) => {
        const y = tf.tidy(() => tf.conv2d(inputs[i]!, tf.reshape(f, shape) as tf.Tensor4D, 1, 'same'));
        expectClose([{ shape: y.shape, values: y.dataSync() as Float32Array }], expected[i]!);
        y.dispose();
      });
    }
    tf.dispose([f, ...inputs]);
  });
});
