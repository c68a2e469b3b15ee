// Installs facerec's WASM SIMD kernels (training and fast convolutions) on tfjs's running 'wasm' backend in the page.
import * as tf from '@tensorflow/tfjs-core';
import { KernelRuntime, registerKernels, relaxedSimdValidates, type WasmBackend } from '@facerec/core/internal';
import { WebKernelPool } from './kernel-pool.js';

/** What {@link installWasmKernels} set up. */
export interface WasmKernelsInfo {
  /** Threads running facerec's kernels: the page's own plus its workers (1 when the page is not isolated). */
  readonly threads: number;
  /** Whether the FMA (relaxed SIMD) build runs; only with the shared-memory (threaded) tfjs build. */
  readonly relaxedSimd: boolean;
  /** Names of the kernels registered for 'wasm'. */
  readonly kernels: readonly string[];
  /** Why fewer threads run than were asked for, when they do. */
  readonly fallbackReason?: string;
}

let installed: Promise<WasmKernelsInfo> | null = null;

/**
 * Instantiates facerec's kernel module on the memory of tfjs's active 'wasm' backend and registers its kernels
 * (each keeps the stock one as fallback). On the threaded build (a cross-origin isolated page) the memory is
 * shared and `threads - 1` Web Workers take part; otherwise the kernels run single-threaded on the page's thread.
 * Idempotent: later calls return the first call's info.
 */
export function installWasmKernels(threads: number): Promise<WasmKernelsInfo> {
  installed ??= install(threads).catch((e: unknown) => {
    installed = null;
    throw e;
  });
  return installed;
}

async function install(threads: number): Promise<WasmKernelsInfo> {
  if (tf.getBackend() !== 'wasm') throw new Error("facerec's WASM kernels need tfjs's 'wasm' backend active");
  const backend = tf.backend() as unknown as WasmBackend;
  const relaxedSimd = relaxedSimdValidates();
  const startPool = WebKernelPool.start;
  let fallbackReason: string | undefined;
  let rt: KernelRuntime;
  try {
    rt = await KernelRuntime.create(backend, { threads, relaxedSimd, startPool });
  } catch (e) {
    if (threads <= 1) throw e;
    fallbackReason = `kernel workers failed to start: ${e instanceof Error ? e.message : String(e)}`;
    rt = await KernelRuntime.create(backend, { threads: 1, relaxedSimd });
  }
  const kernels = registerKernels(rt);
  const info = { threads: rt.threads, relaxedSimd: rt.relaxedSimd, kernels };
  return fallbackReason === undefined ? info : { ...info, fallbackReason };
}
