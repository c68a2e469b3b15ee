// The gallery store on PostgreSQL + pgvector, shared by PGlite (embedded) and a server (pg): schema migrations, HNSW search, transactions.
import { FacerecError, InvalidArgumentError, compareLabels, type Candidate, type GalleryCount, type GalleryEntry, type GalleryInfo, type GalleryStore, type StoreSearchOptions } from '@facerec/core';
import { GalleryStoreError } from './errors.js';
import { MIGRATIONS } from './migrations/index.js';

/** The few things the SQL store needs from a database connection (PGlite or a pg pool). */
export interface SqlClient {
  /** One statement with `$1…` parameters. */
  query<R>(sql: string, params?: readonly unknown[]): Promise<{ rows: R[]; affected: number }>;
  /** `fn` inside one transaction on one connection (committed when it resolves, rolled back when it throws). */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
}

/** Index options of a new gallery in a SQL store. */
export interface SqlGalleryOptions {
  /**
   * Index the embeddings as `halfvec` (16-bit floats): half the index memory, for galleries of millions; scores
   * are still computed from the full-precision rows. Default `'vector'` (32-bit). Fixed when the gallery is created.
   */
  readonly indexType?: 'vector' | 'halfvec';
  /**
   * HNSW candidates per search (`hnsw.ef_search`, 1–1000): more finds more of the true nearest, slower. Default:
   * {@link efSearchFor} the gallery's size and graph when the store is opened ({@link DEFAULT_EF_SEARCH} up to 3×10⁵
   * faces with the default graph, more for larger galleries), chosen for recall@1 ≥ 0.99 of exact search.
   */
  readonly efSearch?: number;
  /**
   * The HNSW graph of a new gallery: `m` links per face and `efConstruction` candidates weighed while
   * linking each face (defaults {@link DEFAULT_HNSW}: m 24, ef_construction 200). A better graph finds more of the true nearest
   * at the same `efSearch` and costs more to build and to enrol into. Fixed when the gallery is created;
   * `bulkLoad` rebuilds the index with the same values.
   */
  readonly hnsw?: HnswOptions;
}

/** HNSW graph parameters (pgvector's `m` and `ef_construction`). */
export interface HnswOptions {
  /** Links per face, 2–100. */
  readonly m?: number;
  /** Candidates weighed while linking a face, 4–1000 and at least 2·m. */
  readonly efConstruction?: number;
}

/**
 * The HNSW graph of new galleries. With pgvector's defaults (m 16, ef_construction 64), 3×10⁵ faces gave recall@1
 * 0.94 of exact search at ef_search 300; m 24 and ef_construction 200 gave 0.99, for 3.6× the build time and a
 * 14% larger index (`bench/search-sweep.mjs`, BENCHMARKS.md).
 */
export const DEFAULT_HNSW: Required<HnswOptions> = { m: 24, efConstruction: 200 };

/** The `WITH (…)` of a gallery's HNSW index, checked. */
function hnswWith(options: HnswOptions = {}): string {
  const m = options.m ?? DEFAULT_HNSW.m;
  const efConstruction = options.efConstruction ?? DEFAULT_HNSW.efConstruction;
  if (!(Number.isInteger(m) && m >= 2 && m <= 100)) throw new InvalidArgumentError('hnsw.m', `must be an integer in 2..100, got ${m}`);
  if (!(Number.isInteger(efConstruction) && efConstruction >= Math.max(4, 2 * m) && efConstruction <= 1000)) {
    throw new InvalidArgumentError('hnsw.efConstruction', `must be an integer in ${Math.max(4, 2 * m)}..1000 (at least 2·m), got ${efConstruction}`);
  }
  return `WITH (m = ${m}, ef_construction = ${efConstruction})`;
}

