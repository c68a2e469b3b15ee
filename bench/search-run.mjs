// One bench:search run in its own process: `node bench/search-run.mjs <store> <n> <dataFile>`; prints RESULT {json}.
// Loads the n faces (real lfw-dev embeddings + distractors) into the store, builds its index, times one-face searches.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { HNSW, faceapiStore, galleryStore, memoryStore, pgliteStore } from './search-stores.mjs';

const [kind, nText, dataFile] = process.argv.slice(2);
const n = Number(nText);
const D = 128;
const meta = JSON.parse(readFileSync(`${dataFile}.json`, 'utf8'));
const bytes = readFileSync(`${dataFile}.f32`);
const matrix = new Float32Array(bytes.buffer, bytes.byteOffset, n * D);
const labels = Array.from({ length: n }, (_, r) => (r < meta.realLabels.length ? meta.realLabels[r] : `d${r}`));
// face-api's FaceMatcher scans every descriptor in JS (about 1.5 s per query at 10^5 here): fewer queries there.
const queries = meta.queries.slice(0, kind === 'faceapi' && n >= 100_000 ? 20 : undefined).map((q) => Float32Array.from(q));

// SEARCH_VIA=sql: PGlite driven with the store's SQL directly (COPY, then CREATE INDEX); default: facerec's store (bulkLoad).
const viaSql = process.env.SEARCH_VIA === 'sql';
const open = {
  memory: memoryStore,
  pglite: () => (viaSql ? pgliteStore() : galleryStore({ n })),
  postgres: () => (viaSql ? pgliteStore({ wire: true }) : galleryStore({ wire: true })),
  faceapi: faceapiStore,
}[kind];
const store = await open();
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const rssBefore = process.memoryUsage().rss;

let t = performance.now();
let c = cpu();
await store.load(labels, matrix);
const loadS = (performance.now() - t) / 1000;
const loadCpuS = cpu() - c;
t = performance.now();
c = cpu();
await store.build();
const buildS = (performance.now() - t) / 1000;
const buildCpuS = cpu() - c;
const rssLoaded = process.memoryUsage().rss;
await store.prepare();

// Warm-up: searches for 200 other faces (distractor rows, not the measured queries), as a running service has made
// before: a database store's buffer cache is cold when it opens (its first searches read the index from files).
const WARMUP = Number(process.env.SEARCH_WARMUP ?? (kind === 'faceapi' ? 3 : 200)); // face-api has no cache to fill
for (let i = 0; i < WARMUP; i++) {
  const r = n - 1 - Math.floor((i * (n - meta.realLabels.length)) / Math.max(1, WARMUP));
  await store.search(matrix.slice(r * D, (r + 1) * D));
}
const times = [];
const cpuTimes = [];
let hits = 0;
for (const [i, q] of queries.entries()) {
  const t0 = performance.now();
  const c0 = cpu();
  const label = await store.search(q);
  times.push(performance.now() - t0);
  cpuTimes.push((cpu() - c0) * 1000);
  if (label === meta.truth[i]) hits++;
}
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const onDisk = await store.bytesOnDisk();
await store.close();
const result = {
  store: kind,
  n,
  recall_at_1: hits / queries.length,
  p50_ms: +pct(times, 0.5).toFixed(2),
  p95_ms: +pct(times, 0.95).toFixed(2),
  enroll_per_s: Math.round(n / loadS),
  build_s: +buildS.toFixed(2),
  bytes_per_face: Math.round(onDisk !== undefined ? onDisk / n : (rssLoaded - rssBefore) / n),
  rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  // The same work in CPU seconds of this process (the machine is shared: wall time is inflated by others' load).
  p50_cpu_ms: +pct(cpuTimes, 0.5).toFixed(2),
  p95_cpu_ms: +pct(cpuTimes, 0.95).toFixed(2),
  load_cpu_s: +loadCpuS.toFixed(2),
  build_cpu_s: +buildCpuS.toFixed(2),
  queries: queries.length,
  warmup_searches: WARMUP,
  bytes_measured: onDisk !== undefined ? 'table + index size (pg_total_relation_size)' : 'RSS growth while loading',
  ...(kind === 'pglite' || kind === 'postgres' ? { hnsw: HNSW, via: viaSql ? 'sql: COPY, then CREATE INDEX' : 'store: openGalleryStore + bulkLoad (load and index build together in enroll_per_s), searched after opening the gallery again' } : {}),
  ...(store.reused ? { reused: 'searched a gallery kept by an earlier run (SEARCH_KEEP); enroll_per_s, build_s and bytes_per_face are that run\'s (loaded_at_loadavg)', enroll_per_s: null, build_s: null, bytes_per_face: null } : {}),
  loadavg: os.loadavg().map((l) => +l.toFixed(2)),
};
console.log(`RESULT ${JSON.stringify(result)}`);
process.exit(0);
