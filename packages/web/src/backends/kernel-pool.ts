// The browser's kernel thread pool: Web Workers (from a Blob, no worker file to serve) running core's pool protocol.
import { DEFAULT_SPIN, KernelWorkerError, PoolControl, workerLoopSource, type KernelPool, type RunFn, type WasmMemory, type WasmModule } from '@facerec/core/internal';

// A classic worker: its first message is the pool data; the loop then owns the worker (it may block in Atomics.wait).
const WORKER_SOURCE = `
self.onmessage = (event) => {
  self.onmessage = null;
  const data = event.data;
  const ready = () => self.postMessage({ ready: true });
  try {
${workerLoopSource()}
  } catch (e) {
    self.postMessage({ error: String((e && e.message) || e) });
  }
};
`;

/**
 * Runs jobs on the page's thread plus `size - 1` Web Workers. The page's thread must not block in Atomics.wait
 * (the browser forbids it there), so while the workers finish their shares it spins on Atomics.load; the shares
 * are equal, so that wait is short.
 */
export class WebKernelPool implements KernelPool {
  readonly size: number;
  private readonly control: PoolControl;
  private readonly workers: Worker[] = [];

  private constructor(size: number, spin: number) {
    this.size = size;
    this.control = new PoolControl(() => this.workers.length, spin, false);
  }

  /** Starts `size - 1` workers instantiating `module` on the shared `memory`; resolves once all are ready. */
  static async start(module: WasmModule, memory: WasmMemory, size: number, spin = DEFAULT_SPIN): Promise<WebKernelPool> {
    const pool = new WebKernelPool(size, spin);
    const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
    const ready: Promise<void>[] = [];
    try {
      for (let tid = 1; tid < size; tid++) {
        const worker = new Worker(url, { name: `facerec-kernels-${tid}` });
        pool.workers.push(worker);
        ready.push(
          new Promise<void>((resolve, reject) => {
            worker.onmessage = (e: MessageEvent<{ ready?: boolean; error?: string }>) =>
              e.data.ready === true ? resolve() : reject(new KernelWorkerError(`kernel worker failed to start: ${e.data.error ?? 'unknown'}`));
            worker.onerror = (e) => reject(new KernelWorkerError(`kernel worker failed to start: ${e.message}`));
          }),
        );
        worker.postMessage(pool.control.workerData(module, memory, tid, size - 1));
      }
      await Promise.all(ready);
    } catch (e) {
      await pool.terminate();
      throw e;
    } finally {
      URL.revokeObjectURL(url);
    }
    return pool;
  }

  /** Runs `job` on `nt` threads (the page's included) and returns when every share is done. */
  run(main: RunFn, job: number, args: number, nt: number): void {
    this.control.run(main, job, args, nt, this.size);
  }

  /** Stops the workers. */
  terminate(): Promise<void> {
    this.control.exit();
    for (const w of this.workers) w.terminate();
    this.workers.length = 0;
    return Promise.resolve();
  }
}
