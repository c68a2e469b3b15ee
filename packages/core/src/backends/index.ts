// Backend selection shared by the platform packages.
export { BACKEND_REQUESTS, describeBackendSelection, selectBackend } from './select.js';
export type { BackendAttempt, BackendDetails, BackendProvider, BackendRequest, BackendSelection } from './select.js';
export { cpuBackendProvider } from './cpu.js';
