// The messages between the page and the recognition worker, and typed errors sent across as plain data.
import {
  AbortError,
  BackendError,
  DatasetError,
  DecryptionError,
  FacerecError,
  InvalidArgumentError,
  InvalidImageError,
  ModelFormatError,
  NumericError,
  type BackendRequest,
  type DecryptionFailure,
  type GalleryData,
} from '@facerec/core';
import type { WebBackendOptions } from '../backends/index.js';
import type { DrawFacesOptions } from '../faces/draw.js';
import type { LoadFacePipelineFromUrlOptions } from '../faces/pretrained.js';
import type { LiveFrame, LiveTuning } from '../live/index.js';


/** What the worker needs to build its pipeline: all plain data (URLs already absolute). */
export interface SessionConfig {
  readonly models: Omit<LoadFacePipelineFromUrlOptions, 'fetch'>;
  readonly gallery: GalleryData;
  readonly backend: BackendRequest;
  readonly backendOptions: WebBackendOptions;
  readonly tuning: LiveTuning;
  readonly draw: Omit<DrawFacesOptions, 'clear' | 'scoreKind'>;
}

/** The page's requests; each carries an id that its reply repeats. */
export type WorkerRequest =
  | { readonly id: number; readonly type: 'init'; readonly config: SessionConfig; readonly overlay?: OffscreenCanvas }
  | { readonly id: number; readonly type: 'frame'; readonly frame: ImageBitmap; readonly t: number }
  | { readonly id: number; readonly type: 'gallery'; readonly gallery: GalleryData }
  | { readonly id: number; readonly type: 'reset' }
  | { readonly id: number; readonly type: 'tensors' }
  | { readonly id: number; readonly type: 'dispose' };

/** What the worker says when a session starts. */
export interface SessionInfo {
  /** The tfjs backend the recognition runs on, with why others were skipped (`describeBackendSelection`). */
  readonly backend: string;
  readonly backendDescription: string;
}

/** A typed error as plain data: its class name, message and the fields its constructor takes. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly argument?: string;
  readonly source?: string;
  readonly path?: string;
  readonly reason?: string;
  readonly failures?: ReadonlyArray<{ backend: string; reason: string }>;
}

/** The worker's replies. */
export type WorkerReply =
  | { readonly id: number; readonly type: 'ready'; readonly info: SessionInfo }
  | { readonly id: number; readonly type: 'frame'; readonly frame: LiveFrame }
  | { readonly id: number; readonly type: 'done'; readonly value?: unknown }
  | { readonly id: number; readonly type: 'error'; readonly error: WireError };

/**
 * The recognition worker failed outside facerec's own checks: its script did not load, it crashed, it was
 * disposed, or it threw an error that is not one of facerec's (the original name and message are kept).
 */
export class RecognitionWorkerError extends FacerecError {}

/** `error` as plain data that survives postMessage with its class and fields. */
export function toWireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const fields = error as Error & Partial<Record<'argument' | 'source' | 'path' | 'reason', unknown>> & { failures?: unknown };
  const text = (key: 'argument' | 'source' | 'path' | 'reason') => (typeof fields[key] === 'string' ? { [key]: fields[key] as string } : {});
  return {
    name: error.name,
    message: error.message,
    ...(error.stack !== undefined ? { stack: error.stack } : {}),
    ...text('argument'),
    ...text('source'),
    ...text('path'),
    ...text('reason'),
    ...(Array.isArray(fields.failures) ? { failures: fields.failures as WireError['failures'] } : {}),
  };
}

/** Rebuilds the typed error the worker threw; one that is not facerec's becomes a {@link RecognitionWorkerError}. */
export function fromWireError(wire: WireError): Error {
  const known = typed(wire);
  const error = known ?? new RecognitionWorkerError('');
  // The constructors add a prefix to the message; the worker's message already has it.
  error.message = known ? wire.message : `the recognition worker threw ${wire.name}: ${wire.message}`;
  if (wire.stack !== undefined) error.stack = wire.stack;
  return error;
}

function typed(wire: WireError): Error | undefined {
  switch (wire.name) {
    case 'InvalidArgumentError': return new InvalidArgumentError(wire.argument ?? '?', '');
    case 'InvalidImageError': return new InvalidImageError(wire.source ?? '?', '');
    case 'ModelFormatError': return new ModelFormatError(wire.source ?? '?', '');
    case 'DatasetError': return new DatasetError(wire.path ?? '?', '');
    case 'NumericError': return new NumericError(wire.source ?? '?', '');
    case 'DecryptionError': return new DecryptionError(wire.source ?? '?', (wire.reason ?? 'damaged') as DecryptionFailure, '');
    case 'BackendError': return new BackendError('', wire.failures ?? []);
    case 'AbortError': return new AbortError();
    case 'RecognitionWorkerError': return new RecognitionWorkerError('');
    default: return undefined;
  }
}
