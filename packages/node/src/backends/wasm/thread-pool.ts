// Node's kernel thread pool: worker_threads running core's pool protocol on tfjs's shared memory.
import { Worker } from 'node:worker_threads';
import { DEFAULT_SPIN, KernelWorkerError, PoolControl, workerLoopSource, type KernelPool, type RunFn, type WasmMemory, type WasmModule } from '@facerec/core/internal';

// Plain CommonJS run with `eval: true`, so bundlers never need to locate a worker file.
const WORKER_SOURCE = `
const { parentPort, workerData: data } = require('node:worker_threads');
const ready = () => parentPort.postMessage({ ready: true });
// Only instantiation can throw here: a job's trap is caught inside the loop.
try {
${workerLoopSource()}
} catch (e) {
  parentPort.postMessage({ error: String(e && e.message || e) });
  throw e;
}
`;

/** Runs jobs on the main thread plus `size - 1` workers, each doing the static share of its thread index. */
export class ThreadPool implements KernelPool {
  readonly size: number;
  private readonly control: PoolControl;
  private readonly workers: Worker[] = [];

  private constructor(size: number, spin: number) {
    this.size = size;
    // Node's main thread may sleep in Atomics.wait once its spin is over.
    this.control = new PoolControl(() => this.workers.length, spin, true);
  }

  /** Starts `size - 1` workers instantiating `module` on `memory`; resolves once all are ready. */
  static async start(module: WasmModule, memory: WasmMemory, size: number, spin = DEFAULT_SPIN): Promise<ThreadPool> {
    const pool = new ThreadPool(size, spin);
    const ready: Promise<void>[] = [];
    for (let tid = 1; tid < size; tid++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: pool.control.workerData(module, memory, tid, size - 1) });
      // The pool must never keep the process alive.
      worker.unref();
      pool.workers.push(worker);
      ready.push(
        new Promise<void>((resolve, reject) => {
          worker.once('message', (msg: { ready?: boolean; error?: string }) =>
            msg.ready ? resolve() : reject(new KernelWorkerError(`kernel worker failed to start: ${msg.error ?? 'unknown'}`)),
          );
          worker.once('error', reject);
        }),
      );
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      await pool.terminate();
      throw e;
    }
    return pool;
  }

  /** Runs `job` on `nt` threads (main thread included) and returns when every share is done. */
  run(main: RunFn, job: number, args: number, nt: number): void {
    this.control.run(main, job, args, nt, this.size);
  }

  /** Stops the workers (used on fallback and in tests). */
  async terminate(): Promise<void> {
    this.control.exit();
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
