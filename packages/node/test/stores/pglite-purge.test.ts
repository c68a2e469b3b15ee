// A removed person's embedding and name are in no file of a PGlite database folder after purgeDeleted (and were before it).
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { purgeDeleted } from '../../src/stores/pglite-purge.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';

afterAll(removeTempDirs);

async function allBytes(dir: string): Promise<Buffer> {
  const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
  return Buffer.concat(await Promise.all(files.map((f) => readFile(f))));
}

describe('purgeDeleted (PGlite folder)', () => {
  // PGlite's first start (WASM compile + initdb) takes 5–30 s, more on a loaded machine.
  it('leaves no byte of a deleted row in the data folder, where DELETE + VACUUM FULL + CHECKPOINT alone does', { timeout: 400_000 }, async () => {
    const { PGlite } = await import('@electric-sql/pglite');
    const { vector } = await import('@electric-sql/pglite-pgvector');
    const dir = path.join(await makeTempDir(), 'pgdata');
    const db = await PGlite.create(dir, { extensions: { vector } });
    try {
      await db.exec('CREATE EXTENSION IF NOT EXISTS vector; CREATE TABLE faces (id bigserial PRIMARY KEY, label text NOT NULL, embedding vector(4) NOT NULL); CREATE INDEX ON faces USING hnsw (embedding vector_cosine_ops)');
      const secret = [0.123456789, -0.987654321, 0.55555, 0.3141592];
      await db.query('INSERT INTO faces (label, embedding) VALUES ($1, $2), ($3, $4)', ['Zorro Secretperson', `[${secret.join(',')}]`, 'bob', '[0.1,0.2,0.3,0.4]']);
      const needle = Buffer.from(new Float32Array(secret).buffer);
      await db.exec("DELETE FROM faces WHERE label = 'Zorro Secretperson'");
      await db.exec('VACUUM FULL faces');
      await db.exec('CHECKPOINT');
      // Without the WAL purge the row is still in the folder (so the check below can fail).
      expect((await allBytes(dir)).indexOf(needle)).toBeGreaterThanOrEqual(0);
      await purgeDeleted(db, 'faces');
      const bytes = await allBytes(dir);
      expect(bytes.indexOf(needle)).toBe(-1);
      expect(bytes.indexOf('Secretperson')).toBe(-1);
      expect((await db.query<{ label: string }>('SELECT label FROM faces')).rows.map((r) => r.label)).toEqual(['bob']);
    } finally {
      await db.close();
    }
  });
});
