// The WebGPU backend provider: used when the browser exposes an adapter (SwiftShader counts, and says so).
import * as tf from '@tensorflow/tfjs-core';
import { watchGpuDevice } from '@facerec/core';
import type { BackendDetails, BackendProvider } from '@facerec/core';
import type { WebBackendOptions } from './options.js';

/** The part of the WebGPU API the provider reads; declared here so users need no @webgpu/types. */
interface GpuAdapterLike {
  readonly info?: { readonly vendor?: string; readonly architecture?: string; readonly description?: string };
  readonly isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

function adapterName(adapter: GpuAdapterLike): string {
  const info = adapter.info ?? {};
  return [info.vendor, info.architecture, info.description].filter((s) => s).join(' ') || 'unknown adapter';
}

/**
 * Provider for tfjs's 'webgpu' backend (priority 3: first for 'auto'). It checks for an adapter before loading
 * tfjs-backend-webgpu, and watches the device for uncaptured errors (see {@link onWebGpuError}).
 */
export function webgpuBackendProvider(options: WebBackendOptions = {}): BackendProvider {
  return {
    name: 'webgpu',
    priority: 3,
    async init(): Promise<BackendDetails> {
      const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
      if (!gpu) {
        throw new Error(globalThis.isSecureContext === false ? 'WebGPU needs a secure context (https or localhost)' : 'this browser has no WebGPU (navigator.gpu is missing)');
      }
      const powerPreference = options.powerPreference ?? 'high-performance';
      const adapter = await gpu.requestAdapter({ powerPreference });
      if (!adapter) throw new Error('no WebGPU adapter (navigator.gpu.requestAdapter() returned null)');
      // Imported only now: the package registers its backend (and its flags) when loaded.
      await import('@tensorflow/tfjs-backend-webgpu');
      tf.env().set('WEBGPU_USE_LOW_POWER_GPU', powerPreference === 'low-power');
      if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend("webgpu") failed');
      await tf.ready();
      watchGpuDevice((tf.backend() as unknown as { device?: unknown }).device);
      const name = adapterName(adapter);
      return {
        adapter: name,
        fallbackAdapter: adapter.isFallbackAdapter === true || /swiftshader/i.test(name),
        training: true,
      };
    },
  };
}
