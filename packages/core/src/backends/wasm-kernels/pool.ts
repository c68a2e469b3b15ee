// The protocol of a kernel thread pool on a SharedArrayBuffer control block, shared by node's worker_threads pool
// and web's Web Worker pool: the worker loop's source, and the caller side that starts a job and waits for it.
import type { WasmMemory, WasmModule } from './wasm-api.js';

// Control block slots (Int32Array on a SharedArrayBuffer).
const GEN = 0; // bumped once per job; workers wait on it
const JOB = 1;
const ARGS = 2;
const NT = 3; // threads taking part in the job, the caller included
const DONE = 4; // workers that finished the current job
const EXIT = 5;
const FAILED = 6; // set when a worker's share threw (a trap)
/** Int32 slots of a pool's control block. */
export const CONTROL_SLOTS = 8;

/** Busy-wait iterations before sleeping in Atomics.wait: a short spin hides the wake-up latency between
 * back-to-back jobs without burning a core while tfjs runs its own (XNNPACK) threads. */
export const DEFAULT_SPIN = 20000;

/** The kernel module's entry point: runs thread `tid`'s share of `job` out of `nt`. */
export type RunFn = (job: number, args: number, tid: number, nt: number) => void;

/** What a worker is given to join a pool (posted as workerData or as its first message). */
export interface PoolWorkerData {
  readonly module: WasmModule;
  readonly memory: WasmMemory;
  readonly control: SharedArrayBuffer;
  readonly tid: number;
  readonly workers: number;
  readonly spin: number;
}

/** A pool that runs kernel jobs on the calling thread plus `size - 1` workers. */
export interface KernelPool {
  readonly size: number;
  /** Runs `job` on `nt` threads (caller included) and returns when every share is done. */
  run(main: RunFn, job: number, args: number, nt: number): void;
  /** Stops the workers. */
  terminate(): Promise<void>;
}

/** Starts a pool of `size` threads running `module` on `memory` (a platform adapter). */
export type StartKernelPool = (module: WasmModule, memory: WasmMemory, size: number) => Promise<KernelPool>;

/** Raised when a kernel trapped in a worker (the caller's share reports its own trap directly). */
export class KernelWorkerError extends Error {
  override name = 'KernelWorkerError';
}

/**
 * Plain JavaScript statements (no imports) that a worker runs once it has `data` (a PoolWorkerData) and a
 * `ready()` function in scope: instantiate the module, say ready, then loop over jobs until told to exit.
 * Workers may block in Atomics.wait (allowed in Node's workers and in Web Workers).
 */
export function workerLoopSource(): string {
  return `
const { module, memory, control, tid, workers, spin } = data;
const ctl = new Int32Array(control);
const run = new WebAssembly.Instance(module, { env: { memory } }).exports.run;
let gen = Atomics.load(ctl, ${GEN});
ready();
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
}

/**
 * The caller's side of the protocol. `canBlock` says whether the calling thread may sleep in Atomics.wait once
 * its spin is over: Node's main thread may; a browser's main thread may not (Atomics.wait throws there), so it
 * only spins on Atomics.load until the workers are done.
 */
export class PoolControl {
  readonly ctl = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));

  constructor(
    private readonly workers: () => number,
    private readonly spin = DEFAULT_SPIN,
    private readonly canBlock = true,
  ) {}

  /** The data worker `tid` needs. */
  workerData(module: WasmModule, memory: WasmMemory, tid: number, workers: number): PoolWorkerData {
    return { module, memory, control: this.ctl.buffer as SharedArrayBuffer, tid, workers, spin: this.spin };
  }

  /** Runs `job` on `n` threads out of `size` (caller included) and returns when every share is done. */
  run(main: RunFn, job: number, args: number, nt: number, size: number): void {
    const ctl = this.ctl;
    const n = Math.max(1, Math.min(nt, size));
    const workers = this.workers();
    if (n === 1 || workers === 0) {
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
    for (let spins = 0; ; spins++) {
      const done = Atomics.load(ctl, DONE);
      if (done === workers) break;
      if (this.canBlock && spins > this.spin) Atomics.wait(ctl, DONE, done, 50);
    }
    if (mainError !== undefined) throw mainError;
    if (Atomics.exchange(ctl, FAILED, 0) !== 0) throw new KernelWorkerError(`kernel job ${job} trapped in a worker`);
  }

  /** Tells every worker to leave its loop. */
  exit(): void {
    Atomics.store(this.ctl, EXIT, 1);
    Atomics.add(this.ctl, GEN, 1);
    Atomics.notify(this.ctl, GEN);
  }
}
