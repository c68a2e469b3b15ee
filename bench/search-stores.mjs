// bench:search's stores, each behind one small adapter: bulk load, build, search one face (k = 1), size on disk, close.
// memory = facerec's Gallery (exact matrix product, the default store); pglite = PGlite + pgvector HNSW in a folder;
// postgres = the same database served over the Postgres wire protocol (pglite-socket) through the `pg` client;
// faceapi = @vladmandic/face-api's FaceMatcher (its users' 1:N: Euclidean distance to every descriptor in JS).
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_EF_SEARCH, DEFAULT_HNSW } from '@facerec/node';
import { repoRoot } from './lib.mjs';

const D = 128;
const nodeRequire = createRequire(path.join(repoRoot, 'packages', 'node', 'package.json'));
const rootRequire = createRequire(path.join(repoRoot, 'package.json'));

/** HNSW parameters: m and ef_construction for the build, ef_search for queries (the stores' defaults; bench/search-sweep.mjs). */
export const HNSW = { ...DEFAULT_HNSW, efSearch: Number(process.env.SEARCH_EF ?? DEFAULT_EF_SEARCH) };

const literal = (m, r) => {
  let s = '[';
  for (let j = 0; j < D; j++) s += (j ? ',' : '') + m[r * D + j];
  return `${s}]`;
};

/** facerec's in-memory exact Gallery: what `new Gallery(pipeline)` searches with. */
export async function memoryStore() {
  const { Gallery, initBackend } = await import('@facerec/node');
  await initBackend('wasm');
  const gallery = new Gallery(undefined, { embedder: 'dlib', dimensions: D, threshold: 0.6 });
  return {
    async load(labels, matrix) {
      for (let r = 0; r < labels.length; r++) await gallery.enroll(labels[r], [matrix.subarray(r * D, (r + 1) * D)]);
    },
    async prepare() {},
    async build() {
      // The first match uploads the matrix to the backend.
      await gallery.match([matrix1()]);
    },
    async search(q) {
      const [r] = await gallery.match([q], { topK: 1 });
      return r.candidates[0]?.label;
    },
    bytesOnDisk: async () => undefined,
    close: async () => gallery.dispose(),
  };
}

const matrix1 = () => Float32Array.from({ length: D }, (_, i) => (i === 0 ? 1 : 0));

