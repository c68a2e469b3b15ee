// The parts of the WebGPU API the Node backend reads, declared here so users need no @webgpu/types.

export interface GpuAdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  readonly isFallbackAdapter?: boolean;
}

export interface GpuAdapterLike {
  readonly info?: GpuAdapterInfoLike;
  readonly isFallbackAdapter?: boolean;
  readonly features: { has(name: string): boolean };
  readonly limits: object;
  requestDevice(descriptor?: object): Promise<GpuDeviceLike>;
}

export interface GpuDeviceLike {
  readonly lost?: Promise<unknown>;
  destroy(): void;
}

export interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

/** Options of {@link initWebGpuBackend}. */
export interface InitWebGpuBackendOptions {
  /**
   * Accept a software adapter (Mesa lavapipe/llvmpipe, SwiftShader, any CPU adapter). Default true; 'auto'
   * selection passes false, since such an adapter is far slower than the WASM kernels.
   */
  readonly allowSoftwareAdapter?: boolean;
  /**
   * Time a small convolution training step on the GPU and on WASM once, and refuse the GPU where it is slower.
   * Default: true where `allowSoftwareAdapter` is false ('auto'), else false.
   */
  readonly requireFasterThanWasm?: boolean;
  /**
   * Register facerec's WGSL kernels (filter gradient, fused Adam, fused batch normalisation in training). Default
   * true; false keeps tfjs's stock kernels.
   */
  readonly fastKernels?: boolean;
  /** Default 'high-performance'. */
  readonly powerPreference?: 'high-performance' | 'low-power';
}

/** What {@link initWebGpuBackend} started. */
export interface WebGpuBackendInfo {
  readonly backend: 'webgpu';
  /** The adapter as one line: vendor, architecture and description. */
  readonly adapter: string;
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  /** True for a CPU/software adapter (lavapipe, llvmpipe, SwiftShader). */
  readonly software: boolean;
  /** The adapter's limits (maxBufferSize, maxStorageBufferBindingSize, maxComputeWorkgroupSizeX, ...). */
  readonly limits: Readonly<Record<string, number>>;
  /** facerec's kernels registered for 'webgpu' (empty with fastKernels: false). */
  readonly fastKernels: readonly string[];
}
