// facerec's WASM SIMD kernels for tfjs's 'wasm' backend, platform-free: node and web add a loader and a thread pool.
export { KernelRuntime, KernelModuleError, type KernelRuntimeOptions } from './runtime.js';
export { registerKernels } from './register.js';
export { PackedWeightCache, PACKED_WEIGHT_BUDGET, type PackedWeightHost } from './packed-weights.js';
export { ADAM_KERNEL_NAME, type AdamUpdateAttrs } from './kernels/adam-update.js';
export { JOB } from './jobs.js';
export {
  DEFAULT_SPIN,
  KernelWorkerError,
  PoolControl,
  workerLoopSource,
  type KernelPool,
  type PoolWorkerData,
  type RunFn,
  type StartKernelPool,
} from './pool.js';
export { relaxedSimdValidates } from './relaxed-simd.js';
export { isWasmMemory, wasmApi, type WasmInstance, type WasmMemory, type WasmModule } from './wasm-api.js';
export type { TfjsWasmModule, WasmBackend } from './types.js';