/** PGlite + pgvector in a folder, loaded with COPY then indexed (HNSW, cosine). */
export async function pgliteStore({ wire = false } = {}) {
  const { PGlite } = await import(nodeRequire.resolve('@electric-sql/pglite'));
  const { vector } = await import(nodeRequire.resolve('@electric-sql/pglite-pgvector'));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'facerec-bench-pglite-'));
  const db = await PGlite.create({ dataDir: dir, extensions: { vector } });
  await db.exec('CREATE EXTENSION IF NOT EXISTS vector; CREATE TABLE faces (id bigserial PRIMARY KEY, label text NOT NULL, embedding vector(128) NOT NULL)');
  let query = (sql, params) => db.query(sql, params);
  let server;
  let pool;
  if (wire) {
    const { PGLiteSocketServer } = await import(nodeRequire.resolve('@electric-sql/pglite-socket'));
    server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1' });
    await server.start();
    const port = Number(String(server.getServerConn()).split(':').pop());
    const pg = nodeRequire('pg');
    pool = new pg.Pool({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', max: 1 });
    query = (sql, params) => pool.query(sql, params);
  }
  return {
    async load(labels, matrix) {
      // COPY from a blob in chunks (one blob of 10^6 text vectors would not fit in the WASM heap).
      const chunk = 20_000;
      for (let at = 0; at < labels.length; at += chunk) {
        const lines = [];
        for (let r = at; r < Math.min(labels.length, at + chunk); r++) lines.push(`${labels[r]}\t${literal(matrix, r)}`);
        await db.query("COPY faces (label, embedding) FROM '/dev/blob'", [], { blob: new Blob([`${lines.join('\n')}\n`]) });
      }
    },
    async build() {
      await db.exec(`SET maintenance_work_mem = '1GB'; CREATE INDEX faces_embedding ON faces USING hnsw (embedding vector_cosine_ops) WITH (m = ${HNSW.m}, ef_construction = ${HNSW.efConstruction}); ANALYZE faces`);
    },
    async search(q) {
      const { rows } = await query('SELECT label FROM faces ORDER BY embedding <=> $1 LIMIT 1', [literal(q, 0)]);
      return rows[0]?.label;
    },
    async prepare() {
      await query(`SET hnsw.ef_search = ${HNSW.efSearch}`);
    },
    async bytesOnDisk() {
      const { rows } = await db.query("SELECT pg_total_relation_size('faces')::float8 AS bytes");
      return rows[0].bytes;
    },
    async close() {
      await pool?.end();
      await server?.stop();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** face-api's FaceMatcher over one LabeledFaceDescriptors per person. */
export async function faceapiStore() {
  const faceapi = rootRequire('@vladmandic/face-api/dist/face-api.node-wasm.js');
  let matcher;
  return {
    async load(labels, matrix) {
      const people = labels.map((l, r) => new faceapi.LabeledFaceDescriptors(l, [matrix.slice(r * D, (r + 1) * D)]));
      matcher = new faceapi.FaceMatcher(people, 2);
    },
    async build() {},
    async prepare() {},
    async search(q) {
      return matcher.findBestMatch(q).label;
    },
    bytesOnDisk: async () => undefined,
    close: async () => {},
  };
}

/**
 * facerec's own SQL gallery store (what `openGalleryStore('pglite:…' | 'postgres://…')` gives users), bulk-loaded with
 * `bulkLoad` (rows inserted in chunks, then one HNSW build). `wire` serves a PGlite over the PostgreSQL protocol
 * (pglite-socket on 127.0.0.1) and opens it by URL, as a server gallery.
 */
export async function galleryStore({ wire = false, n = 0 } = {}) {
  const { openGalleryStore } = await import('@facerec/node');
  // SEARCH_KEEP=<folder>: the PGlite gallery is kept there, and a later run on a folder that holds the N faces only
  // searches (to time the queries again on a quiet machine without reloading and reindexing).
  const keep = !wire && process.env.SEARCH_KEEP ? path.join(process.env.SEARCH_KEEP, `n${n}`) : undefined;
  if (keep) mkdirSync(path.dirname(keep), { recursive: true });
  const reuse = keep !== undefined && existsSync(keep);
  const dir = keep ?? mkdtempSync(path.join(os.tmpdir(), 'facerec-bench-store-'));
  let db;
  let server;
  let target = `pglite:${keep ?? path.join(dir, 'gallery')}`;
  if (wire) {
    const { PGlite } = await import(nodeRequire.resolve('@electric-sql/pglite'));
    const { vector } = await import(nodeRequire.resolve('@electric-sql/pglite-pgvector'));
    const { PGLiteSocketServer } = await import(nodeRequire.resolve('@electric-sql/pglite-socket'));
    db = await PGlite.create({ dataDir: path.join(dir, 'server'), extensions: { vector } });
    server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1' });
    await server.start();
    const port = Number(String(server.getServerConn()).split(':').pop());
    target = `postgres://postgres@127.0.0.1:${port}/postgres?gallery=bench`;
  }
  const open = () => openGalleryStore(target, {
    create: async () => ({ embedder: 'dlib', dimensions: D, threshold: 0.6 }),
    ...(process.env.SEARCH_EF ? { efSearch: HNSW.efSearch } : {}),
    ...(wire ? { maxConnections: 1 } : {}),
  });
  let store = await open();
  if (reuse && (await store.count()).embeddings !== n) throw new Error(`${keep} does not hold ${n} faces: remove it or use another SEARCH_KEEP`);
  return {
    reused: reuse,
    async load(labels, matrix) {
      if (reuse) return;
      function* entries() {
        for (let r = 0; r < labels.length; r++) yield { label: labels[r], embedding: matrix.subarray(r * D, (r + 1) * D) };
      }
      await store.bulkLoad(entries());
    },
    async build() {},
    // Searched as a service would after an import: the gallery opened again (a PGlite store sizes its buffer cache
    // to the gallery when it opens).
    async prepare() {
      if (wire || reuse) return;
      await store.close();
      store = await open();
    },
    async search(q) {
      const [top] = await store.search([q], { k: 1 });
      return top[0]?.label;
    },
    bytesOnDisk: async () => undefined,
    async close() {
      await store.close();
      await server?.stop();
      await db?.close();
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}
