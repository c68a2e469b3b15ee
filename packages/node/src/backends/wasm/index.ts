// Public entry of the multi-threaded WASM backend: initWasmBackend() and its types.
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { KernelRuntime, MAX_THREADS, registerKernels, type WasmBackend, type WasmMemory } from '@facerec/core/internal';
import { createThreadedBackend, type WasmPackage } from './loader.js';
import { relaxedSimdAvailable } from './relaxed-simd.js';
import { ThreadPool } from './thread-pool.js';
import type { InitWasmBackendOptions, WasmBackendInfo } from './types.js';

export type { InitWasmBackendOptions, WasmBackendInfo } from './types.js';
export { ADAM_KERNEL_NAME, type AdamUpdateAttrs } from '@facerec/core/internal';

/** tfjs's own priority for 'wasm', kept so importing facerec changes no default. */
const WASM_PRIORITY = 2;

let initialized: Promise<WasmBackendInfo> | null = null;
let runtime: KernelRuntime | null = null;

/** Bytes of packed filters the kernels keep for reuse (0 without facerec's kernels); for tests and diagnostics. */
export function packedWeightBytes(): number {
  return runtime?.weights.size ?? 0;
}

/**
 * Makes tfjs's 'wasm' backend the active one, multi-threaded in Node, with facerec's SIMD kernels
 * (convolution and its gradients, pooling, matmul, reductions, fused Adam). Idempotent: later calls
 * return the first call's info, whatever their options.
 */
export function initWasmBackend(options: InitWasmBackendOptions = {}): Promise<WasmBackendInfo> {
  initialized ??= setUp(options).catch((e: unknown) => {
    initialized = null;
    throw e;
  });
  return initialized;
}

async function loadWasmPackage(): Promise<WasmPackage> {
  // Imported here, not at the top: the package registers tfjs's wasm backend as a side effect.
  const mod = (await import('@tensorflow/tfjs-backend-wasm')) as WasmPackage & { default?: WasmPackage };
  return typeof mod.BackendWasm === 'function' ? mod : (mod.default as WasmPackage);
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function setUp(options: InitWasmBackendOptions): Promise<WasmBackendInfo> {
  const wanted = Math.max(1, Math.min(MAX_THREADS, Math.floor(options.threads ?? availableParallelism())));
  const fast = options.fastKernels ?? true;
  const pkg = await loadWasmPackage();
  let fallbackReason: string | undefined;
  const engine = tf.engine() as unknown as { registry: Record<string, unknown> };

  if (engine.registry['wasm'] !== undefined) {
    // Replacing a live backend would drop its tensors: keep whatever tfjs already started.
    fallbackReason = 'the wasm backend was already initialized before initWasmBackend()';
  } else if (wanted > 1 || fast) {
    // The threaded build is needed for its shared memory (also with one thread, so that results do not
    // depend on the thread count: the same FMA kernels run). With facerec's kernels XNNPACK keeps one
    // thread: only small ops still reach it, and its idle pthreads measurably slowed the kernel workers
    // (seed CNN step 115 -> 100 ms median).
    const stockFactory = tf.findBackendFactory('wasm');
    let threadError: unknown;
    tf.removeBackend('wasm');
    tf.registerBackend(
      'wasm',
      async () => {
        try {
          return (await createThreadedBackend(pkg, fast ? 1 : wanted)).backend;
        } catch (e) {
          threadError = e;
          throw e;
        }
      },
      WASM_PRIORITY,
    );
    if (!(await tf.setBackend('wasm'))) {
      fallbackReason = `threaded WASM failed to start: ${errorMessage(threadError)}`;
      tf.removeBackend('wasm');
      if (stockFactory) tf.registerBackend('wasm', stockFactory, WASM_PRIORITY);
    }
  }
  if (tf.getBackend() !== 'wasm' && !(await tf.setBackend('wasm'))) {
    throw new Error('the tfjs wasm backend failed to initialize');
  }
  const backend = tf.backend() as unknown as WasmBackend;
  const memory = (backend.wasm as unknown as { wasmMemory?: WasmMemory }).wasmMemory;
  const shared = memory !== undefined && memory.buffer instanceof SharedArrayBuffer && fallbackReason === undefined;

  let fastKernels: string[] = [];
  let threads = shared ? wanted : 1;
  let relaxedSimd: boolean | undefined;
  if (fast) {
    let rt: KernelRuntime;
    try {
      rt = await KernelRuntime.create(backend, { threads, relaxedSimd: shared && relaxedSimdAvailable(), startPool: (m, mem, n) => ThreadPool.start(m, mem, n) });
    } catch (e) {
      if (threads === 1) throw e;
      fallbackReason = `kernel workers failed to start: ${errorMessage(e)}`;
      threads = 1;
      rt = await KernelRuntime.create(backend, { threads: 1, relaxedSimd: shared && relaxedSimdAvailable() });
    }
    fastKernels = registerKernels(rt);
    runtime = rt;
    relaxedSimd = rt.relaxedSimd;
  }
  const simd = shared || Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const info: WasmBackendInfo = { backend: 'wasm', threads, simd, threaded: shared && threads > 1, fastKernels };
  if (relaxedSimd !== undefined) info.relaxedSimd = relaxedSimd;
  if (fallbackReason !== undefined) info.fallbackReason = fallbackReason;
  return info;
}
