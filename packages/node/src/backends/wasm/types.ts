// Options and result of initWasmBackend, and the tfjs WASM types the loader shares with core's kernels.

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

export type { TfjsWasmModule, WasmBackend } from '@facerec/core/internal';