/**
 * Default `hnsw.ef_search` of the SQL stores for a gallery with the default graph ({@link DEFAULT_HNSW}) of up to
 * 3×10⁵ faces. Measured with that graph on real lfw-dev embeddings + distractors: recall@1 of exact search 1.0 at
 * 10⁴ faces, 0.995 at 10⁵, 0.99 at 3×10⁵ (`bench/search.mjs`, `bench/search-sweep.mjs`, BENCHMARKS.md). Galleries
 * built with pgvector's default graph (m 16, ef_construction 64: facerec before this graph) get 300, which gave 0.99
 * at 10⁵ where 200 gave 0.975. Queries read only: a gallery gets a new value without a rebuild.
 */
export const DEFAULT_EF_SEARCH = 200;

/** The ef_search that gives recall@1 0.99 at 10⁵ faces on pgvector's default graph. */
const EF_SEARCH_DEFAULT_GRAPH = 300;

/**
 * The `hnsw.ef_search` a gallery of `faces` embeddings in an index of graph `graph` is searched with when the store is
 * opened without `efSearch`: {@link DEFAULT_EF_SEARCH} for the default graph (300 for a weaker one) up to 3×10⁵
 * faces, then growing with the square root of the size, at most 1000: at a fixed ef_search, recall falls as the
 * graph grows. Beyond 3×10⁵ this is an extrapolation; measure a large server gallery with `bench/search-sweep.mjs`.
 */
export function efSearchFor(faces: number, graph: HnswOptions = DEFAULT_HNSW): number {
  const asGood = (graph.m ?? 16) >= DEFAULT_HNSW.m && (graph.efConstruction ?? 64) >= DEFAULT_HNSW.efConstruction;
  const base = asGood ? DEFAULT_EF_SEARCH : EF_SEARCH_DEFAULT_GRAPH;
  if (faces <= 300_000) return base;
  return Math.min(1000, Math.round((base * Math.sqrt(faces / 300_000)) / 10) * 10);
}

/** The ef_search a store opened without `efSearch` gives gallery `galleryId`: {@link efSearchFor} its size and graph. */
export async function efSearchOf(client: SqlClient, galleryId: number): Promise<number> {
  const { rows } = await client.query<{ n: string | number; reloptions: string[] | string | null }>(
    `SELECT (SELECT count(*) FROM facerec_faces WHERE gallery_id = $1) AS n, (SELECT reloptions FROM pg_class WHERE relname = $2) AS reloptions`,
    [galleryId, `facerec_faces_hnsw_${galleryId}`],
  );
  return efSearchFor(Number(rows[0]!.n), graphOf(rows[0]!.reloptions) ?? { m: 16, efConstruction: 64 });
}

/** `value` when it is a valid `efSearch`; an InvalidArgumentError otherwise. */
export function checkEfSearch(value: number): number {
  if (!(Number.isInteger(value) && value >= 1 && value <= 1000)) throw new InvalidArgumentError('efSearch', `must be an integer in 1..1000, got ${value}`);
  return value;
}

/**
 * Memory for building an HNSW index in one go (`maintenance_work_mem`, for that statement only). pgvector builds
 * much more slowly once the graph outgrows it (10⁵ 128-d faces: an 80 MB graph, PostgreSQL's default is 64 MB).
 */
const INDEX_BUILD_MEMORY = '512MB';

/** Serialises migrations and gallery creation across processes (any constant; "facerec" in ASCII). */
const ADVISORY_LOCK = 0x66616365;

/** Rows fetched from the HNSW index per query for `k` people (a person's several embeddings share them). */
function nearestRows(k: number, efSearch: number): number {
  return Math.min(efSearch, Math.max(20, k * 5));
}

/** pgvector's text form of an embedding. */
export function vectorLiteral(e: ArrayLike<number>): string {
  return `[${Array.prototype.join.call(e, ',')}]`;
}

/** Parses pgvector's text form. */
function parseVector(text: string, d: number, store: string): Float32Array {
  const values = text.slice(1, -1).split(',');
  if (values.length !== d) throw new GalleryStoreError(store, `a stored embedding has ${values.length} values, the gallery holds ${d}-d embeddings`);
  return Float32Array.from(values, Number);
}

