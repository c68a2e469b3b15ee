// Backend selection shared by the platform packages.
export { BACKEND_REQUESTS, describeBackendSelection, selectBackend } from './select.js';
export type { BackendAttempt, BackendDetails, BackendInitContext, BackendProvider, BackendRequest, BackendSelection } from './select.js';
export { onWebGpuError, watchGpuDevice } from './gpu-errors.js';
export type { WebGpuErrorReport } from './gpu-errors.js';
export { cpuBackendProvider } from './cpu.js';
