// The recognition worker's script (`@facerec/web/worker`): answers the page's requests with one RecognitionSession, one request at a time.
// The backends the providers would import on demand, imported up front: a bundler then makes the worker one file,
// which vite's default worker format (iife) requires: it cannot split a worker into chunks. A version is read from
// the WASM package so its whole module is in that file (the provider uses its exports, not only its side effects).
import { version_core } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import { RecognitionWorkerError, toWireError, type WorkerReply, type WorkerRequest } from './protocol.js';
import { RecognitionSession } from './session.js';

/** The part of a dedicated worker's global scope used here (the package is typed against the DOM library). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerReply): void;
}

const scope = globalThis as unknown as WorkerScope;
let session: RecognitionSession | undefined;
// Requests run in order: a frame never starts before the session (or the previous frame) is done.
let queue: Promise<void> = Promise.resolve();

async function handle(request: WorkerRequest): Promise<WorkerReply> {
  const { id } = request;
  if (request.type === 'init') {
    if (session) throw new RecognitionWorkerError('the worker already has a session');
    session = await RecognitionSession.start(request.config, request.overlay);
    // Says which tfjs the worker's own bundle holds: a bundler builds the worker apart from the page.
    const info = { ...session.info, backendDescription: `${session.info.backendDescription} — in a worker (tfjs-core ${version_core}, tfjs-backend-wasm ${version_wasm})` };
    return { id, type: 'ready', info };
  }
  if (request.type === 'tensors') return { id, type: 'done', value: RecognitionSession.tensors() };
  if (request.type === 'dispose') {
    session?.dispose();
    session = undefined;
    return { id, type: 'done' };
  }
  if (!session) throw new RecognitionWorkerError(`"${request.type}" before the worker's session started`);
  switch (request.type) {
    case 'frame':
      try {
        return { id, type: 'frame', frame: await session.process(request.frame, request.t) };
      } finally {
        request.frame.close();
      }
    case 'gallery': return { id, type: 'done', value: session.setGallery(request.gallery) };
    case 'reset': return { id, type: 'done', value: session.reset() };
  }
}

scope.onmessage = (event) => {
  const request = event.data;
  queue = queue.then(async () => {
    let reply: WorkerReply;
    try {
      reply = await handle(request);
    } catch (error) {
      reply = { id: request.id, type: 'error', error: toWireError(error) };
    }
    scope.postMessage(reply);
  });
};
