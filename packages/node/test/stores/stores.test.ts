// Runs the shared gallery-store suite against every store: memory, folder, PGlite, and PostgreSQL over the wire (pg → pglite-socket → PGlite).
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MemoryGalleryStore, openFolderStore, openPostgresStore, SqlGalleryStore } from '@facerec/node';
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
