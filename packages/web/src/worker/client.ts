// The page's end of the recognition worker: requests with ids, replies matched to them, crashes and disposal turned into typed errors.
import { fromWireError, RecognitionWorkerError, type WorkerReply, type WorkerRequest } from './protocol.js';

/** A request as sent, without its id (the client numbers them). */
type Request = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

/** How long {@link WorkerClient.close} waits for the worker to free its models before ending it anyway. */
const CLOSE_WAIT_MS = 5000;

/** Talks to one recognition worker. */
export class WorkerClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  /** Set once the worker crashed or was closed: every later request rejects with it. */
  private failure: Error | undefined;

  constructor(private readonly worker: Worker) {
    worker.onmessage = (event: MessageEvent<WorkerReply>) => this.reply(event.data);
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      // A script that fails to load gives an event with no message.
      const what = event.message ? `failed: ${event.message}${event.filename ? ` (${event.filename}:${event.lineno})` : ''}` : 'script could not be loaded or failed to start (is the @facerec/web/worker file served?)';
      this.fail(new RecognitionWorkerError(`the recognition worker ${what}`));
    };
    worker.onmessageerror = () => this.fail(new RecognitionWorkerError('a message from the recognition worker could not be read'));
  }

  /** Throws the reason the worker is unusable, if it is. */
  check(): void {
    if (this.failure) throw this.failure;
  }

  /** Sends a request (moving `transfer` to the worker) and resolves its reply's value. */
  request<T>(message: Request, transfer: Transferable[] = []): Promise<T> {
    if (this.failure) {
      for (const t of transfer) if (t instanceof ImageBitmap) t.close();
      return Promise.reject(this.failure);
    }
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      try {
        this.worker.postMessage({ ...message, id }, transfer);
      } catch (error) {
        // An option that cannot be copied (a function, a class instance...) or a bitmap already sent.
        this.pending.delete(id);
        reject(new RecognitionWorkerError(`"${message.type}" could not be sent to the recognition worker: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
      }
    });
  }

  /** Asks the worker to free its models, then ends it; later requests reject. */
  async close(): Promise<void> {
    if (this.failure) return this.terminate();
    const freed = this.request<void>({ type: 'dispose' });
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([freed, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
    } finally {
      clearTimeout(timer);
      this.terminate();
    }
  }

  /** Ends the worker now; pending requests reject. */
  terminate(): void {
    this.worker.terminate();
    this.fail(new RecognitionWorkerError('the recognition worker was disposed'));
  }

  private reply(message: WorkerReply): void {
    const waiting = this.pending.get(message.id);
    if (!waiting) return;
    this.pending.delete(message.id);
    switch (message.type) {
      case 'error': return waiting.reject(fromWireError(message.error));
      case 'ready': return waiting.resolve(message.info);
      case 'frame': return waiting.resolve(message.frame);
      case 'done': return waiting.resolve(message.value);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.pending.values()) waiting.reject(this.failure);
    this.pending.clear();
  }
}