/** Brings the schema to the newest version in MIGRATIONS, under an advisory lock so two processes do not race. */
export async function migrate(client: SqlClient, store: string): Promise<void> {
  await client.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${ADVISORY_LOCK})`);
    await tx.query('CREATE TABLE IF NOT EXISTS facerec_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    const applied = new Set((await tx.query<{ version: number }>('SELECT version FROM facerec_migrations')).rows.map((r) => r.version));
    const newest = Math.max(0, ...applied);
    const known = MIGRATIONS[MIGRATIONS.length - 1]!.version;
    if (newest > known) throw new GalleryStoreError(store, `the database schema is version ${newest}, written by a newer facerec (this one knows up to ${known})`);
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      for (const statement of m.sql.split(';').map((s) => s.trim()).filter(Boolean)) {
        try {
          await tx.query(statement);
        } catch (error) {
          throw explainSqlError(error, store, statement);
        }
      }
      await tx.query('INSERT INTO facerec_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }
  });
}

/** A database error as a GalleryStoreError that says what to do (pgvector missing, no right to create it). */
export function explainSqlError(error: unknown, store: string, statement: string): Error {
  if (error instanceof FacerecError) return error;
  const { code, message } = error as { code?: string; message?: string };
  if (/CREATE EXTENSION/i.test(statement) && (code === '58P01' || code === '0A000' || /extension .*(control file|not available)/i.test(message ?? ''))) {
    return new GalleryStoreError(store, 'the PostgreSQL server lacks the pgvector extension ("vector"), which facerec needs for its gallery index. ' +
      'Install pgvector on the server (e.g. the postgresql-<version>-pgvector package) or use a server that has it', { cause: error, missingExtension: 'vector' });
  }
  if (/CREATE EXTENSION/i.test(statement) && code === '42501') {
    return new GalleryStoreError(store, 'this user may not create the pgvector extension ("vector"); ask the database owner to run CREATE EXTENSION vector once', { cause: error, missingExtension: 'vector' });
  }
  return new GalleryStoreError(store, `${message ?? String(error)} (in: ${statement.split('\n')[0]!.slice(0, 80)})`, { cause: error });
}

interface GalleryRow {
  id: number;
  embedder: string;
  dimensions: number;
  threshold: number;
  landmarks: string | null;
  index_type: 'vector' | 'halfvec';
}

/**
 * Opens gallery `name` in a migrated database, creating it (row + partial HNSW index, in one transaction) when
 * it does not exist and `create` gives its description.
 * @returns undefined when the gallery does not exist and `create` is not given.
 */
export async function openSqlGallery(
  client: SqlClient, name: string, store: string, create: (() => Promise<GalleryInfo>) | undefined, options: SqlGalleryOptions = {},
): Promise<{ id: number; info: GalleryInfo; indexType: 'vector' | 'halfvec' } | undefined> {
  // Checked even for an existing gallery (which keeps its own graph), so a wrong option is never silently taken.
  const graph = hnswWith(options.hnsw);
  const select = 'SELECT id, embedder, dimensions, threshold, landmarks, index_type FROM facerec_galleries WHERE name = $1';
  let row = (await client.query<GalleryRow>(select, [name])).rows[0];
  if (!row) {
    if (!create) return undefined;
    const info = await create();
    checkInfo(info);
    const indexType = options.indexType ?? 'vector';
    if (indexType !== 'vector' && indexType !== 'halfvec') throw new InvalidArgumentError('indexType', `must be "vector" or "halfvec", got ${String(indexType)}`);
    row = await client.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${ADVISORY_LOCK})`);
      const existing = (await tx.query<GalleryRow>(select, [name])).rows[0];
      if (existing) return existing;
      const made = (await tx.query<GalleryRow>(
        'INSERT INTO facerec_galleries (name, embedder, dimensions, threshold, landmarks, index_type) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, embedder, dimensions, threshold, landmarks, index_type',
        [name, info.embedder, info.dimensions, info.threshold, info.landmarks ?? null, indexType],
      )).rows[0]!;
      const statement = `CREATE INDEX facerec_faces_hnsw_${made.id} ON facerec_faces USING hnsw ((embedding::${indexType}(${info.dimensions})) ${indexType}_cosine_ops) ${graph} WHERE gallery_id = ${made.id}`;
      await tx.query(statement).catch((error: unknown) => {
        throw explainSqlError(error, store, statement);
      });
      return made;
    });
  }
  const info: GalleryInfo = {
    embedder: row.embedder,
    dimensions: row.dimensions,
    // real is float4: the threshold comes back as the nearest float32 (0.5 stays 0.5, 0.36 becomes 0.36000001…).
    threshold: Number(Math.fround(row.threshold).toPrecision(7)),
    ...(row.landmarks === 'mesh' || row.landmarks === 'detector' ? { landmarks: row.landmarks } : {}),
  };
  return { id: row.id, info, indexType: row.index_type };
}

