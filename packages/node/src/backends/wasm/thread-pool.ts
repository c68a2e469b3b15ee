// A fixed pool of worker_threads that run the kernel module on tfjs's shared memory, woken through Atomics.
import { Worker } from 'node:worker_threads';
import type { WasmMemory, WasmModule } from './wasm-api.js';

// Control block slots (Int32Array on a SharedArrayBuffer).
const GEN = 0; // bumped once per job; workers wait on it
const JOB = 1;
const ARGS = 2;
const NT = 3; // threads taking part in the job, the main thread included
const DONE = 4; // workers that finished the current job
const EXIT = 5;
const FAILED = 6; // set when a worker's share threw (a trap)
const CTL_SLOTS = 8;

/** Busy-wait iterations before sleeping in Atomics.wait: a short spin hides the wake-up latency between
 * back-to-back jobs without burning a core while tfjs runs its own (XNNPACK) threads. */
const DEFAULT_SPIN = 20000;

// Plain CommonJS run with `eval: true`, so bundlers never need to locate a worker file.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { module, memory, control, tid, workers, spin } = workerData;
const ctl = new Int32Array(control);
let run;
try {
  run = new WebAssembly.Instance(module, { env: { memory } }).exports.run;
} catch (e) {
  parentPort.postMessage({ error: String(e && e.message || e) });
  throw e;
}
let gen = Atomics.load(ctl, ${GEN});
parentPort.postMessage({ ready: true });
for (;;) {
  let g = Atomics.load(ctl, ${GEN});
  for (let n = 0; g === gen; g = Atomics.load(ctl, ${GEN})) {
    if (++n > spin) { Atomics.wait(ctl, ${GEN}, gen); n = 0; }
  }
  gen = g;
  if (Atomics.load(ctl, ${EXIT}) !== 0) break;
  const nt = Atomics.load(ctl, ${NT});
  if (tid < nt) {
    try { run(Atomics.load(ctl, ${JOB}), Atomics.load(ctl, ${ARGS}), tid, nt); }
    catch (e) { Atomics.store(ctl, ${FAILED}, 1); }
  }
  if (Atomics.add(ctl, ${DONE}, 1) + 1 === workers) Atomics.notify(ctl, ${DONE});
}
`;

/** Raised when a kernel trapped in a worker (the main thread's share reports its own trap directly). */
export class KernelWorkerError extends Error {
  override name = 'KernelWorkerError';
}

type RunFn = (job: number, args: number, tid: number, nt: number) => void;

/** Runs jobs on the main thread plus `size - 1` workers, each doing the static share of its thread index. */
export class ThreadPool {
  readonly size: number;
  private readonly ctl: Int32Array;
  private readonly workers: Worker[] = [];
  private readonly spin: number;

  private constructor(size: number, ctl: Int32Array, spin: number) {
    this.size = size;
    this.ctl = ctl;
    this.spin = spin;
  }

  /** Starts `size - 1` workers instantiating `module` on `memory`; resolves once all are ready. */
  static async start(module: WasmModule, memory: WasmMemory, size: number, spin = DEFAULT_SPIN): Promise<ThreadPool> {
    const ctl = new Int32Array(new SharedArrayBuffer(CTL_SLOTS * 4));
    const pool = new ThreadPool(size, ctl, spin);
    const ready: Promise<void>[] = [];
    for (let tid = 1; tid < size; tid++) {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module, memory, control: ctl.buffer, tid, workers: size - 1, spin },
      });
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
    const ctl = this.ctl;
    const n = Math.max(1, Math.min(nt, this.size));
    if (n === 1 || this.workers.length === 0) {
      main(job, args, 0, 1);
      return;
    }
    ctl[JOB] = job;
    ctl[ARGS] = args;
    ctl[NT] = n;
    Atomics.store(ctl, DONE, 0);
    Atomics.add(ctl, GEN, 1);
    Atomics.notify(ctl, GEN);
    let mainError: unknown;
    try {
      main(job, args, 0, n);
    } catch (e) {
      mainError = e;
    }
    const workers = this.workers.length;
    for (let spins = 0; ; spins++) {
      const done = Atomics.load(ctl, DONE);
      if (done === workers) break;
      if (spins > this.spin) Atomics.wait(ctl, DONE, done, 50);
    }
    if (mainError !== undefined) throw mainError;
    if (Atomics.exchange(ctl, FAILED, 0) !== 0) throw new KernelWorkerError(`kernel job ${job} trapped in a worker`);
  }

  /** Stops the workers (used on fallback and in tests). */
  async terminate(): Promise<void> {
    Atomics.store(this.ctl, EXIT, 1);
    Atomics.add(this.ctl, GEN, 1);
    Atomics.notify(this.ctl, GEN);
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
