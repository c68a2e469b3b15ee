// HNSW parameter sweep for the SQL gallery stores: recall@1 vs exact and per-query time for several ef_search values
// on one index per (m, ef_construction), built once in a kept PGlite folder and reused by later runs.
// Usage (after `node bench/search.mjs --n 100000 --stores memory` has written the data files):
//   node bench/search-sweep.mjs --n 100000 --index 16:64,16:128 --ef 40,100,200,400 [--dir /tmp/facerec-sweep] [--queries 200]
//     [--shared-buffers 512MB]
// Prints one JSON line per setting (SWEEP {...}) and writes bench-results/search-sweep.json.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot, writeResult } from './lib.mjs';

const D = 128;
const { values } = parseArgs({ options: { n: { type: 'string' }, index: { type: 'string' }, ef: { type: 'string' }, dir: { type: 'string' }, queries: { type: 'string' }, halfvec: { type: 'boolean' }, 'shared-buffers': { type: 'string' } } });
const n = Number(values.n ?? 100_000);
const indexes = (values.index ?? '16:64').split(',').map((s) => s.split(':').map(Number));
const efs = (values.ef ?? '40,100,200,400').split(',').map(Number);
const dataFile = path.join(os.tmpdir(), `facerec-bench-search-v1-${n}-200`);
if (!existsSync(`${dataFile}.f32`)) throw new Error(`${dataFile}.f32 missing: run node bench/search.mjs --n ${n} --stores memory first`);
const meta = JSON.parse(readFileSync(`${dataFile}.json`, 'utf8'));
const queries = meta.queries.slice(0, Number(values.queries ?? 200));
const loadavg = () => os.loadavg().map((l) => +l.toFixed(2));
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const literal = (m, r) => {
  let s = '[';
  for (let j = 0; j < D; j++) s += (j ? ',' : '') + m[r * D + j];
  return `${s}]`;
};

const nodeRequire = createRequire(path.join(repoRoot, 'packages', 'node', 'package.json'));
const { PGlite } = await import(nodeRequire.resolve('@electric-sql/pglite'));
const { vector } = await import(nodeRequire.resolve('@electric-sql/pglite-pgvector'));
const dir = path.join(values.dir ?? path.join(os.tmpdir(), 'facerec-sweep'), `n${n}`);
mkdirSync(dir, { recursive: true });
// --shared-buffers: PostgreSQL's buffer cache for this run (PGlite's default is 128MB), to see what a cache that holds
// the index is worth. PGlite writes `postgresqlconf` over the folder's postgresql.conf: fine for this kept bench folder,
// not something to do to a user's gallery.
const sharedBuffers = values['shared-buffers'];
const db = await PGlite.create({ dataDir: dir, extensions: { vector }, ...(sharedBuffers ? { postgresqlconf: [`shared_buffers = '${sharedBuffers}'`] } : {}) });
await db.exec('CREATE EXTENSION IF NOT EXISTS vector; CREATE TABLE IF NOT EXISTS faces (id bigserial PRIMARY KEY, label text NOT NULL, embedding vector(128) NOT NULL)');
const have = Number((await db.query('SELECT count(*)::int AS c FROM faces')).rows[0].c);
const out = { n, queries: queries.length, loading: undefined, builds: [], settings: [] };
if (have !== n) {
  await db.exec('TRUNCATE faces');
  const bytes = readFileSync(`${dataFile}.f32`);
  const matrix = new Float32Array(bytes.buffer, bytes.byteOffset, n * D);
  const t = performance.now();
  const c = cpu();
  for (let at = 0; at < n; at += 20_000) {
    const lines = [];
    for (let r = at; r < Math.min(n, at + 20_000); r++) lines.push(`${r < meta.realLabels.length ? meta.realLabels[r] : `d${r}`}\t${literal(matrix, r)}`);
    await db.query("COPY faces (label, embedding) FROM '/dev/blob'", [], { blob: new Blob([`${lines.join('\n')}\n`]) });
  }
  await db.exec('ANALYZE faces');
  out.loading = { s: +((performance.now() - t) / 1000).toFixed(1), cpu_s: +(cpu() - c).toFixed(1), loadavg: loadavg() };
  console.log(`loaded ${n} rows in ${out.loading.s} s (${out.loading.cpu_s} CPU s)`);
}

