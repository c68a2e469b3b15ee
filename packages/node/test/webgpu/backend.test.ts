// WebGPU backend selection in Node: adapter description, 'gpu' on any adapter, 'auto' skipping software adapters.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '@facerec/node';
import { describeAdapter, readLimits } from '../../src/backends/webgpu/adapter';
import { initWebGpuBackend } from '../../src/backends/webgpu/index';
import { probeTrainingSpeed } from '../../src/backends/webgpu/speed-probe';
import { failWithoutRequiredAdapter, probeWebGpu } from './helpers';

const gpu = await probeWebGpu();

class Limits {
  get maxBufferSize(): number {
    return 1024;
  }
  get maxComputeWorkgroupSizeX(): number {
    return 256;
  }
}

const adapter = (info: Record<string, string | boolean>, isFallbackAdapter = false) => ({
  info, isFallbackAdapter, features: new Set<string>(), limits: new Limits(), requestDevice: () => Promise.reject(new Error('unused')),
});

describe('describeAdapter', () => {
  it('names the adapter and reads limits defined as prototype getters', () => {
    const d = describeAdapter(adapter({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100 80GB HBM3' }));
    expect(d).toMatchObject({ name: 'nvidia hopper NVIDIA H100 80GB HBM3', software: false });
    expect(d.limits).toEqual({ maxBufferSize: 1024, maxComputeWorkgroupSizeX: 256 });
    expect(readLimits({})).toEqual({});
  });

  it.each([
    ['lavapipe', { vendor: 'mesa', architecture: 'software', device: 'llvmpipe-llvm-15', description: 'llvmpipe: Mesa 25.0.7' }],
    ['SwiftShader', { vendor: 'google', architecture: '', description: 'SwiftShader Device (Subzero)' }],
    ['a CPU device', { vendor: 'intel', description: 'CPU' }],
  ])('calls %s a software adapter', (_, info) => {
    expect(describeAdapter(adapter(info)).software).toBe(true);
  });

  it('trusts isFallbackAdapter', () => {
    expect(describeAdapter(adapter({ vendor: 'x', description: 'y' }, true)).software).toBe(true);
    expect(describeAdapter(adapter({ vendor: 'amd', architecture: 'rdna-3', description: 'AMD Radeon RX 7900' })).software).toBe(false);
  });
});

failWithoutRequiredAdapter(gpu);

describe.skipIf(!gpu.info)(`initBackend with WebGPU ${gpu.reason}`, () => {
  it("'gpu' runs on the adapter and reports its name and limits", async () => {
    const selection = await initBackend('gpu');
    expect(selection.backend).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(selection.details['adapter']).toBe(gpu.info!.adapter);
    expect(selection.details['maxStorageBufferBindingSize']).toBeGreaterThan(0);
    expect(selection.details['fastKernels']).toContain('Conv2DBackpropFilter');
    expect(gpu.info!.limits['maxComputeWorkgroupSizeX']).toBeGreaterThanOrEqual(64);
    const t = tf.tensor1d([1, 2, 3]);
    const doubled = tf.mul(t, 2);
    expect(Array.from(await doubled.data())).toEqual([2, 4, 6]);
    tf.dispose([t, doubled]);
  });

  // One of these two runs, depending on the adapter; the other says why it is skipped.
  const software = gpu.info?.software === true;
  const adapterName = gpu.info?.adapter ?? '';
  it.runIf(software)(`'auto' skips a software adapter with that reason${software ? '' : ` (skipped: ${adapterName} is hardware)`}`, async () => {
    const selection = await initBackend('auto', { threads: 1 });
    expect(selection.backend).toBe('wasm');
    expect(selection.attempts[0]).toMatchObject({ backend: 'webgpu', ok: false });
    expect(selection.attempts[0]!.reason).toMatch(/^software adapter skipped/);
  });

  it.skipIf(software)(`'auto' takes a hardware adapter unless it is slower than WASM${software ? ` (skipped: needs a hardware GPU; this machine has only ${adapterName})` : ''}`, async () => {
    const selection = await initBackend('auto', { threads: 1 });
    if (selection.backend !== 'webgpu') expect(selection.attempts[0]!.reason).toMatch(/is slower than WASM here/);
  });

  it('refuses an adapter slower than WASM on a training probe, when asked to', async () => {
    // A batch of 1: the default probe takes minutes on lavapipe. The first probe is the process's answer.
    const probe = await probeTrainingSpeed({ runs: 1, batch: 1 });
    expect(probe.webgpuMs).toBeGreaterThan(0);
    expect(probe.wasmMs).toBeGreaterThan(0);
    expect(tf.getBackend()).toBe('webgpu');
    // The decision follows the process's probe either way (on a loaded host a batch of 1 can go either way on lavapipe).
    const asked = initWebGpuBackend({ allowSoftwareAdapter: true, requireFasterThanWasm: true });
    if (probe.webgpuMs > probe.wasmMs) await expect(asked).rejects.toThrow(/is slower than WASM here .* request backend 'gpu'/);
    else await expect(asked).resolves.toMatchObject({ backend: 'webgpu' });
    // 'gpu' (no requirement) still takes it.
    await expect(initWebGpuBackend({ allowSoftwareAdapter: true })).resolves.toMatchObject({ backend: 'webgpu' });
  });
});
