// Exact 1:N search over an EmbeddingStore: a pass over the rows per group of queries, top-k people kept on the fly.
import type { Candidate } from '../recognizer/result.js';
import { dotScoresJs } from './dot-kernel.js';
import type { StoreSearchOptions } from './gallery-store.js';
import type { EmbeddingStore } from './store.js';
import { rankPeople, RUNNING_MAX_K, RunningTop } from './top-people.js';
import { QUERY_GROUP, SCORE_CHUNK, type WasmRows } from './wasm-rows.js';

/**
 * The `k` best people for each query (`dimensions` floats), best first: a person's score is the float32 dot
 * product (the kernel's, see dot-kernel.wat) with their best row — the cosine similarity for L2-normalised rows
 * and queries — ties in label order, people below `minScore` left out. Exact: the answer is what scoring every
 * row in float32 gives. Queries go in groups of {@link QUERY_GROUP} per pass, so a batch reads the rows once per group.
 *
 * Rows in WebAssembly memory are first screened on their 8-bit copies (a quarter of the bytes): for each row a
 * proven interval around its float32 score; only rows whose upper end reaches the k-th best lower end are
 * scored in float32. Where screening would keep too many rows (fewer than k people, or k large) every row is
 * scored in float32 instead; both ways give the same answer.
 */
export function searchExact(rows: EmbeddingStore, queries: readonly Float32Array[], options: StoreSearchOptions): Candidate[][] {
  const d = rows.dimensions;
  const group = new Float32Array(QUERY_GROUP * d);
  const wasm = rows.wasmRows;
  const results: Candidate[][] = [];
  for (let g = 0; g < queries.length; g += QUERY_GROUP) {
    const m = Math.min(QUERY_GROUP, queries.length - g);
    for (let q = 0; q < m; q++) group.set(queries[g + q]!, q * d);
    const screened = wasm && options.k <= RUNNING_MAX_K ? screenedSearch(rows, wasm, group, m, options) : null;
    results.push(...(screened ?? fullSearch(rows, group, m, options)));
  }
  return results;
}

/** Scores every row in float32 against the `m` queries of `group`. */
function fullSearch(rows: EmbeddingStore, group: Float32Array, m: number, options: StoreSearchOptions): Candidate[][] {
  const n = rows.size;
  const ids = rows.ids;
  const rankings = Array.from({ length: m }, () => rankPeople(options.k, rows.labelNames, options.minScore));
  for (let first = 0; first < n; first += SCORE_CHUNK) {
    const count = Math.min(SCORE_CHUNK, n - first);
    const scores = rows.scores(group, m, first, count);
    for (let q = 0; q < m; q++) rankings[q]!.scan(scores, q * count, count, ids, first);
  }
  return rankings.map((r) => r.result());
}

/**
 * Screens the rows on their 8-bit copies, then scores the survivors in float32; null when too many survive.
 *
 * Why it is exact: with `x = s·x̃ + e` (row) and `q = t·q̃ + f` (query), `x·q − s·t·(x̃·q̃) = x·f + e·(t·q̃)`, so the
 * real dot product is within ‖x‖‖f‖ + ‖e‖‖t·q̃‖ of the integer estimate, and the float32 kernel's result within
 * γ‖x‖‖q‖ of the real one (γ = (d+1)u/(1−(d+1)u), u = 2⁻²⁴, any summation order). Each person's best lower end
 * is at most their float32 score, so the k-th best of the lower ends is at most the k-th best person's score:
 * a row whose upper end is below it cannot be any answer's best row. Norms are stored rounded up.
 */
function screenedSearch(rows: EmbeddingStore, wasm: WasmRows, group: Float32Array, m: number, options: StoreSearchOptions): Candidate[][] | null {
  const d = rows.dimensions;
  const n = rows.size;
  const ids = rows.ids;
  const names = rows.labelNames;
  const minScore = options.minScore ?? -Infinity;
  const most = Math.max(4096, n >> 4);
  const gamma = ((d + 1) * 2 ** -24) / (1 - (d + 1) * 2 ** -24);
  const quantized = wasm.quantizeQueries(group, m);
  const { scale, errorNorm, norm } = wasm.quantization;
  const lower = Array.from({ length: m }, () => new RunningTop(options.k, names, -Infinity));
  const kept = Array.from({ length: m }, () => ({ rows: [] as number[], upper: [] as number[] }));
  for (let first = 0; first < n; first += SCORE_CHUNK) {
    const count = Math.min(SCORE_CHUNK, n - first);
    const dots = wasm.screen(m, first, count);
    for (let q = 0; q < m; q++) {
      const { scale: t, errorNorm: f, quantNorm, norm: qNorm } = quantized[q]!;
      // Per row: bound = ‖x‖·perNorm + ‖e‖·quantNorm (1e-12 covers the float64 arithmetic here).
      const perNorm = f + (gamma + 1e-12) * qNorm;
      const ranking = lower[q]!;
      const keep = kept[q]!;
      let floor = Math.max(ranking.threshold, minScore);
      for (let r = 0; r < count; r++) {
        const row = first + r;
        const estimate = scale[row]! * t * dots[q * count + r]!;
        const bound = norm[row]! * perNorm + errorNorm[row]! * quantNorm;
        const upper = estimate + bound;
        if (upper < floor) continue;
        keep.rows.push(row);
        keep.upper.push(upper);
        ranking.offer(ids[row]!, estimate - bound);
        floor = Math.max(ranking.threshold, minScore);
      }
      if (keep.rows.length > most) return null;
    }
  }
  const matrix = rows.matrix();
  const one = new Float32Array(1);
  return kept.map((keep, q) => {
    const floor = Math.max(lower[q]!.threshold, minScore);
    const exact = rankPeople(options.k, names, options.minScore);
    const query = group.subarray(q * d, (q + 1) * d);
    keep.rows.forEach((row, i) => {
      if (keep.upper[i]! < floor) return;
      dotScoresJs(matrix, row, 1, d, query, 1, one);
      exact.scan(one, 0, 1, ids, row);
    });
    return exact.result();
  });
}
