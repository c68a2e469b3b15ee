// Typed errors: each names the file or argument at fault so a user can fix the input.

/** Base class of every error facerec throws on purpose. */
export class FacerecError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An argument or option has a wrong value; `argument` names it. */
export class InvalidArgumentError extends FacerecError {
  readonly argument: string;
  constructor(argument: string, message: string, options?: { cause?: unknown }) {
    super(`Invalid ${argument}: ${message}`, options);
    this.argument = argument;
  }
}

/** An image could not be decoded or has an unusable shape; `source` is the file or argument. */
export class InvalidImageError extends FacerecError {
  readonly source: string;
  constructor(source: string, message: string, options?: { cause?: unknown }) {
    super(`Invalid image ${source}: ${message}`, options);
    this.source = source;
  }
}

/** A dataset cannot be used (empty folder, a single person, no images...). */
export class DatasetError extends FacerecError {
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(`Dataset ${path}: ${message}`, options);
    this.path = path;
  }
}

/** A saved model is missing, truncated or of an unknown format; `source` names it. */
export class ModelFormatError extends FacerecError {
  readonly source: string;
  constructor(source: string, message: string, options?: { cause?: unknown }) {
    super(`Model ${source}: ${message}`, options);
    this.source = source;
  }
}

/**
 * A computation gave NaN or infinite values, so its answer means nothing: the model's weights or the
 * input hold non-finite numbers. `source` names the model (file) or input; never answered with a name.
 */
export class NumericError extends FacerecError {
  readonly source: string;
  constructor(source: string, message: string, options?: { cause?: unknown }) {
    super(`${source}: ${message}`, options);
    this.source = source;
  }
}

/** Why an encrypted file could not be opened: see {@link DecryptionError}. */
export type DecryptionFailure = 'wrong-key' | 'no-key' | 'damaged' | 'not-encrypted' | 'unsupported';

/**
 * An encrypted file could not be opened, and nothing from it was used: `reason` says whether the passphrase
 * or key is not the one it was written with (`'wrong-key'`), none was given for an encrypted file (`'no-key'`), the file was changed or truncated after it was
 * written (`'damaged'`), it is not encrypted (`'not-encrypted'`) or of a newer format (`'unsupported'`).
 * `source` names the file.
 */
export class DecryptionError extends FacerecError {
  readonly source: string;
  readonly reason: DecryptionFailure;
  constructor(source: string, reason: DecryptionFailure, message: string, options?: { cause?: unknown }) {
    super(`${source} ${message}`, options);
    this.source = source;
    this.reason = reason;
  }
}

/** Training cannot go on (the loss became NaN, the data is unusable...). */
export class TrainingError extends FacerecError {}

/** Work was cancelled through an AbortSignal. */
export class AbortError extends FacerecError {
  constructor(message = 'The operation was aborted') {
    super(message);
  }
}

/** No requested backend could be initialised; `failures` lists why for each one tried. */
export class BackendError extends FacerecError {
  readonly failures: ReadonlyArray<{ backend: string; reason: string }>;
  constructor(message: string, failures: ReadonlyArray<{ backend: string; reason: string }>) {
    super(`${message}\n${failures.map((f) => `  - ${f.backend}: ${f.reason}`).join('\n')}`);
    this.failures = failures;
  }
}

/**
 * The part of the standard `AbortSignal` facerec reads. Pass an `AbortController`'s signal; declared
 * structurally so core needs neither DOM nor Node type libraries.
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
}

/** Throws AbortError when `signal` is aborted. */
export function throwIfAborted(signal: AbortSignalLike | undefined): void {
  if (signal?.aborted) {
    const reason = signal.reason;
    throw reason instanceof AbortError ? reason : new AbortError(reason instanceof Error ? reason.message : undefined);
  }
}
