// Options shared by the browser backends.

/** What the backend will be used for: training needs gradient kernels that not every backend has. */
export type BackendTask = 'inference' | 'training';

/** Options of {@link initBackend} and the browser backend providers. */
export interface WebBackendOptions {
  /** Default 'inference'. With 'training', a backend without training kernels (WASM with `fastKernels: false`) is skipped, with the reason. */
  readonly task?: BackendTask;
  /**
   * Where tfjs's `.wasm` files are: a folder URL ending in '/' or a map from file name to URL (as tfjs's
   * `setWasmPaths`). Default: the folder of this package's own `dist/`, where the build copies them.
   */
  readonly wasmPaths?: string | Readonly<Record<string, string>>;
  /** WASM threads when the page is cross-origin isolated. Default: `navigator.hardwareConcurrency`, at most 8. */
  readonly threads?: number;
  /**
   * Install facerec's WASM SIMD kernels on the 'wasm' backend (default true): they train (stock tfjs WASM
   * cannot) and run convolutions on their own thread pool. With false only tfjs's stock kernels run.
   */
  readonly fastKernels?: boolean;
  /** WebGPU adapter preference. Default 'high-performance'. */
  readonly powerPreference?: 'high-performance' | 'low-power';
}

/** The tfjs kernel whose absence means a backend cannot train a convolutional network. */
export const TRAINING_KERNEL = 'Conv2DBackpropFilter';
