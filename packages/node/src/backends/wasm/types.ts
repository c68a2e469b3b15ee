// Types shared by the WASM backend loader, thread pool and kernels.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { WasmMemory } from './wasm-api.js';

/** Options of {@link initWasmBackend}. */
export interface InitWasmBackendOptions {
  /**
   * Threads for facerec's kernels (default: available cores, at most 8). tfjs's XNNPACK pool gets the same
   * count when `fastKernels` is false, and one thread otherwise (only small ops still reach it).
   */
  threads?: number;
  /** Register facerec's own SIMD kernels (default true). With false only tfjs's stock kernels run. */
  fastKernels?: boolean;
}

/** What {@link initWasmBackend} set up. */
export interface WasmBackendInfo {
  backend: 'wasm';
  /** Threads running the heavy kernels (1 when threads could not start). */
  threads: number;
  simd: boolean;
  /** Whether the multi-threaded tfjs build and facerec's worker pool are running. */
  threaded: boolean;
  /** Names of the kernels facerec registered for the 'wasm' backend. */
  fastKernels: string[];
  /** Whether the kernels run their FMA build (WebAssembly relaxed SIMD); absent without fast kernels. */
  relaxedSimd?: boolean;
  /** Why the loader fell back to a single thread, when it did. */
  fallbackReason?: string;
}

/** The parts of tfjs's Emscripten module the kernels use. */
export interface TfjsWasmModule {
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  HEAPU8: Uint8Array;
  wasmMemory?: WasmMemory;
  cwrap(name: string, ret: string | null, args: string[]): (...args: number[]) => number;
  tfjs: {
    init(): void;
    initWithThreadsCount(threadsCount: number): void;
    getThreadsCount(): number;
    registerTensor(id: number, size: number, memoryOffset: number): void;
    disposeData(id: number): void;
    dispose(): void;
  };
}

/** tfjs's wasm backend seen through the fields the kernels use. */
export type WasmBackend = BackendWasm;
