// Backend selection for the browser: 'auto' | 'gpu' | 'webgpu' | 'wasm' | 'cpu', reporting what was chosen and why.
export { initBackend } from './init.js';
export { switchBackend } from './switch.js';
export type { BackendSwitch } from './switch.js';
export { webBackendProviders } from './providers.js';
export { webgpuBackendProvider } from './webgpu.js';
export { wasmBackendProvider, defaultWasmPath } from './wasm.js';
export { browserCpuBackendProvider } from './cpu.js';
export { warmup } from './warmup.js';
export type { WarmupOptions, WarmupResult } from './warmup.js';
export { TRAINING_KERNEL } from './options.js';
export type { BackendTask, WebBackendOptions } from './options.js';

