// Shared helpers of the preprocessing tests: backend selection and float comparison.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, expect } from 'vitest';
import { expectNoLeak } from '../helpers/memory.js';

/** Runs the tests of the calling file on the cpu backend. */
export function useCpuBackend(): void {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
}

/** Expects two equally shaped nested number arrays to agree within `tolerance`. */
export function expectClose(actual: unknown, expected: unknown, tolerance = 1e-4): void {
  const a = (actual as number[]).flat(Infinity as 1) as number[];
  const e = (expected as number[]).flat(Infinity as 1) as number[];
  expect(a.length, 'element count').toBe(e.length);
  a.forEach((v, i) => expect(v, `element ${i}`).toBeCloseTo(e[i]!, -Math.log10(tolerance) - 0.3));
}

/** The class of an error thrown by `fn`, with its `argument` when it has one. */
export function thrown(fn: () => unknown): Error & { argument?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { argument?: string };
  }
  throw new Error('expected an error');
}

/** What {@link runNoLeak} read from a tensor before disposing it. */
export interface ReadTensor {
  readonly shape: number[];
  readonly dtype: string;
  readonly values: unknown;
}

/**
 * Runs `fn` under `expectNoLeak`: reads the tensor it returns, disposes it, and fails if anything else was left
 * alive (intermediates, or the inputs' copies).
 */
export async function runNoLeak(fn: () => tf.Tensor): Promise<ReadTensor> {
  return expectNoLeak(() => {
    const t = fn();
    const read = { shape: t.shape.slice(), dtype: t.dtype, values: t.arraySync() };
    t.dispose();
    return read;
  });
}
