// The backends @facerec/node can run on, as providers for core's selectBackend.
import type { BackendProvider } from '@facerec/core';
import { cpuBackendProvider } from '@facerec/core';
import { initWasmBackend } from './wasm/index.js';
import { initWebGpuBackend } from './webgpu/index.js';

/** Options for the Node backends. */
export interface NodeBackendOptions {
  /** WASM threads. Default: the number of CPU cores (at most 8). */
  readonly threads?: number;
  /** WebGPU adapter preference. Default 'high-performance'. */
  readonly powerPreference?: 'high-performance' | 'low-power';
}

/**
 * WebGPU through Dawn (a hardware adapter for 'auto'; any adapter for 'gpu'), then WASM (SIMD, threads, facerec's
 * training kernels), then tfjs's plain CPU backend.
 */
export function nodeBackendProviders(options: NodeBackendOptions = {}): BackendProvider[] {
  return [
    {
      name: 'webgpu',
      priority: 3,
      async init(context) {
        // A software adapter (lavapipe on a machine without GPU) is much slower than WASM: only on explicit request.
        const info = await initWebGpuBackend({
          allowSoftwareAdapter: context?.request !== 'auto',
          ...(options.powerPreference ? { powerPreference: options.powerPreference } : {}),
        });
        return {
          adapter: info.adapter,
          software: info.software,
          maxBufferSize: info.limits['maxBufferSize'] ?? 0,
          maxStorageBufferBindingSize: info.limits['maxStorageBufferBindingSize'] ?? 0,
          fastKernels: info.fastKernels,
        };
      },
    },
    {
      name: 'wasm',
      priority: 2,
      async init() {
        const info = await initWasmBackend({ ...(options.threads ? { threads: options.threads } : {}) });
        return { threads: info.threads, simd: info.simd, threaded: info.threaded, fastKernels: info.fastKernels };
      },
    },
    {
      ...cpuBackendProvider,
      async init() {
        // Imported here, not at module load, so importing @facerec/node registers nothing by itself.
        await import('@tensorflow/tfjs-backend-cpu');
        return cpuBackendProvider.init();
      },
    },
  ];
}
