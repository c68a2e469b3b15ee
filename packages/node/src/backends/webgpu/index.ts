// Public entry of the WebGPU backend for Node: Dawn's adapter and device under tfjs-backend-webgpu, with facerec's kernels.
import * as tf from '@tensorflow/tfjs-core';
import { watchGpuDevice } from '@facerec/core';
import { describeAdapter } from './adapter.js';
import { requestAdapter } from './dawn.js';
import { useWebGpuFastKernels } from './register.js';
import { cachedTrainingSpeed } from './speed-probe.js';
import type { GpuAdapterLike, InitWebGpuBackendOptions, WebGpuBackendInfo } from './types.js';

export type { InitWebGpuBackendOptions, WebGpuBackendInfo } from './types.js';
export { useWebGpuFastKernels } from './register.js';
export { countWebGpuDispatches } from './dispatch-counter.js';
export type { WebGpuDispatchCount } from './dispatch-counter.js';

/** tfjs's own priority for 'webgpu'. */
const WEBGPU_PRIORITY = 3;

let initialized: Promise<WebGpuBackendInfo> | null = null;

/**
 * Makes tfjs's 'webgpu' backend the active one, on the adapter Dawn (the optional `webgpu` package) finds through
 * Vulkan on Linux. Idempotent once it succeeded: later calls make it active again and return the first info (a
 * software adapter is refused on every call with `allowSoftwareAdapter: false`). Read results with `await
 * tensor.data()`: `dataSync()` cannot read GPU memory in Node.
 *
 * With `requireFasterThanWasm` (the default where `allowSoftwareAdapter` is false, as for 'auto'), a small
 * convolution training step is timed once on the GPU and on WASM, and the GPU is refused where it is slower.
 *
 * @throws Error saying why: no `webgpu` package, no adapter, a software adapter refused, the GPU slower than WASM, or no device.
 */
export async function initWebGpuBackend(options: InitWebGpuBackendOptions = {}): Promise<WebGpuBackendInfo> {
  const refuseSoftware = options.allowSoftwareAdapter === false;
  // Checked on every call, so that 'auto' skips a software adapter even after 'gpu' started the backend on it.
  if (initialized === null && refuseSoftware) await refuseSoftwareAdapter(options);
  initialized ??= setUp(options).catch((e: unknown) => {
    initialized = null;
    throw e;
  });
  const info = await initialized;
  if (refuseSoftware && info.software) throw softwareAdapterSkipped(info.adapter);
  if (options.requireFasterThanWasm ?? refuseSoftware) await refuseIfSlower(info.adapter);
  if (tf.getBackend() !== 'webgpu' && !(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend("webgpu") failed');
  return info;
}

function softwareAdapterSkipped(name: string): Error {
  return new Error(`software adapter skipped (${name}); request backend 'gpu' to use it anyway`);
}

/** Throws when the startup probe ran slower on the GPU than on WASM (a failed WASM start leaves the GPU chosen). */
async function refuseIfSlower(adapter: string): Promise<void> {
  const { webgpuMs, wasmMs } = await cachedTrainingSpeed().catch(() => ({ webgpuMs: 0, wasmMs: Number.POSITIVE_INFINITY }));
  if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend("webgpu") failed');
  if (webgpuMs > wasmMs) {
    throw new Error(
      `${adapter} is slower than WASM here (a convolution training step: ${webgpuMs.toFixed(1)} ms on the GPU, ${wasmMs.toFixed(1)} ms on WASM); request backend 'gpu' to use it anyway`,
    );
  }
}

/** Throws before any device is made when the adapter Dawn offers is a software one. */
async function refuseSoftwareAdapter(options: InitWebGpuBackendOptions): Promise<void> {
  const adapter = await requestAdapter(options.powerPreference ?? 'high-performance');
  const described = adapter ? describeAdapter(adapter) : null;
  if (described?.software) throw softwareAdapterSkipped(described.name);
}

type WebGpuPackage = { WebGPUBackend: new (device: unknown, adapterInfo?: unknown) => tf.KernelBackend };

async function loadWebGpuPackage(): Promise<WebGpuPackage> {
  // Imported here, not at the top: the package registers its kernels (and flags) for 'webgpu' when loaded.
  const mod = (await import('@tensorflow/tfjs-backend-webgpu')) as unknown as WebGpuPackage & { default?: WebGpuPackage };
  return typeof mod.WebGPUBackend === 'function' ? mod : (mod.default as WebGpuPackage);
}

/**
 * The device tfjs's own factory asks for (its features, the adapter's largest limits), plus the adapter's storage
 * buffer count: tfjs's AddN binds up to 9 buffers, over WebGPU's default of 8, and then fails only in the console.
 */
function deviceDescriptor(adapter: GpuAdapterLike): object {
  const limits = adapter.limits as Record<string, number>;
  const pick = [
    'maxComputeWorkgroupStorageSize', 'maxComputeWorkgroupsPerDimension', 'maxStorageBufferBindingSize', 'maxBufferSize',
    'maxComputeWorkgroupSizeX', 'maxComputeInvocationsPerWorkgroup', 'maxStorageBuffersPerShaderStage',
  ];
  return {
    requiredFeatures: ['timestamp-query'].filter((f) => adapter.features.has(f)),
    requiredLimits: Object.fromEntries(pick.map((k) => [k, limits[k]])),
  };
}

async function setUp(options: InitWebGpuBackendOptions): Promise<WebGpuBackendInfo> {
  const adapter = await requestAdapter(options.powerPreference ?? 'high-performance');
  if (!adapter) throw new Error('no WebGPU adapter (Dawn found no Vulkan device: install libvulkan1 and a Vulkan driver, and set XDG_RUNTIME_DIR)');
  const described = describeAdapter(adapter);
  const pkg = await loadWebGpuPackage();
  const engine = tf.engine() as unknown as { registry: Record<string, unknown> };
  if (engine.registry['webgpu'] === undefined) {
    // A new device per registration: tfjs owns it from here and destroys it with the backend.
    const device = await adapter.requestDevice(deviceDescriptor(adapter));
    if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
    tf.registerBackend('webgpu', () => new pkg.WebGPUBackend(device, adapter.info), WEBGPU_PRIORITY);
  }
  if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend("webgpu") failed');
  await tf.ready();
  watchGpuDevice((tf.backend() as unknown as { device?: unknown }).device);
  const fastKernels = useWebGpuFastKernels(options.fastKernels !== false);
  return {
    backend: 'webgpu',
    adapter: described.name,
    vendor: described.vendor,
    architecture: described.architecture,
    description: described.description,
    software: described.software,
    limits: described.limits,
    fastKernels,
  };
}
