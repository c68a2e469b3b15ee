// The backends @facerec/node can run on, as providers for core's selectBackend.
import type { BackendProvider } from '@facerec/core';
import { cpuBackendProvider } from '@facerec/core';
import { initWasmBackend } from './wasm/index.js';

/** Options for the Node backends. */
export interface NodeBackendOptions {
  /** WASM threads. Default: the number of CPU cores (at most 8). */
  readonly threads?: number;
}

/** WASM (SIMD, threads, facerec's training kernels) first, then tfjs's plain CPU backend. */
export function nodeBackendProviders(options: NodeBackendOptions = {}): BackendProvider[] {
  return [
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
