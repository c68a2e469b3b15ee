import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { BackendError, InvalidArgumentError, cpuBackendProvider, describeBackendSelection, selectBackend } from '@facerec/core';
import type { BackendProvider } from '@facerec/core';

const failing = (name: BackendProvider['name'], priority: number, reason: string): BackendProvider => ({
  name, priority, init: async () => { throw new Error(reason); },
});

describe('selectBackend', () => {
  it("'auto' falls back in priority order and reports why each backend was skipped", async () => {
    const selection = await selectBackend('auto', [cpuBackendProvider, failing('webgpu', 3, 'no adapter'), failing('wasm', 2, 'no SharedArrayBuffer')]);
    expect(selection.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(selection.attempts.map((a) => [a.backend, a.ok, a.reason])).toEqual([
      ['webgpu', false, 'no adapter'],
      ['wasm', false, 'no SharedArrayBuffer'],
      ['cpu', true, undefined],
    ]);
    expect(describeBackendSelection(selection)).toBe('cpu — webgpu skipped: no adapter — wasm skipped: no SharedArrayBuffer');
  });

  it('a named backend does not fall back, and the error lists the failure', async () => {
    const error = await selectBackend('gpu', [cpuBackendProvider, failing('webgpu', 3, 'no adapter')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).failures).toEqual([{ backend: 'webgpu', reason: 'no adapter' }]);
    expect(String((error as Error).message)).toMatch(/webgpu: no adapter/);
  });

  it('reports a backend this platform lacks and rejects unknown names', async () => {
    await expect(selectBackend('wasm', [cpuBackendProvider])).rejects.toThrow(/not available on this platform/);
    await expect(selectBackend('tpu' as never, [cpuBackendProvider])).rejects.toThrow(InvalidArgumentError);
  });

  it('detects a provider that did not activate its backend', async () => {
    const liar: BackendProvider = { name: 'wasm', priority: 1, init: async () => ({}) };
    await tf.setBackend('cpu');
    await expect(selectBackend('wasm', [liar])).rejects.toThrow(/tfjs reports backend "cpu"/);
  });
});
