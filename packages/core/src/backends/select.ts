// Backend resolution: try the requested backends in priority order, fall back, and report why each failed.
import * as tf from '@tensorflow/tfjs-core';
import { now } from '../clock.js';
import { BackendError, InvalidArgumentError } from '../errors/index.js';

/** A backend a user can ask for. 'auto' tries every available one, best first; 'gpu' means WebGPU. */
export type BackendRequest = 'auto' | 'gpu' | 'webgpu' | 'wasm' | 'cpu';

/** Every accepted backend request, for validation and help texts. */
export const BACKEND_REQUESTS: readonly BackendRequest[] = ['auto', 'gpu', 'webgpu', 'wasm', 'cpu'];

/** Details a backend reports once initialised (thread count, adapter name...). */
export type BackendDetails = Readonly<Record<string, string | number | boolean | readonly string[]>>;

/** What selection tells a provider: 'auto' may make it stricter (WebGPU skips software adapters there). */
export interface BackendInitContext {
  readonly request: BackendRequest;
}

/** A backend a platform package can start. */
export interface BackendProvider {
  readonly name: 'webgpu' | 'wasm' | 'cpu';
  /** Higher is tried first by 'auto'. */
  readonly priority: number;
  /** Initialises the backend and makes it tfjs's active backend; throws, with the reason, when it cannot. */
  init(context?: BackendInitContext): Promise<BackendDetails>;
}

/** One backend tried during selection. */
export interface BackendAttempt {
  readonly backend: string;
  readonly ok: boolean;
  /** Why it could not be used (absent when ok). */
  readonly reason?: string;
  readonly milliseconds: number;
}

/** The backend that was chosen, its details, and every attempt made on the way. */
export interface BackendSelection {
  readonly backend: string;
  readonly details: BackendDetails;
  readonly attempts: readonly BackendAttempt[];
}

function candidates(request: BackendRequest, providers: readonly BackendProvider[]): BackendProvider[] {
  if (!BACKEND_REQUESTS.includes(request)) {
    throw new InvalidArgumentError('backend', `unknown "${String(request)}"; use one of ${BACKEND_REQUESTS.join(', ')}`);
  }
  const sorted = [...providers].sort((a, b) => b.priority - a.priority);
  if (request === 'auto') return sorted;
  const name = request === 'gpu' ? 'webgpu' : request;
  return sorted.filter((p) => p.name === name);
}

/**
 * Initialises the first backend of `request` that works, trying `providers` best first for 'auto'.
 * Throws {@link BackendError} listing every failure when none works.
 */
export async function selectBackend(request: BackendRequest, providers: readonly BackendProvider[]): Promise<BackendSelection> {
  const list = candidates(request, providers);
  if (list.length === 0) {
    throw new BackendError(`backend "${request}" is not available on this platform`, [
      { backend: request, reason: `supported here: ${providers.map((p) => p.name).join(', ') || 'none'}` },
    ]);
  }
  const attempts: BackendAttempt[] = [];
  for (const provider of list) {
    const start = now();
    try {
      const details = await provider.init({ request });
      if (tf.getBackend() !== provider.name) throw new Error(`tfjs reports backend "${tf.getBackend()}" after initialising`);
      attempts.push({ backend: provider.name, ok: true, milliseconds: now() - start });
      return { backend: provider.name, details, attempts };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      attempts.push({ backend: provider.name, ok: false, reason, milliseconds: now() - start });
    }
  }
  throw new BackendError(
    `no backend could be initialised for "${request}"`,
    attempts.map((a) => ({ backend: a.backend, reason: a.reason ?? 'unknown' })),
  );
}

/** A one-line summary such as "wasm (threads 2) — webgpu skipped: no adapter". */
export function describeBackendSelection(selection: BackendSelection): string {
  const details = Object.entries(selection.details)
    .map(([k, v]) => `${k} ${Array.isArray(v) ? v.length : String(v)}`)
    .join(', ');
  const skipped = selection.attempts.filter((a) => !a.ok).map((a) => `${a.backend} skipped: ${a.reason}`);
  return [`${selection.backend}${details ? ` (${details})` : ''}`, ...skipped].join(' — ');
}
