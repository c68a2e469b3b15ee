// 1:N search at scale: real dlib embeddings of lfw-dev faces as the people searched for, plus distractors up to N,
// in each gallery store (memory exact, PGlite HNSW, PostgreSQL wire protocol) and face-api's FaceMatcher side by side.
// Writes bench-results/search.json (runs: one object per store and N; runs of earlier invocations for other
// (store, N) pairs are kept, so a long N can be run on its own).
// Usage: pnpm bench:search [--quick] [--n 10000,100000,1000000] [--stores memory,pglite,postgres,faceapi] [--queries 200]
//   env: FACEREC_DATASETS (default ../shared/datasets), SEARCH_EF (HNSW ef_search, default the stores' DEFAULT_EF_SEARCH)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@facerec/node';
import { printTable, repoRoot, runIsolated, writeResult } from './lib.mjs';
import { cosine, fitGaussian, histogram, lfwEmbeddings, seeded } from './search-data.mjs';

const D = 128;
const { values } = parseArgs({ options: { quick: { type: 'boolean' }, n: { type: 'string' }, stores: { type: 'string' }, queries: { type: 'string' } } });
const sizes = (values.n ?? (values.quick ? '10000' : '10000,100000,1000000')).split(',').map(Number);
const storesWanted = (values.stores ?? 'memory,pglite,postgres,faceapi').split(',');
const queryCount = Number(values.queries ?? (values.quick ? 50 : 200));
const loadavg = () => os.loadavg().map((l) => +l.toFixed(2));
console.log(`bench:search N = ${sizes.join(', ')}; stores ${storesWanted.join(', ')}; ${queryCount} queries; load average ${loadavg().join(' ')}`);

await initBackend('wasm');
const lfw = await lfwEmbeddings();
// One enrolled face per person (their first photo); the queries are other photos of people with two or more.
const firstRow = new Map();
const secondRow = new Map();
lfw.person.forEach((p, r) => {
  if (!firstRow.has(p)) firstRow.set(p, r);
  else if (!secondRow.has(p)) secondRow.set(p, r);
});
const enrolled = [...firstRow.values()];
const realLabels = [...firstRow.keys()].map((p) => lfw.people[p]);
const withSecond = [...secondRow.values()];
const queryRows = Array.from({ length: Math.min(queryCount, withSecond.length) }, (_, i) => withSecond[Math.floor((i * withSecond.length) / Math.min(queryCount, withSecond.length))]);
const row = (r) => lfw.embeddings.subarray(r * D, (r + 1) * D);
const gaussian = fitGaussian(lfw.embeddings, enrolled);

