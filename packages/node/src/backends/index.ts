// Backend selection for Node: 'auto' | 'gpu' | 'webgpu' | 'wasm' | 'cpu', reporting what was chosen and why.
import { selectBackend } from '@facerec/core';
import type { BackendRequest, BackendSelection } from '@facerec/core';
import { nodeBackendProviders } from './providers.js';
import type { NodeBackendOptions } from './providers.js';

export { nodeBackendProviders } from './providers.js';
export type { NodeBackendOptions } from './providers.js';

/**
 * Initialises a tfjs backend for Node and makes it active. 'auto' (default) tries WebGPU on a hardware adapter
 * (a software one such as lavapipe is skipped, with that reason), then WASM with threads and facerec's kernels,
 * then CPU; the result says which one runs and why others were skipped. 'gpu' (= 'webgpu') uses any adapter.
 */
export async function initBackend(request: BackendRequest = 'auto', options: NodeBackendOptions = {}): Promise<BackendSelection> {
  return selectBackend(request, nodeBackendProviders(options));
}
