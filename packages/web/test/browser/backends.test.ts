// Backend selection in the browser: what 'auto' picks, why others were skipped, WASM threads and .wasm files.
import * as tf from '@tensorflow/tfjs-core';
import {
  BackendError,
  browserCpuBackendProvider,
  defaultWasmPath,
  describeBackendSelection,
  initBackend,
  selectBackend,
  wasmBackendProvider,
  webgpuBackendProvider,
} from '@facerec/web';
import { describe, expect, test } from 'vitest';

describe('initBackend', () => {
  test("'auto' picks WebGPU (SwiftShader here) and says so", async () => {
    const selection = await initBackend('auto');
    expect(selection.backend).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(String(selection.details.adapter)).toMatch(/swiftshader/i);
    expect(selection.details.fallbackAdapter).toBe(true);
    expect(describeBackendSelection(selection)).toMatch(/^webgpu \(adapter/);
  });

  test("'auto' without WebGPU falls back to WASM and reports why", async () => {
    const gpu = Object.getOwnPropertyDescriptor(Navigator.prototype, 'gpu');
    Object.defineProperty(Navigator.prototype, 'gpu', { configurable: true, get: () => undefined });
    try {
      const selection = await initBackend('auto');
      expect(selection.backend).toBe('wasm');
      expect(selection.attempts[0]).toMatchObject({ backend: 'webgpu', ok: false, reason: expect.stringMatching(/no WebGPU/) });
      expect(describeBackendSelection(selection)).toMatch(/webgpu skipped: this browser has no WebGPU/);
    } finally {
      if (gpu) Object.defineProperty(Navigator.prototype, 'gpu', gpu);
    }
  });

  test('WASM uses SIMD and threads (the page is cross-origin isolated), from the .wasm files shipped in dist/', async () => {
    expect(crossOriginIsolated).toBe(true);
    expect(defaultWasmPath()).toMatch(/\/packages\/web\/dist\/$/);
    const head = await fetch(`${defaultWasmPath()}tfjs-backend-wasm-threaded-simd.wasm`, { method: 'HEAD' });
    expect(head.ok).toBe(true);
    const selection = await initBackend('wasm');
    expect(selection.details).toMatchObject({ simd: true, threadedBuild: true, crossOriginIsolated: true, training: true });
    expect(Number(selection.details.fastKernels)).toBeGreaterThan(0);
    expect(Number(selection.details.threads)).toBeGreaterThanOrEqual(1);
    const loaded = performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.wasm'));
    expect(loaded.every((n) => n.startsWith(defaultWasmPath()))).toBe(true);
    expect(loaded.some((n) => n.endsWith('tfjs-backend-wasm-threaded-simd.wasm'))).toBe(true);
  });

  test("for training, 'auto' picks WebGPU, and WASM (facerec's kernels) before CPU", async () => {
    const withoutGpu = await selectBackend('auto', [wasmBackendProvider({ task: 'training' }), browserCpuBackendProvider()]);
    expect(withoutGpu.backend).toBe('wasm');
    expect(withoutGpu.details).toMatchObject({ training: true });
    const auto = await initBackend('auto', { task: 'training' });
    expect(auto.backend).toBe('webgpu');
    expect((await initBackend('wasm', { task: 'training' })).backend).toBe('wasm');
  });

  test('unknown requests and unavailable backends fail with every reason', async () => {
    await expect(initBackend('tpu' as never)).rejects.toThrow(/unknown "tpu"/);
    const noAdapter = { ...webgpuBackendProvider(), init: () => Promise.reject(new Error('no WebGPU adapter')) };
    const error = await selectBackend('gpu', [noAdapter]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).failures).toEqual([{ backend: 'webgpu', reason: 'no WebGPU adapter' }]);
  });
});
