// Exact 1:N search over an EmbeddingStore: one sequential pass over the rows per group of queries, top-k people kept on the fly.
import type { Candidate } from '../recognizer/result.js';
import type { StoreSearchOptions } from './gallery-store.js';
import type { EmbeddingStore } from './store.js';
import { rankPeople } from './top-people.js';
import { QUERY_GROUP, SCORE_CHUNK } from './wasm-rows.js';

/**
 * The `k` best people for each query (`dimensions` floats), best first: a person's score is the dot product
 * with their best row (the cosine similarity for L2-normalised rows and queries), ties in label order, people
 * below `minScore` left out. Exact: every row is scored, in float32, in the kernel's fixed summation order.
 * Queries are scored in groups of {@link QUERY_GROUP} per pass, so a batch reads the matrix once per group.
 */
export function searchExact(rows: EmbeddingStore, queries: readonly Float32Array[], options: StoreSearchOptions): Candidate[][] {
  const d = rows.dimensions;
  const n = rows.size;
  const ids = rows.ids;
  const names = rows.labelNames;
  const group = new Float32Array(QUERY_GROUP * d);
  const results: Candidate[][] = [];
  for (let g = 0; g < queries.length; g += QUERY_GROUP) {
    const m = Math.min(QUERY_GROUP, queries.length - g);
    for (let q = 0; q < m; q++) group.set(queries[g + q]!, q * d);
    const rankings = Array.from({ length: m }, () => rankPeople(options.k, names, options.minScore));
    for (let first = 0; first < n; first += SCORE_CHUNK) {
      const count = Math.min(SCORE_CHUNK, n - first);
      const scores = rows.scores(group, m, first, count);
      for (let q = 0; q < m; q++) rankings[q]!.scan(scores, q * count, count, ids, first);
    }
    for (const ranking of rankings) results.push(ranking.result());
  }
  return results;
}
