// The backends @facerec/web can run on, as providers for core's selectBackend.
import type { BackendProvider } from '@facerec/core';
import { browserCpuBackendProvider } from './cpu.js';
import type { WebBackendOptions } from './options.js';
import { wasmBackendProvider } from './wasm.js';
import { webgpuBackendProvider } from './webgpu.js';

/**
 * WebGPU, then WASM (SIMD, threads when cross-origin isolated, facerec's training kernels), then CPU. Each provider loads its tfjs backend
 * package only when tried. To keep a backend out of a bundle, pass your own list to `selectBackend`
 * (e.g. `selectBackend('auto', [wasmBackendProvider(), browserCpuBackendProvider()])`).
 */
export function webBackendProviders(options: WebBackendOptions = {}): BackendProvider[] {
  return [webgpuBackendProvider(options), wasmBackendProvider(options), browserCpuBackendProvider()];
}
