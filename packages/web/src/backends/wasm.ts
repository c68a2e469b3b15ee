// The WASM backend provider: tfjs's SIMD build, threaded when the page is cross-origin isolated, with facerec's kernels.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendDetails, BackendProvider } from '@facerec/core';
import { MAX_THREADS } from '@facerec/core/internal';
import { TRAINING_KERNEL } from './options.js';
import type { WebBackendOptions } from './options.js';
import { installWasmKernels } from './wasm-kernels.js';

/**
 * The folder the `.wasm` files are fetched from by default: this module's own folder, i.e. `dist/` of the
 * installed package, where the build copies tfjs-backend-wasm's binaries. A bundler that moves this module
 * elsewhere needs `wasmPaths` (or the files copied next to the bundle).
 */
export function defaultWasmPath(): string {
  // Not `new URL('./', import.meta.url)`: bundlers (vite) rewrite that literal pattern into an asset URL.
  const url = import.meta.url;
  return url.slice(0, url.lastIndexOf('/') + 1);
}

/**
 * Provider for tfjs's 'wasm' backend (priority 2). Sets the `.wasm` location before tfjs first loads it, and
 * the thread count when threads are possible (SharedArrayBuffer needs COOP/COEP headers). Then, unless
 * `fastKernels` is false, installs facerec's WASM SIMD kernels (convolutions and their gradients, pooling,
 * matmul, fused Adam), threaded on Web Workers when the page is cross-origin isolated. With `task: 'training'`
 * it refuses when no training kernel is registered for wasm (stock tfjs WASM has none).
 */
export function wasmBackendProvider(options: WebBackendOptions = {}): BackendProvider {
  return {
    name: 'wasm',
    priority: 2,
    async init(): Promise<BackendDetails> {
      // Imported only now: the package registers its backend when loaded.
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const fast = options.fastKernels ?? true;
      if (options.task === 'training' && !fast && tf.getKernel(TRAINING_KERNEL, 'wasm') === undefined) {
        throw new Error(`tfjs's WASM backend has no training kernels (${TRAINING_KERNEL} is missing) and fastKernels is false`);
      }
      const isolated = globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';
      const path = options.wasmPaths ?? defaultWasmPath();
      const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
      const wanted = Math.max(1, Math.min(MAX_THREADS, Math.floor(options.threads ?? cores)));
      // Both must be set before the backend first initialises; once it has, tfjs keeps what it loaded.
      if (!tf.engine().registry['wasm']) {
        wasm.setWasmPaths(path as Parameters<typeof wasm.setWasmPaths>[0]);
        wasm.setThreadsCount(wanted);
      }
      if (!(await tf.setBackend('wasm'))) throw new Error(`tf.setBackend("wasm") failed: could the .wasm files be fetched from ${typeof path === 'string' ? path : 'wasmPaths'}?`);
      await tf.ready();
      const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
      const threaded = isolated && (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true;
      // Threads need the threaded build's shared memory; without it the kernels run on the page's thread.
      const kernels = fast ? await installWasmKernels(threaded ? wanted : 1) : null;
      if (options.task === 'training' && tf.getKernel(TRAINING_KERNEL, 'wasm') === undefined) {
        throw new Error(`tfjs's WASM backend has no training kernels (${TRAINING_KERNEL} is missing)`);
      }
      return {
        simd,
        // The threaded build runs when the page is isolated; XNNPACK then reports the threads it could start
        // (tfjs pre-spawns hardwareConcurrency / 2 workers, so a 2-core machine gets 1).
        threadedBuild: threaded,
        threads: threaded ? wasm.getThreadsCount() : 1,
        crossOriginIsolated: isolated,
        training: tf.getKernel(TRAINING_KERNEL, 'wasm') !== undefined,
        // facerec's kernels: how many registered, on how many threads, and whether their FMA build runs.
        fastKernels: kernels?.kernels.length ?? 0,
        ...(kernels ? { kernelThreads: kernels.threads, relaxedSimd: kernels.relaxedSimd } : {}),
        ...(kernels?.fallbackReason !== undefined ? { kernelFallback: kernels.fallbackReason } : {}),
      };
    },
  };
}
