// The embedded gallery store: PGlite (PostgreSQL in WASM) with pgvector, persisted in a folder, locked to one process at a time.
import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, type Cipher, type EncryptionOptions, type GalleryInfo } from '@facerec/core';
import { cipherOf, noKeyError } from '@facerec/core/internal';
import { parseLeftover, removeDeadLeftovers } from '../io/leftovers.js';
import { withLock } from '../io/lock.js';
import { GalleryStoreError, MissingPackageError } from './errors.js';
import { purgeDeleted } from './pglite-purge.js';
import { PGLITE_SEALED, SealedSaver, readSealedDump, writeSealedDump } from './pglite-sealed.js';
import { checkEfSearch, efSearchOf, migrate, openSqlGallery, SqlGalleryStore, type SqlClient, type SqlGalleryOptions } from './sql-store.js';
import { DEFAULT_GALLERY_NAME } from './target.js';

/** Options of {@link openPgliteStore}. */
export interface PgliteStoreOptions extends SqlGalleryOptions {
  /** What a new gallery holds; without it a folder with no gallery yet is an error. */
  readonly create?: () => Promise<GalleryInfo>;
  /**
   * How long to wait for another process that has the folder open, in ms (default 30 000); then a LockedError.
   * PGlite is one process's database: a second process waits for the first to close it.
   */
  readonly lockTimeoutMs?: number;
  /**
   * Keeps the gallery encrypted at rest (AES-256-GCM, key from a passphrase or a raw key): the database runs in
   * memory while open, and the folder holds only `gallery.pglite.enc`, a sealed dump of the whole database
   * rewritten atomically after each change (a removal first purges the removed rows). Saves cost a dump of the
   * whole database, so enrol many people with `bulkLoad` or `facerec gallery copy`, not one call each.
   */
  readonly encryption?: EncryptionOptions | Cipher;
  /**
   * When an encrypted gallery is saved: `'each-change'` (default; a process killed with `kill -9` loses at most
   * the change under way) or `'on-close'` (one save at `close()`, for many enrolments in a row; a killed process
   * loses everything since it opened the gallery). Unencrypted folders are written by PostgreSQL as they change.
   */
  readonly save?: 'each-change' | 'on-close';
  /**
   * PostgreSQL's buffer cache (`shared_buffers`) in MB, 16–1024. Default: sized to the gallery when it is opened,
   * 1.25× its tables and indexes, at least PostgreSQL's 128 MB and at most 768 MB. Searches
   * read the HNSW graph through this cache; one that holds the graph made searches of 3×10⁵ faces about 3× cheaper
   * (BENCHMARKS.md). It is taken from the process's memory when the database starts, and PGlite's WASM heap is
   * 2 GiB at most.
   */
  readonly bufferCacheMb?: number;
}

/** The largest buffer cache a PGlite store sizes for itself (what is left of the 2 GiB heap builds indexes). */
const MAX_BUFFER_CACHE_MB = 768;

/** The default buffer cache for a database of `bytes` (tables and indexes), in MB, rounded up to 64 MB. */
export function bufferCacheFor(bytes: number): number {
  return Math.min(MAX_BUFFER_CACHE_MB, Math.max(128, Math.ceil((bytes * 1.25) / 2 ** 20 / 64) * 64));
}

