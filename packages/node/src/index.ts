// @facerec/node: everything from @facerec/core plus Node I/O (images, datasets, model folders) and backends.
export * from '@facerec/core';
export * from './image/index.js';
export * from './dataset/index.js';
export * from './io/index.js';
export { initBackend, nodeBackendProviders } from './backends/index.js';
export type { NodeBackendOptions } from './backends/index.js';
export { initWasmBackend } from './backends/wasm/index.js';
export type { InitWasmBackendOptions, WasmBackendInfo } from './backends/wasm/index.js';
export { countWebGpuDispatches, initWebGpuBackend, useWebGpuFastKernels } from './backends/webgpu/index.js';
export type { InitWebGpuBackendOptions, WebGpuBackendInfo, WebGpuDispatchCount } from './backends/webgpu/index.js';
export * from './models/index.js';
export * from './gallery/index.js';
export * from './stores/index.js';
export * from './recognizer/index.js';
export * from './video/index.js';
export * from './explain/index.js';