/**
 * The graph an index was built with, from its stored options (`pg_class.reloptions`: a text[] from a server, or its
 * text form `{m=16,ef_construction=200}`); undefined for an index built without options (pgvector's defaults).
 */
function graphOf(reloptions: readonly string[] | string | null): Required<HnswOptions> | undefined {
  const list = typeof reloptions === 'string' ? reloptions.replace(/^\{|\}$/g, '').split(',').filter(Boolean) : reloptions ?? [];
  const values = new Map(list.map((o) => o.split('=') as [string, string]));
  if (!values.has('m') && !values.has('ef_construction')) return undefined;
  return { m: values.has('m') ? Number(values.get('m')) : 16, efConstruction: values.has('ef_construction') ? Number(values.get('ef_construction')) : 64 };
}

function checkInfo(info: GalleryInfo): void {
  if (!(Number.isInteger(info.dimensions) && info.dimensions >= 1 && info.dimensions <= 4000)) throw new InvalidArgumentError('info.dimensions', `must be an integer in 1..4000, got ${info.dimensions}`);
  if (!(info.threshold >= -1 && info.threshold <= 1)) throw new InvalidArgumentError('info.threshold', `must be in [-1, 1], got ${info.threshold}`);
}

/**
 * A {@link GalleryStore} in PostgreSQL tables (see migrations/): search through the gallery's HNSW index with
 * cosine distance (approximate: it may miss a person, it never invents a score), add and remove in transactions.
 */
export class SqlGalleryStore implements GalleryStore {
  private closed = false;
  private readonly vectorType: string;
  private readonly indexExpr: string;
  private readonly indexQuery: string;
  private readonly efSearch: number;

  /**
   * Made by `openPgliteStore` / `openPostgresStore`; build one yourself only over your own {@link SqlClient}.
   * @param kind - `'pglite'` or `'postgres'`.
   * @param target - Names the store in errors (no password).
   * @param release - Closes the connection (and releases a lock) when the store is closed.
   * @param purge - Makes deleted rows unrecoverable from the database's files (PGlite: `purgeDeleted`).
   * @param persist - Runs after each committed change (an encrypted PGlite saves its sealed dump); `removed` when rows were deleted.
   */
  constructor(
    readonly kind: string,
    private readonly client: SqlClient,
    private readonly galleryId: number,
    readonly info: GalleryInfo,
    private readonly indexType: 'vector' | 'halfvec',
    private readonly target: string,
    private readonly release: () => Promise<void>,
    options: SqlGalleryOptions = {},
    private readonly purge?: () => Promise<void>,
    private readonly persist?: { afterWrite(removed: boolean): Promise<void> },
  ) {
    const d = info.dimensions;
    this.vectorType = `vector(${d})`;
    this.indexExpr = `embedding::${indexType}(${d})`;
    this.efSearch = checkEfSearch(options.efSearch ?? DEFAULT_EF_SEARCH);
    this.indexQuery = indexType === 'halfvec' ? `$1::halfvec(${d})` : `$1::vector(${d})`;
  }