/** Distractors from the Gaussian: z·Lᵀ + mean on the backend in blocks, each row L2-normalised. */
function distractors(count, seed) {
  const out = new Float32Array(count * D);
  const Lt = tf.tidy(() => tf.transpose(tf.tensor2d(Float32Array.from(gaussian.L), [D, D])));
  const mean = tf.tensor1d(Float32Array.from(gaussian.mean));
  const uniform = seeded(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const block = 65_536;
  for (let at = 0; at < count; at += block) {
    const rows = Math.min(block, count - at);
    const z = Float32Array.from({ length: rows * D }, gauss);
    const x = tf.tidy(() => {
      const v = tf.add(tf.matMul(tf.tensor2d(z, [rows, D]), Lt), mean);
      return tf.div(v, tf.norm(v, 'euclidean', 1, true));
    });
    out.set(x.dataSync(), at * D);
    x.dispose();
  }
  Lt.dispose();
  mean.dispose();
  return out;
}

// Check: distractor-vs-real cosines should be distributed like real impostor pairs (different people).
const rand = seeded(11);
const impostor = [];
for (let i = 0; i < 200_000; i++) {
  const a = enrolled[Math.floor(rand() * enrolled.length)];
  const b = enrolled[Math.floor(rand() * enrolled.length)];
  if (lfw.person[a] !== lfw.person[b]) impostor.push(cosine(lfw.embeddings, a, lfw.embeddings, b));
}
const sample = distractors(2_000, 99);
const distractorVsReal = [];
for (let i = 0; i < 200_000; i++) distractorVsReal.push(cosine(sample, Math.floor(rand() * 2_000), lfw.embeddings, enrolled[Math.floor(rand() * enrolled.length)]));
const genuine = withSecond.map((r) => cosine(lfw.embeddings, r, lfw.embeddings, firstRow.get(lfw.person[r])));
const check = {
  real_impostor: histogram(impostor),
  distractor_vs_real: histogram(distractorVsReal),
  genuine: histogram(genuine),
  histogram_bins: '40 bins of width 0.03 over cosine -0.2..1.0, as fractions',
};
console.log(`cosine to real faces: real impostors mean ${check.real_impostor.mean.toFixed(3)} p99.9 ${check.real_impostor.p999.toFixed(3)}; ` +
  `distractors mean ${check.distractor_vs_real.mean.toFixed(3)} p99.9 ${check.distractor_vs_real.p999.toFixed(3)}; genuine pairs mean ${check.genuine.mean.toFixed(3)}`);

/** Writes the N faces (real first, then distractors) and the exact answer of every query for the child runs. */
function prepare(n) {
  const file = path.join(os.tmpdir(), `facerec-bench-search-v1-${n}-${queryRows.length}`);
  if (existsSync(`${file}.json`) && existsSync(`${file}.f32`)) return file;
  const matrix = distractors(n, 7);
  enrolled.forEach((r, i) => matrix.set(row(r), i * D));
  const queries = queryRows.map((r) => Array.from(row(r)));
  // Exact top-1 row per query: one matrix product per block of rows.
  const best = queries.map(() => ({ score: -Infinity, row: -1 }));
  const q = tf.tensor2d(queryRows.flatMap((r) => Array.from(row(r))), [queryRows.length, D]);
  const block = 100_000;
  for (let at = 0; at < n; at += block) {
    const rows = Math.min(block, n - at);
    const scores = tf.tidy(() => tf.matMul(q, tf.tensor2d(matrix.subarray(at * D, (at + rows) * D), [rows, D]), false, true));
    const s = scores.dataSync();
    scores.dispose();
    for (let i = 0; i < queries.length; i++) {
      for (let r = 0; r < rows; r++) if (s[i * rows + r] > best[i].score) best[i] = { score: s[i * rows + r], row: at + r };
    }
  }
  q.dispose();
  const labelOf = (r) => (r < realLabels.length ? realLabels[r] : `d${r}`);
  const truth = best.map((b) => labelOf(b.row));
  const correct = queryRows.filter((r, i) => truth[i] === lfw.people[lfw.person[r]]).length;
  writeFileSync(`${file}.f32`, new Uint8Array(matrix.buffer));
  writeFileSync(`${file}.json`, JSON.stringify({ realLabels, queries, truth, exact_rank1_identification: correct / queries.length }));
  return file;
}

const out = path.join(repoRoot, 'bench-results', 'search.json');
const runs = [];
const failures = [];
const key = (r) => `${r.store}@${r.n}`;
// Runs of other invocations (other N, other stores; possibly running at the same time) are merged in at each write.
const save = () => {
  const previous = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {};
  const mine = new Set(runs.map(key));
  const merged = [...(previous.runs ?? []).filter((r) => !mine.has(key(r))), ...runs];
  const ran = new Set(merged.map(key));
  writeResult('search', {
    runs: merged.sort((a, b) => a.n - b.n || a.store.localeCompare(b.store)),
    failures: [...(previous.failures ?? []).filter((f) => !ran.has(key(f)) && !failures.some((g) => key(g) === key(f))), ...failures],
    distractors: {
      method: 'Gaussian fitted to one real embedding per lfw-dev person (mean + full covariance, Cholesky), sampled and L2-normalised',
      people: enrolled.length,
      ...check,
    },
    queries: queryRows.length,
    query_set: 'a second lfw-dev photo of people with two or more; recall_at_1 = share of queries whose top-1 equals exact search\'s top-1',
    loadavg_at_end: loadavg(),
  });
};

for (const n of sizes) {
  const t0 = performance.now();
  const file = prepare(n);
  const meta = JSON.parse(readFileSync(`${file}.json`, 'utf8'));
  console.log(`N = ${n}: data ready in ${((performance.now() - t0) / 1000).toFixed(0)} s; exact search names ${(meta.exact_rank1_identification * 100).toFixed(1)}% of queries right`);
  for (const store of storesWanted) {
    try {
      const r = await runIsolated(path.join(repoRoot, 'bench', 'search-run.mjs'), [store, String(n), file], { timeoutMs: 3 * 3600_000 });
      r.exact_rank1_identification = meta.exact_rank1_identification;
      if (r.reused) {
        // Only the searches were timed again: the loading columns stay those of the run that loaded the gallery.
        const loaded = (existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')).runs ?? [] : []).find((x) => key(x) === key(r));
        if (loaded) {
          for (const k of ['enroll_per_s', 'build_s', 'load_cpu_s', 'build_cpu_s', 'bytes_per_face']) r[k] = loaded[k] ?? null;
          r.loaded_at_loadavg = loaded.loaded_at_loadavg ?? loaded.loadavg;
        }
      }
      const at = runs.findIndex((x) => x.store === r.store && x.n === r.n);
      if (at >= 0) runs.splice(at, 1);
      runs.push(r);
      console.log(`  ${store} N=${n}: recall@1 ${r.recall_at_1.toFixed(3)} p50 ${r.p50_ms} ms p95 ${r.p95_ms} ms (CPU ${r.p50_cpu_ms}/${r.p95_cpu_ms} ms), load ${r.enroll_per_s}/s, build ${r.build_s} s, ${r.bytes_per_face} B/face, RSS ${r.rss_mb} MB, load avg ${r.loadavg[0]}`);
    } catch (error) {
      failures.push({ store, n, error: String(error.message ?? error).slice(0, 500), loadavg: loadavg() });
      console.log(`  ${store} N=${n} failed: ${error.message}`);
    }
    save();
  }
}
printTable(['store', 'N', 'recall@1', 'p50 ms', 'p95 ms', 'enrol/s', 'build s', 'B/face', 'RSS MB'],
  JSON.parse(readFileSync(out, 'utf8')).runs.map((r) => [r.store, r.n, r.recall_at_1.toFixed(3), r.p50_ms, r.p95_ms, r.enroll_per_s, r.build_s, r.bytes_per_face, r.rss_mb]));
console.log(`wrote ${path.relative(repoRoot, out)}`);
