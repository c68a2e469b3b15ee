// Collects WebGPU errors (`uncapturederror`), which tfjs only lets the browser or Dawn print to the console.

/** A WebGPU error the device reported outside any error scope (e.g. a shader that failed to compile). */
export interface WebGpuErrorReport {
  readonly message: string;
  /** 'validation', 'out-of-memory', 'internal' or 'unknown'. */
  readonly type: string;
}

interface GpuErrorEventLike {
  readonly error?: { readonly message?: string; readonly constructor?: { readonly name?: string } };
}

interface EventTargetLike {
  addEventListener(type: string, listener: (event: GpuErrorEventLike) => void): void;
}

const listeners = new Set<(report: WebGpuErrorReport) => void>();
const watched = new WeakSet<object>();

const TYPES: Record<string, string> = { GPUValidationError: 'validation', GPUOutOfMemoryError: 'out-of-memory', GPUInternalError: 'internal' };

/**
 * Calls `listener` for every uncaptured error of the WebGPU device facerec's 'webgpu' backend runs on.
 * tfjs 4.22 does not check its shaders compiled: when one fails, results are silently wrong and the only trace
 * is this event. Tests should fail on it; apps may log it or switch backend.
 *
 * @returns A function that removes the listener.
 */
export function onWebGpuError(listener: (report: WebGpuErrorReport) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Starts forwarding `device`'s uncaptured errors to the listeners (once per device); for platform packages. */
export function watchGpuDevice(device: unknown): void {
  if (typeof device !== 'object' || device === null || watched.has(device)) return;
  watched.add(device);
  (device as EventTargetLike).addEventListener('uncapturederror', (event) => {
    const report = {
      message: String(event.error?.message ?? 'unknown WebGPU error'),
      type: TYPES[event.error?.constructor?.name ?? ''] ?? 'unknown',
    };
    // Core is built without DOM or Node types, so the console is reached through globalThis.
    const log = (globalThis as { console?: { error(message: string): void } }).console;
    if (listeners.size === 0) log?.error(`facerec: WebGPU ${report.type} error: ${report.message}`);
    for (const listener of listeners) listener(report);
  });
}