const file = path.join(repoRoot, 'bench-results', 'search-sweep.json');
const key = (s) => `${s.n}/${s.type}/${s.m}/${s.ef_construction}/${s.ef_search}/${s.shared_buffers ?? '128MB'}`;
/** Merges this run's builds and settings into search-sweep.json (after each one, so a stopped run keeps what it measured). */
function save() {
  const previous = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const mine = out.settings.map((s) => ({ n, ...s }));
  const builds = out.builds.map((b) => ({ n, ...b }));
  const same = (a, b) => a.n === b.n && a.m === b.m && a.ef_construction === b.ef_construction && a.type === b.type && a.loadavg?.join() === b.loadavg?.join();
  writeResult('search-sweep', {
    settings: [...(previous.settings ?? []).filter((s) => !mine.some((t) => key(t) === key(s))), ...mine].sort((a, b) => a.n - b.n || key(a).localeCompare(key(b))),
    builds: [...(previous.builds ?? []).filter((b) => !builds.some((c) => same(b, c))), ...builds],
    loading: [...(previous.loading ?? []).filter((l) => !(out.loading && l.n === n && l.s === out.loading.s)), ...(out.loading ? [{ n, ...out.loading }] : [])],
    recall: "share of queries whose top-1 label equals exact search's top-1 (same data and queries as bench:search)",
  });
}

const type = values.halfvec ? 'halfvec' : 'vector';
for (const [m, efc] of indexes) {
  const name = `faces_hnsw_${type}_${m}_${efc}`;
  const expr = type === 'halfvec' ? 'embedding::halfvec(128)' : 'embedding';
  // Only this setting's index exists while it is measured (the planner would pick any of them).
  const others = (await db.query("SELECT indexname FROM pg_indexes WHERE tablename = 'faces' AND indexname LIKE 'faces_hnsw_%' AND indexname <> $1", [name])).rows;
  for (const o of others) await db.exec(`DROP INDEX ${o.indexname}`);
  const exists = (await db.query('SELECT 1 FROM pg_indexes WHERE indexname = $1', [name])).rows.length > 0;
  if (!exists) {
    const t = performance.now();
    const c = cpu();
    const rssBefore = process.memoryUsage().rss;
    await db.exec(`SET maintenance_work_mem = '1GB'; CREATE INDEX ${name} ON faces USING hnsw ((${expr}) ${type}_cosine_ops) WITH (m = ${m}, ef_construction = ${efc})`);
    const build = { m, ef_construction: efc, type, s: +((performance.now() - t) / 1000).toFixed(1), cpu_s: +(cpu() - c).toFixed(1), rss_growth_mb: Math.round((process.memoryUsage().rss - rssBefore) / 2 ** 20), loadavg: loadavg() };
    build.index_mb = +((await db.query('SELECT pg_relation_size($1)::float8 AS b', [name])).rows[0].b / 2 ** 20).toFixed(1);
    out.builds.push(build);
    console.log(`BUILD ${JSON.stringify(build)}`);
    save();
  }
  for (const ef of efs) {
    await db.exec(`SET hnsw.ef_search = ${ef}`);
    // k = 1 person out of LIMIT rows, as the store asks; the score comes from the full-precision row.
    const sql = `SELECT label, 1 - (embedding <=> $1::vector(128)) AS score FROM faces ORDER BY ${type === 'halfvec' ? 'embedding::halfvec(128) <=> $1::halfvec(128)' : 'embedding <=> $1::vector(128)'} LIMIT ${Math.min(ef, 20)}`;
    const plan = (await db.query(`EXPLAIN ${sql}`, [literal(Float32Array.from(queries[0]), 0)])).rows.map((r) => r['QUERY PLAN']).join(' ');
    if (!plan.includes(name)) throw new Error(`the plan does not use ${name}: ${plan}`);
    for (const q of queries.slice(0, 3)) await db.query(sql, [literal(Float32Array.from(q), 0)]);
    const times = [];
    const cpus = [];
    let hits = 0;
    for (const [i, q] of queries.entries()) {
      const t0 = performance.now();
      const c0 = cpu();
      const { rows } = await db.query(sql, [literal(Float32Array.from(q), 0)]);
      const best = rows.reduce((a, b) => (Number(b.score) > Number(a.score) ? b : a), rows[0]);
      times.push(performance.now() - t0);
      cpus.push((cpu() - c0) * 1000);
      if (best?.label === meta.truth[i]) hits++;
    }
    const pct = (xs, p) => +[...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))].toFixed(2);
    const setting = { m, ef_construction: efc, type, ef_search: ef, recall_at_1: hits / queries.length, p50_ms: pct(times, 0.5), p95_ms: pct(times, 0.95), p50_cpu_ms: pct(cpus, 0.5), p95_cpu_ms: pct(cpus, 0.95), ...(sharedBuffers ? { shared_buffers: sharedBuffers } : {}), loadavg: loadavg() };
    out.settings.push(setting);
    console.log(`SWEEP ${JSON.stringify(setting)}`);
    save();
  }
}
await db.close();
