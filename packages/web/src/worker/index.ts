// Live recognition in a dedicated Web Worker, so the page stays responsive; on the page's thread where the browser cannot.
export { createRecognitionWorker, workerUnavailableReason } from './create.js';
export type { RecognitionMode, RecognitionRunOptions, RecognitionWorker, RecognitionWorkerOptions } from './create.js';
export { RecognitionWorkerError } from './protocol.js';
export type { SessionInfo } from './protocol.js';
