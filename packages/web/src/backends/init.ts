// initBackend: the browser's backend selection.
import { selectBackend } from '@facerec/core';
import type { BackendRequest, BackendSelection } from '@facerec/core';
import type { WebBackendOptions } from './options.js';
import { webBackendProviders } from './providers.js';

/**
 * Initialises a tfjs backend in the browser and makes it active. 'auto' (default) tries WebGPU (when an adapter
 * exists), then WASM (SIMD, threads when the page is cross-origin isolated), then CPU; the result says which one
 * runs, its details, and why each one before it was skipped (see `describeBackendSelection`).
 * With models already loaded, use {@link switchBackend} instead (tfjs cannot move WebGPU tensors reliably).
 * With `{ task: 'training' }` WASM trains on facerec's kernels (skipped only with `fastKernels: false`).
 *
 * @throws BackendError listing every failure when none of the requested backends starts.
 */
export async function initBackend(request: BackendRequest = 'auto', options: WebBackendOptions = {}): Promise<BackendSelection> {
  return selectBackend(request, webBackendProviders(options));
}
