// Starts tfjs's multi-threaded SIMD WASM build in Node (tfjs itself only threads in browsers).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker as NodeWorker } from 'node:worker_threads';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { isWasmMemory, type TfjsWasmModule } from '@facerec/core/internal';

/** The parts of @tensorflow/tfjs-backend-wasm the loader uses (imported lazily by the caller). */
export type WasmPackage = Pick<typeof import('@tensorflow/tfjs-backend-wasm'), 'BackendWasm' | 'setThreadsCount'>;

/** Raised when the threaded build cannot start; the caller falls back to tfjs's own loader. */
export class WasmThreadsUnavailableError extends Error {
  override name = 'WasmThreadsUnavailableError';
}

interface FactoryConfig {
  locateFile(file: string, prefix: string): string;
  mainScriptUrlOrBlob: string;
}
type ModuleFactory = (config: FactoryConfig) => Promise<TfjsWasmModule>;

const requireHere = createRequire(import.meta.url);

function wasmPackageDir(): string {
  return path.dirname(requireHere.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
}

/**
 * Evaluates the Emscripten factory with these substitutions, all local to this evaluation:
 * - `os.cpus()` reports 2x the wanted threads, because the C side caps its pool at half the cores;
 * - `Worker` starts pthreads from the worker source held in memory (`eval: true`), so no file is written;
 * - `global` is a scratch object, so the factory does not install `globalThis.Worker`;
 * - `process.on` is a no-op, so it adds no process-wide exception handlers.
 */
function loadFactory(threads: number): { factory: ModuleFactory; factoryPath: string } {
  const dir = wasmPackageDir();
  const factoryPath = path.join(dir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  let src = readFileSync(factoryPath, 'utf8');
  // XNNPACK's pool uses threads - 1 pthreads (the caller is the other one), which must be pre-spawned: one
  // created later would need the event loop while its creator blocks. At least 1, or Emscripten's start-up
  // waits forever for a worker to load.
  src = src.replace('var pthreadPoolSize=8;', `var pthreadPoolSize=${Math.max(1, threads - 1)};`);
  const workerModule = requireHere(path.join(dir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  // The worker text is a template literal whose "\n" escapes became raw newlines inside string literals.
  const workerSrc = workerModule.wasmWorkerContents.replace(/\n/g, '\\n');
  const fakeOs = { ...os, cpus: () => new Array<os.CpuInfo>(threads * 2).fill(os.cpus()[0] as os.CpuInfo) };
  const localRequire = (id: string): unknown => (id === 'os' ? fakeOs : requireHere(id));
  function PthreadWorker(): NodeWorker {
    return new NodeWorker(workerSrc, { eval: true });
  }
  // Emscripten's Node glue installs process-wide handlers that rethrow every uncaught error; keep them local.
  const localProcess = Object.create(process, { on: { value: () => localProcess } }) as NodeJS.Process;
  const mod = { exports: {} as unknown };
  const run = new Function('require', 'module', 'exports', '__filename', '__dirname', 'global', 'Worker', 'process', src) as (
    ...args: unknown[]
  ) => void;
  run(localRequire, mod, mod.exports, factoryPath, path.dirname(factoryPath), {}, PthreadWorker, localProcess);
  if (typeof mod.exports !== 'function') {
    throw new WasmThreadsUnavailableError('the threaded tfjs WASM factory did not load');
  }
  return { factory: mod.exports as ModuleFactory, factoryPath };
}

/** Creates tfjs's wasm backend on the threaded SIMD build with `threads` XNNPACK threads. */
export async function createThreadedBackend(
  pkg: WasmPackage,
  threads: number,
): Promise<{ backend: BackendWasm; module: TfjsWasmModule }> {
  const { factory, factoryPath } = loadFactory(threads);
  const distDir = path.join(wasmPackageDir(), 'dist');
  const module = await factory({
    locateFile: (file) => (file.endsWith('.wasm') ? path.join(distDir, file) : file),
    mainScriptUrlOrBlob: factoryPath,
  });
  // Same bridge as tfjs's own init(), which the backend constructor relies on.
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  if (!isWasmMemory(module.wasmMemory) || !(module.wasmMemory.buffer instanceof SharedArrayBuffer)) {
    throw new WasmThreadsUnavailableError('the threaded tfjs WASM module has no shared memory');
  }
  pkg.setThreadsCount(threads);
  const backend = new pkg.BackendWasm(module as unknown as ConstructorParameters<WasmPackage['BackendWasm']>[0]);
  // The constructor started XNNPACK's pthreads, which Emscripten refs so that they keep Node alive; they
  // idle forever, so let the process exit without them.
  const pthreads = (module as unknown as { PThread?: { runningWorkers?: NodeWorker[]; unusedWorkers?: NodeWorker[] } }).PThread;
  for (const w of [...(pthreads?.runningWorkers ?? []), ...(pthreads?.unusedWorkers ?? [])]) w.unref();
  return { backend, module };
}
