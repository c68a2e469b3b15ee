// The server gallery store: PostgreSQL + pgvector through a pg connection pool, the same schema and SQL as PGlite.
import type { GalleryInfo } from '@facerec/core';
import { GalleryStoreError, MissingPackageError } from './errors.js';
import { checkEfSearch, DEFAULT_EF_SEARCH, efSearchOf, explainSqlError, migrate, openSqlGallery, SqlGalleryStore, type SqlClient, type SqlGalleryOptions } from './sql-store.js';
import { parseGalleryTarget } from './target.js';

/** Options of {@link openPostgresStore}. */
export interface PostgresStoreOptions extends SqlGalleryOptions {
  /** What a new gallery holds; without it a database with no gallery of that name is an error. */
  readonly create?: () => Promise<GalleryInfo>;
  /** Connections in the pool. Default 4. */
  readonly maxConnections?: number;
}

interface PgClientLike {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
  release(error?: Error | boolean): void;
}
interface PgPoolLike {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
  connect(): Promise<PgClientLike>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'remove', listener: (client: Pick<PgClientLike, 'query'>) => void): unknown;
  end(): Promise<void>;
}

interface PgPoolConfig {
  connectionString: string;
  max: number;
  options: string;
  onConnect: (client: Pick<PgClientLike, 'query'>) => Promise<void>;
}

/** Imports pg only when a server store is opened (an optional peer). */
async function importPg(): Promise<new (config: PgPoolConfig) => PgPoolLike> {
  try {
    const pg = await import('pg');
    return (pg.default?.Pool ?? (pg as unknown as { Pool: unknown }).Pool) as new (config: PgPoolConfig) => PgPoolLike;
  } catch (error) {
    throw new MissingPackageError('pg', 'A postgres:// gallery', { cause: error });
  }
}

function poolClient(pool: PgPoolLike): SqlClient {
  const on = (runner: Pick<PgPoolLike, 'query'>): SqlClient['query'] => async <R>(sql: string, params?: readonly unknown[]) => {
    const result = await runner.query(sql, params ? [...params] : []);
    return { rows: result.rows as R[], affected: result.rowCount ?? 0 };
  };
  const client: SqlClient = {
    query: on(pool),
    transaction: async (fn) => {
      const connection = await pool.connect();
      const tx: SqlClient = { query: on(connection), transaction: (inner) => inner(tx) };
      let broken: Error | undefined;
      try {
        await connection.query('BEGIN');
        const result = await fn(tx);
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        await connection.query('ROLLBACK').catch((rollback: unknown) => {
          broken = rollback as Error;
        });
        throw error;
      } finally {
        connection.release(broken ?? false);
      }
    },
  };
  return client;
}

/**
 * Opens (or creates) a gallery in a PostgreSQL database with pgvector. `url` is a `postgres://` URL; its
 * `?gallery=<name>` picks one of several galleries in the database (default `default`). The schema is created or
 * migrated on open (versioned in the facerec_migrations table, under an advisory lock); a new gallery gets its own
 * HNSW index (cosine; `halfvec` with `indexType`). Enrolments and removals are transactions, so processes
 * writing to one gallery at once lose nothing.
 * @returns undefined when the database has no gallery of that name and `options.create` is not given.
 * @throws MissingPackageError when pg is not installed; GalleryStoreError naming the server (without its
 *   password) when it cannot be reached or lacks pgvector (`missingExtension: 'vector'`).
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<SqlGalleryStore | undefined> {
  const target = parseGalleryTarget(url, 'url');
  if (target.kind !== 'postgres') throw new GalleryStoreError(url, 'is not a postgres:// URL');
  const Pool = await importPg();
  if (options.efSearch !== undefined) checkEfSearch(options.efSearch);
  // Every connection starts with the search setting: as a startup parameter, and SET again by the pool's onConnect
  // hook before first use (pglite-socket ignores startup parameters; older pg-pool versions have no such hook). Without
  // `efSearch` it depends on the gallery's size, known once the gallery is open: the connections made by then
  // (opening uses them one at a time, so one, idle) are told the new value.
  let efSearch = options.efSearch ?? DEFAULT_EF_SEARCH;
  const connected = new Set<Pick<PgClientLike, 'query'>>();
  const pool = new Pool({
    connectionString: target.url,
    max: options.maxConnections ?? 4,
    options: `-c hnsw.ef_search=${efSearch}`,
    onConnect: async (client) => {
      connected.add(client);
      await client.query(`SET hnsw.ef_search = ${efSearch}`);
    },
  });
  // An idle connection the server drops must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  pool.on('remove', (client) => connected.delete(client));
  try {
    const client = poolClient(pool);
    await client.query('SELECT 1').catch((error: unknown) => {
      throw explainSqlError(error, target.display, 'connect');
    });
    await migrate(client, target.display);
    const gallery = await openSqlGallery(client, target.gallery, target.display, options.create, options);
    if (!gallery) {
      await pool.end();
      return undefined;
    }
    if (options.efSearch === undefined) {
      efSearch = await efSearchOf(client, gallery.id);
      await Promise.all([...connected].map((c) => c.query(`SET hnsw.ef_search = ${efSearch}`))).catch((error: unknown) => {
        throw explainSqlError(error, target.display, 'SET hnsw.ef_search');
      });
    }
    return new SqlGalleryStore('postgres', client, gallery.id, gallery.info, gallery.indexType, target.display, () => pool.end(), { ...options, efSearch });
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}
