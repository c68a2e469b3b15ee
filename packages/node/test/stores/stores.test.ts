// Runs the shared gallery-store suite against every store: memory, folder, PGlite, and PostgreSQL over the wire (pg → pglite-socket → PGlite).
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_EF_SEARCH, DEFAULT_HNSW, efSearchFor, InvalidArgumentError, MemoryGalleryStore, openFolderStore, openPostgresStore, SqlGalleryStore } from '@facerec/node';
import { sqlClient } from '../../src/stores/pglite.js';
import { migrate, openSqlGallery } from '../../src/stores/sql-store.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';
import { storeSuite, suiteInfo, unit } from './suite.js';

let db: PGlite | undefined;
let server: PGLiteSocketServer | undefined;
let url = '';
let n = 0;

beforeAll(async () => {
  await tf.setBackend('cpu');
  // One PGlite database for both SQL suites (starting one costs seconds): each test is its own gallery in it.
  db = await PGlite.create(path.join(await makeTempDir(), 'pgdata'), { extensions: { vector } });
  server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
  await server.start();
  url = `postgres://postgres@${server.getServerConn()}/postgres`;
  // Starting PGlite (WASM compile and initdb) takes seconds on a quiet machine, minutes on a loaded one.
}, 600_000);
afterAll(async () => {
  await server?.stop();
  await db?.close();
  await removeTempDirs();
});

storeSuite('memory', () => async (info) => new MemoryGalleryStore(info));

storeSuite('folder', () => async (info) => (await openFolderStore(path.join(await makeTempDir(), 'gallery'), { create: async () => info }))!);

storeSuite('pglite', () => async (info) => {
  const client = sqlClient(db!);
  await migrate(client, 'pglite:test');
  const gallery = (await openSqlGallery(client, `g${++n}`, 'pglite:test', async () => info))!;
  return new SqlGalleryStore('pglite', client, gallery.id, gallery.info, gallery.indexType, 'pglite:test', async () => undefined);
});

storeSuite('postgres', () => async (info) => (await openPostgresStore(`${url}?gallery=wire${++n}`, { create: async () => info, maxConnections: 1 }))!);

it('two writers on one server gallery (two pools) lose nothing', async () => {
  const target = `${url}?gallery=shared`;
  const [a, b] = await Promise.all([0, 1].map(async () => (await openPostgresStore(target, { create: async () => suiteInfo, maxConnections: 2 }))!));
  try {
    await Promise.all([a!, b!].map((store, w) => Promise.all(Array.from({ length: 10 }, (_, i) => store.add(`w${w}-${i}`, [unit(w * 100 + i), unit(w * 100 + i + 50)])))));
    expect(await a!.count()).toEqual({ people: 20, embeddings: 40 });
    // Both opened (and may have created) the same gallery: one row for it, not two.
    expect((await b!.labels())).toHaveLength(20);
  } finally {
    await Promise.all([a!.close(), b!.close()]);
  }
});

it('a new SQL gallery gets the HNSW graph asked for, bulkLoad rebuilds it the same, and a bad graph is refused', async () => {
  const graphOf = async (name: string): Promise<string> => {
    const { rows } = await db!.query<{ reloptions: string[] }>(
      "SELECT c.reloptions FROM pg_class c JOIN facerec_galleries g ON c.relname = 'facerec_faces_hnsw_' || g.id WHERE g.name = $1", [name]);
    return [...rows[0]!.reloptions].sort().join(',');
  };
  const client = sqlClient(db!);
  await migrate(client, 'pglite:test');
  await openSqlGallery(client, 'graph-default', 'pglite:test', async () => suiteInfo);
  expect(await graphOf('graph-default')).toBe(`ef_construction=${DEFAULT_HNSW.efConstruction},m=${DEFAULT_HNSW.m}`);
  // Over the wire, as a server gallery: the same graph options, and bulkLoad (which drops and rebuilds the index) keeps them.
  const store = (await openPostgresStore(`${url}?gallery=graph-24`, { create: async () => suiteInfo, hnsw: { m: 24, efConstruction: 100 }, maxConnections: 1 }))!;
  try {
    expect(await graphOf('graph-24')).toBe('ef_construction=100,m=24');
    await (store as SqlGalleryStore).bulkLoad(Array.from({ length: 30 }, (_, i) => ({ label: `p${i}`, embedding: unit(i) })));
    expect(await graphOf('graph-24')).toBe('ef_construction=100,m=24');
    expect((await store.search([unit(7)], { k: 1 }))[0]![0]!.label).toBe('p7');
  } finally {
    await store.close();
  }
  await expect(openSqlGallery(client, 'graph-bad', 'pglite:test', async () => suiteInfo, { hnsw: { m: 16, efConstruction: 20 } })).rejects.toThrow(InvalidArgumentError);
  await expect(openSqlGallery(client, 'graph-bad', 'pglite:test', async () => suiteInfo, { hnsw: { m: 1 } })).rejects.toThrow(/hnsw\.m/);
});

it('searches with efSearch when given, else with one that grows with the gallery, and refuses a bad one', async () => {
  expect([0, 300_000, 1_200_000, 10 ** 8].map((n) => efSearchFor(n))).toEqual([DEFAULT_EF_SEARCH, DEFAULT_EF_SEARCH, 2 * DEFAULT_EF_SEARCH, 1000]);
  expect(efSearchFor(100_000, { m: 16, efConstruction: 64 })).toBe(300); // a weaker graph needs more candidates
  // What each connection of the server store's pool searches with (its client is private).
  const setting = async (store: unknown): Promise<string> =>
    ((await (store as { client: { query<R>(sql: string): Promise<{ rows: R[] }> } }).client.query<{ 'hnsw.ef_search': string }>('SHOW hnsw.ef_search')).rows[0]!['hnsw.ef_search']);
  const cases = [['ef', 123, '123'], ['ef', undefined, String(DEFAULT_EF_SEARCH)], ['ef-weak-graph', undefined, '300']] as const;
  for (const [gallery, efSearch, expected] of cases) {
    const hnsw = gallery === 'ef-weak-graph' ? { m: 16, efConstruction: 64 } : undefined;
    const store = (await openPostgresStore(`${url}?gallery=${gallery}`, { create: async () => suiteInfo, maxConnections: 1, ...(efSearch !== undefined ? { efSearch } : {}), ...(hnsw ? { hnsw } : {}) }))!;
    try {
      expect(await setting(store)).toBe(expected);
    } finally {
      await store.close();
    }
  }
  await expect(openPostgresStore(`${url}?gallery=ef`, { efSearch: 0 })).rejects.toThrow(InvalidArgumentError);
});