  async add(label: string, embeddings: readonly Float32Array[]): Promise<void> {
    this.checkOpen();
    const d = this.info.dimensions;
    embeddings.forEach((e, i) => {
      if (e.length !== d) throw new InvalidArgumentError(`embeddings[${i}]`, `has ${e.length} values, the gallery holds ${d}-d embeddings`);
      for (let j = 0; j < d; j++) if (!Number.isFinite(e[j])) throw new InvalidArgumentError(`embeddings[${i}]`, `value ${j} is not finite`);
    });
    if (embeddings.length === 0) return;
    await this.run('INSERT', () => this.client.transaction(async (tx) => {
      // One statement for all rows: they land together or not at all.
      await tx.query(
        `INSERT INTO facerec_faces (gallery_id, label, embedding) SELECT $1, $2, v::${this.vectorType} FROM unnest($3::text[]) AS v`,
        [this.galleryId, label, embeddings.map(vectorLiteral)],
      );
    }));
    await this.persist?.afterWrite(false);
  }

  /**
   * Adds many embeddings of many people fast (an import, a benchmark): the gallery's HNSW index is dropped, the rows
   * go in as multi-row INSERTs of `chunk` rows (default 2,000), and the index is built once at the end (much faster
   * than growing it row by row). Searches by other processes meanwhile are exact scans. Not atomic as a whole: each
   * chunk is; a failure rebuilds the index and rethrows.
   * @returns How many rows were added.
   */
  async bulkLoad(entries: Iterable<GalleryEntry> | AsyncIterable<GalleryEntry>, options: { readonly chunk?: number } = {}): Promise<number> {
    this.checkOpen();
    const chunk = options.chunk ?? 2000;
    if (!(Number.isInteger(chunk) && chunk >= 1)) throw new InvalidArgumentError('chunk', `must be a positive integer, got ${chunk}`);
    const d = this.info.dimensions;
    const index = `facerec_faces_hnsw_${this.galleryId}`;
    // The index is rebuilt with the graph it had (galleries made before facerec set one have pgvector's defaults).
    const { rows: built } = await this.run('SELECT', () => this.client.query<{ reloptions: string[] | string | null }>('SELECT reloptions FROM pg_class WHERE relname = $1', [index]));
    const had = graphOf(built[0]?.reloptions ?? null);
    const graph = had ? hnswWith(had) : '';
    const createIndex = `CREATE INDEX IF NOT EXISTS ${index} ON facerec_faces USING hnsw ((${this.indexExpr}) ${this.indexType}_cosine_ops) ${graph} WHERE gallery_id = ${this.galleryId}`;
    await this.run('DROP INDEX', () => this.client.query(`DROP INDEX IF EXISTS ${index}`));
    let added = 0;
    let labels: string[] = [];
    let vectors: string[] = [];
    const flush = async (): Promise<void> => {
      if (labels.length === 0) return;
      const [l, v] = [labels, vectors];
      labels = [];
      vectors = [];
      await this.run('INSERT', () => this.client.query(
        `INSERT INTO facerec_faces (gallery_id, label, embedding) SELECT $1, l, v::${this.vectorType} FROM unnest($2::text[], $3::text[]) AS t(l, v)`,
        [this.galleryId, l, v],
      ));
      added += l.length;
    };
    try {
      for await (const entry of entries) {
        if (entry.embedding.length !== d) throw new InvalidArgumentError('entries', `an embedding of ${entry.label} has ${entry.embedding.length} values, the gallery holds ${d}-d embeddings`);
        labels.push(entry.label);
        vectors.push(vectorLiteral(entry.embedding));
        if (labels.length >= chunk) await flush();
      }
      await flush();
    } finally {
      await this.run('CREATE INDEX', () => this.client.transaction(async (tx) => {
        await tx.query(`SET LOCAL maintenance_work_mem = '${INDEX_BUILD_MEMORY}'`);
        await tx.query(createIndex);
      }));
      if (added > 0) await this.persist?.afterWrite(false);
    }
    return added;
  }

  async remove(label: string): Promise<boolean> {
    this.checkOpen();
    const removed = await this.run('DELETE', () => this.client.transaction(async (tx) => {
      const { affected } = await tx.query('DELETE FROM facerec_faces WHERE gallery_id = $1 AND label = $2', [this.galleryId, label]);
      return affected > 0;
    }));
    if (removed) await this.run('VACUUM FULL', async () => this.persist?.afterWrite(true));
    return removed;
  }

