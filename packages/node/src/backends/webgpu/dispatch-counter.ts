// Counts the compute dispatches and queue submits tfjs's 'webgpu' backend records while a function runs.
import * as tf from '@tensorflow/tfjs-core';

/** What {@link countWebGpuDispatches} saw. */
export interface WebGpuDispatchCount {
  /** Compute shader dispatches (one per GPU kernel launch). */
  readonly dispatches: number;
  /** `queue.submit` calls (tfjs batches dispatches into submits; a read-back forces one). */
  readonly submits: number;
  /** Dispatches by program (tfjs's or facerec's shader class name), most first. */
  readonly byProgram: ReadonlyArray<readonly [string, number]>;
}

/** The two methods of tfjs-backend-webgpu 4.x's WebGPUBackend that every dispatch and submit goes through. */
interface CountedBackend {
  recordAndSubmit(program: object, ...rest: unknown[]): void;
  submitQueue(): void;
}

function isCounted(b: unknown): b is CountedBackend {
  const o = b as Partial<CountedBackend> | null;
  return typeof o?.recordAndSubmit === 'function' && typeof o.submitQueue === 'function';
}

/**
 * Runs `fn` on the active 'webgpu' backend and counts what it sends to the GPU: every compute dispatch (by shader
 * program) and every queue submit, including those of the final read-backs `fn` awaits. Counters wrap the backend's
 * own methods for the call only, so nothing else is slowed.
 *
 * @throws Error when the active backend is not tfjs's 'webgpu' one.
 */
export async function countWebGpuDispatches(fn: () => Promise<void> | void): Promise<WebGpuDispatchCount> {
  const backend = tf.backend() as unknown;
  if (tf.getBackend() !== 'webgpu' || !isCounted(backend)) throw new Error(`countWebGpuDispatches needs the 'webgpu' backend active (now '${tf.getBackend()}')`);
  const own = Object.getOwnPropertyDescriptors(backend);
  const record = backend.recordAndSubmit;
  const submit = backend.submitQueue;
  const byProgram = new Map<string, number>();
  let dispatches = 0;
  let submits = 0;
  backend.recordAndSubmit = function (this: CountedBackend, program: object, ...rest: unknown[]): void {
    dispatches += 1;
    const name = program.constructor.name;
    byProgram.set(name, (byProgram.get(name) ?? 0) + 1);
    record.call(this, program, ...rest);
  };
  backend.submitQueue = function (this: CountedBackend): void {
    submits += 1;
    submit.call(this);
  };
  try {
    await fn();
  } finally {
    // Back to the prototype's methods (or the instance's own, if something else had set them).
    for (const key of ['recordAndSubmit', 'submitQueue'] as const) {
      const d = own[key];
      if (d) Object.defineProperty(backend, key, d);
      else delete (backend as Partial<CountedBackend>)[key];
    }
  }
  return { dispatches, submits, byProgram: [...byProgram].sort((a, b) => b[1] - a[1]) };
}