/** Bytes of the files under `dir` (0 when it does not exist). */
async function folderBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  let total = 0;
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await folderBytes(full);
    else if (entry.isFile()) total += (await stat(full).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

/** The PGlite database folder inside a store folder (the folder also holds facerec's own files beside it). */
export const PGLITE_DATA = 'pgdata';

interface PgliteLike {
  exec(sql: string): Promise<unknown>;
  dumpDataDir(compression?: 'auto' | 'gzip' | 'none'): Promise<Blob>;
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[]; affectedRows?: number }>;
  transaction<T>(fn: (tx: { query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[]; affectedRows?: number }> }) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Imports PGlite and pgvector only when a PGlite store is opened (they are optional peers, and large). */
async function importPglite(): Promise<{ create: (from: { dataDir: string } | { loadDataDir: Blob | undefined }, cacheMb: number) => Promise<PgliteLike> }> {
  let pglite: typeof import('@electric-sql/pglite');
  let pgvector: typeof import('@electric-sql/pglite-pgvector');
  try {
    pglite = await import('@electric-sql/pglite');
  } catch (error) {
    throw new MissingPackageError('@electric-sql/pglite@0.5.14', 'A pglite: gallery', { cause: error });
  }
  try {
    pgvector = await import('@electric-sql/pglite-pgvector');
  } catch (error) {
    throw new MissingPackageError('@electric-sql/pglite-pgvector@0.0.15', 'A pglite: gallery', { cause: error });
  }
  const extensions = { vector: pgvector.vector };
  return {
    // A folder, or memory (started from a dump when one is given).
    // The cache goes in as a start parameter: PGlite's `postgresqlconf` would overwrite the folder's postgresql.conf.
    create: async (from, cacheMb) => {
      const startParams = [...pglite.PGlite.defaultStartParams, '-c', `shared_buffers=${cacheMb}MB`];
      return (await pglite.PGlite.create('dataDir' in from ? { dataDir: from.dataDir, extensions, startParams } : { ...(from.loadDataDir ? { loadDataDir: from.loadDataDir } : {}), extensions, startParams })) as unknown as PgliteLike;
    },
  };
}

/** PGlite's query results in the shape the SQL store reads. */
export function sqlClient(db: Pick<PgliteLike, 'query'> & Partial<Pick<PgliteLike, 'transaction'>>): SqlClient {
  return {
    query: async (sql, params) => {
      const result = await db.query<never>(sql, params ? [...params] : []);
      return { rows: result.rows, affected: result.affectedRows ?? 0 };
    },
    transaction: (fn) => {
      if (!db.transaction) return fn(sqlClient(db)); // already inside one
      return db.transaction((tx) => fn(sqlClient(tx)));
    },
  };
}

/**
 * Opens (or creates) the PGlite gallery in folder `dir`: a real PostgreSQL with pgvector in WASM, its data in
 * `dir/pgdata`, an HNSW index with cosine distance. The folder stays locked (`.<dir>.lock` beside it, as for
 * gallery folders) until the store is closed: a second process waits up to `lockTimeoutMs`, then gets a
 * LockedError. A process killed while it writes loses at most that write (PostgreSQL's WAL).
 * With `options.encryption` the folder holds only `gallery.pglite.enc` instead (see {@link PgliteStoreOptions.encryption}).
 * @returns undefined when the folder holds no gallery and `options.create` is not given.
 * @throws MissingPackageError naming the package when @electric-sql/pglite or -pgvector is not installed;
 *   LockedError when another process keeps the folder open; GalleryStoreError for a database problem;
 *   DecryptionError for an encrypted folder opened without its key or with another one, or a changed dump.
 */
export async function openPgliteStore(dir: string, options: PgliteStoreOptions = {}): Promise<SqlGalleryStore | undefined> {
  if (options.save !== undefined && options.save !== 'on-close' && options.save !== 'each-change') throw new InvalidArgumentError('save', `must be "each-change" or "on-close", got ${String(options.save)}`);
  const cacheMb = options.bufferCacheMb;
  if (cacheMb !== undefined && !(Number.isInteger(cacheMb) && cacheMb >= 16 && cacheMb <= 1024)) throw new InvalidArgumentError('bufferCacheMb', `must be an integer in 16..1024, got ${String(cacheMb)}`);
  if (options.efSearch !== undefined) checkEfSearch(options.efSearch);
  const { create: createDb } = await importPglite();
  const target = `pglite:${dir}`;
  const cipher = options.encryption !== undefined ? cipherOf(options.encryption) : undefined;
  const sealedFile = path.join(dir, PGLITE_SEALED);
  let opened!: (value: { store: SqlGalleryStore | undefined }) => void;
  let failed!: (error: unknown) => void;
  const ready = new Promise<{ store: SqlGalleryStore | undefined }>((resolve, reject) => {
    opened = resolve;
    failed = reject;
  });
  let closeLock!: () => void;
  const lockReleased = new Promise<void>((resolve) => {
    closeLock = resolve;
  });
  // The lock is held for as long as the database is open: withLock's callback ends when the store closes.
  const held = withLock(dir, 'gallery', async () => {
    let db: PgliteLike | undefined;
    try {
      // Never write a database into a folder that holds something else (a killed save's temp file is ours).
      const names = await readdir(dir).catch(() => [] as string[]);
      const foreign = names.filter((name) => name !== PGLITE_DATA && name !== PGLITE_SEALED && name !== '.DS_Store' && !parseLeftover(PGLITE_SEALED, name));
      if (foreign.length > 0) throw new GalleryStoreError(target, `the folder holds ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}, not a PGlite gallery (only ${PGLITE_DATA}/ or ${PGLITE_SEALED}); use a new or empty folder`);
      let saver: SealedSaver | undefined;
      if (cipher) {
        if (names.includes(PGLITE_DATA)) throw new GalleryStoreError(target, `the folder holds an unencrypted PGlite gallery (${PGLITE_DATA}/); copy it into a new encrypted one (facerec gallery copy ${target} pglite:<new folder> --to-passphrase-env VAR)`);
        // A save killed before its rename left a temp file; the sealed dump beside it is the last complete one.
        await removeDeadLeftovers(sealedFile);
        const dump = await readSealedDump(sealedFile, cipher);
        if (!dump && !options.create) {
          opened({ store: undefined });
          return;
        }
        db = await createDb({ loadDataDir: dump }, cacheMb ?? bufferCacheFor(dump?.size ?? 0));
        const database = db;
        saver = new SealedSaver(async () => {
          await mkdir(dir, { recursive: true });
          await writeSealedDump(database, sealedFile, cipher);
        });
      } else {
        if (names.includes(PGLITE_SEALED)) throw noKeyError(sealedFile);
        await mkdir(dir, { recursive: true });
        db = await createDb({ dataDir: path.join(dir, PGLITE_DATA) }, cacheMb ?? bufferCacheFor(await folderBytes(path.join(dir, PGLITE_DATA, 'base'))));
      }
      const client = sqlClient(db);
      await migrate(client, target);
      const gallery = await openSqlGallery(client, DEFAULT_GALLERY_NAME, target, options.create, options);
      if (!gallery) {
        await db.close();
        opened({ store: undefined });
        return;
      }
      const efSearch = checkEfSearch(options.efSearch ?? await efSearchOf(client, gallery.id));
      await client.query(`SET hnsw.ef_search = ${efSearch}`);
      const database = db;
      const purge = (): Promise<void> => purgeDeleted(database, 'facerec_faces');
      // A new encrypted gallery is on disk before anyone enrols into it.
      if (saver && !names.includes(PGLITE_SEALED)) await saver.save();
      const onClose = options.save === 'on-close';
      // Changes not in the sealed file yet: a save that failed (a full disk), or every change in 'on-close' mode.
      let unsaved = false;
      let unpurged = false;
      const store = new SqlGalleryStore('pglite', client, gallery.id, gallery.info, gallery.indexType, target, async () => {
        try {
          // Saved before the in-memory database is gone.
          if (saver && unsaved) {
            if (unpurged) await purge();
            await saver.save();
          }
        } finally {
          try {
            await database.close();
          } finally {
            closeLock();
            await held;
          }
        }
      }, { ...options, efSearch }, purge, saver && {
        // Removed rows are purged from the database (heap, index and WAL) before the dump that no longer has them.
        afterWrite: async (removed) => {
          unsaved = true;
          unpurged ||= removed;
          if (onClose) return;
          if (unpurged) await purge();
          unpurged = false;
          await saver.save();
          unsaved = false;
        },
      });
      opened({ store });
    } catch (error) {
      await db?.close().catch(() => undefined);
      failed(error);
      return;
    }
    await lockReleased;
  }, options.lockTimeoutMs !== undefined ? { timeoutMs: options.lockTimeoutMs } : {});
  held.catch((error: unknown) => failed(error));
  return (await ready).store;
}