  async labels(): Promise<string[]> {
    this.checkOpen();
    const { rows } = await this.run('SELECT', () => this.client.query<{ label: string }>('SELECT DISTINCT label FROM facerec_faces WHERE gallery_id = $1', [this.galleryId]));
    return rows.map((r) => r.label).sort(compareLabels);
  }

  async count(): Promise<GalleryCount> {
    this.checkOpen();
    const { rows } = await this.run('SELECT', () => this.client.query<{ people: string | number; embeddings: string | number }>(
      'SELECT count(DISTINCT label) AS people, count(*) AS embeddings FROM facerec_faces WHERE gallery_id = $1', [this.galleryId],
    ));
    return { people: Number(rows[0]!.people), embeddings: Number(rows[0]!.embeddings) };
  }

  async search(queries: readonly Float32Array[], options: StoreSearchOptions): Promise<Candidate[][]> {
    this.checkOpen();
    const d = this.info.dimensions;
    queries.forEach((q, i) => {
      if (q.length !== d) throw new InvalidArgumentError(`queries[${i}]`, `has ${q.length} values, the gallery holds ${d}-d embeddings`);
    });
    const rows = nearestRows(options.k, this.efSearch);
    // The gallery id and sizes are integers of ours, written into the text so the planner matches the partial
    // index (WHERE gallery_id = <id>) and its expression; the embedding is a parameter. The index orders the
    // candidates; their scores come from the full-precision rows.
    const sql = `SELECT label, max(score) AS score FROM (
      SELECT label, 1 - (embedding::${this.vectorType} <=> $1::${this.vectorType}) AS score
      FROM facerec_faces WHERE gallery_id = ${this.galleryId}
      ORDER BY ${this.indexExpr} <=> ${this.indexQuery} LIMIT ${rows}
    ) nearest GROUP BY label ORDER BY score DESC, label LIMIT ${options.k}`;
    const out: Candidate[][] = [];
    for (const q of queries) {
      const found = await this.run('SELECT', () => this.client.query<{ label: string; score: number }>(sql, [vectorLiteral(q)]));
      const candidates = found.rows.map((r) => ({ label: r.label, score: Number(r.score) }));
      out.push(options.minScore === undefined ? candidates : candidates.filter((c) => c.score >= options.minScore!));
    }
    return out;
  }

  async *entries(): AsyncIterable<GalleryEntry> {
    this.checkOpen();
    // Pages by id, so a gallery of millions is never held in memory at once.
    let after = 0;
    for (;;) {
      const { rows } = await this.run('SELECT', () => this.client.query<{ id: string | number; label: string; embedding: string }>(
        'SELECT id, label, embedding::text AS embedding FROM facerec_faces WHERE gallery_id = $1 AND id > $2 ORDER BY id LIMIT 1000', [this.galleryId, after],
      ));
      for (const r of rows) yield { label: r.label, embedding: parseVector(r.embedding, this.info.dimensions, this.target) };
      if (rows.length < 1000) return;
      after = Number(rows[rows.length - 1]!.id);
    }
  }

  /**
   * Makes the embeddings of removed people unrecoverable from the database's files: a DELETE only marks rows dead,
   * and PostgreSQL's write-ahead log keeps what was written. PGlite: `VACUUM FULL` and fresh WAL segments (the
   * folder then holds no byte of a removed embedding or name); a server: `VACUUM FULL facerec_faces` (its WAL
   * archive and backups are the server's to manage). Rewrites the table and rebuilds the HNSW indexes: costly for
   * big galleries, so run it after a batch of removals, not after each. `facerec gallery remove` runs it.
   */
  async compact(): Promise<void> {
    this.checkOpen();
    await this.run('VACUUM FULL', async () => {
      if (this.purge) await this.purge();
      else await this.client.query('VACUUM FULL facerec_faces');
    });
    await this.persist?.afterWrite(false);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.release();
  }

  private async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw explainSqlError(error, this.target, what);
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new FacerecError(`The gallery store ${this.target} is closed`);
  }
}
