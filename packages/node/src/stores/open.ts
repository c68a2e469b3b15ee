// Opens the gallery store a target names: a folder, pglite:<folder> or a postgres:// URL.
import { InvalidArgumentError, type Cipher, type EncryptionOptions, type GalleryInfo, type GalleryStore } from '@facerec/core';
import { openFolderStore } from './folder.js';
import { openPgliteStore } from './pglite.js';
import { openPostgresStore } from './postgres.js';
import type { SqlGalleryOptions } from './sql-store.js';
import { parseGalleryTarget } from './target.js';

/** Options of {@link openGalleryStore}. */
export interface OpenGalleryStoreOptions extends SqlGalleryOptions {
  /**
   * What a new gallery holds (embedder, dimensions, threshold, landmarks), asked for only when the target has no
   * gallery yet. Without it such a target gives `undefined`.
   */
  readonly create?: () => Promise<GalleryInfo>;
  /** How long to wait for another process's lock (a gallery folder or a PGlite folder), in ms. Default 30 000. */
  readonly lockTimeoutMs?: number;
  /** Connections in a PostgreSQL pool. Default 4. */
  readonly maxConnections?: number;
  /**
   * Encrypts a gallery folder or a `pglite:` gallery at rest (see `SaveGalleryOptions.encryption`,
   * `PgliteStoreOptions.encryption`); a PostgreSQL server refuses it (encrypt the server's disk instead).
   */
  readonly encryption?: EncryptionOptions | Cipher;
  /** When an encrypted `pglite:` gallery is saved (see `PgliteStoreOptions.save`). Default `'each-change'`. */
  readonly save?: 'each-change' | 'on-close';
}

/**
 * Opens the gallery store of `target`:
 * - `./faces` — a gallery folder (gallery.json + embeddings.bin), exact search in memory;
 * - `pglite:./faces` — PGlite (embedded PostgreSQL + pgvector, HNSW) in a folder, one process at a time;
 * - `postgres://user:pass@host/db?gallery=staff` — a PostgreSQL server with pgvector, shared by many processes.
 *
 * Wrap it in a `Gallery` (`new Gallery(pipeline, { store })`), or use `openGallery`, which also loads the
 * pipeline. Close it when done.
 * @returns undefined when the target holds no gallery and `options.create` is not given.
 */
export async function openGalleryStore(target: string, options: OpenGalleryStoreOptions = {}): Promise<GalleryStore | undefined> {
  const parsed = parseGalleryTarget(target);
  const { lockTimeoutMs, maxConnections, create, encryption, save, ...sql } = options;
  // Never leave a user believing a database is encrypted when it is not.
  if (encryption !== undefined && parsed.kind === 'postgres') {
    throw new InvalidArgumentError('encryption', `only gallery folders and pglite: galleries are encrypted by facerec, not a PostgreSQL server (${parsed.display}): use the server's disk encryption`);
  }
  const withCreate = create ? { create } : {};
  const lock = lockTimeoutMs !== undefined ? { lockTimeoutMs } : {};
  switch (parsed.kind) {
    case 'folder':
      return openFolderStore(parsed.dir, { ...withCreate, ...lock, ...(encryption !== undefined ? { encryption } : {}) });
    case 'pglite':
      return openPgliteStore(parsed.dir, { ...sql, ...withCreate, ...lock, ...(encryption !== undefined ? { encryption } : {}), ...(save !== undefined ? { save } : {}) });
    case 'postgres':
      return openPostgresStore(target, { ...sql, ...withCreate, ...(maxConnections !== undefined ? { maxConnections } : {}) });
  }
}
