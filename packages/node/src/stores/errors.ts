// Errors of the gallery stores: an optional package that is not installed, a database that cannot hold a gallery.
import { FacerecError } from '@facerec/core';

/** A store needs an optional peer dependency of @facerec/node that is not installed. */
export class MissingPackageError extends FacerecError {
  /** The npm package to install. */
  readonly packageName: string;
  constructor(packageName: string, purpose: string, options?: { cause?: unknown }) {
    super(`${purpose} needs the package ${packageName}, which is not installed. Install it next to @facerec/node (npm install ${packageName}).`, options);
    this.packageName = packageName;
  }
}

/** A database cannot hold or serve a gallery: a missing extension, a newer schema, a failed query. */
export class GalleryStoreError extends FacerecError {
  /** The store (its target without a password). */
  readonly store: string;
  /** The PostgreSQL extension the database lacks, when that is the reason (`vector` for pgvector). */
  readonly missingExtension: string | undefined;
  constructor(store: string, message: string, options?: { cause?: unknown; missingExtension?: string }) {
    super(`Gallery store ${store}: ${message}`, options);
    this.store = store;
    this.missingExtension = options?.missingExtension;
  }
}
