// The in-memory exact gallery store: every embedding in one matrix on the backend, 1:N search as one matrix product.
import * as tf from '@tensorflow/tfjs-core';
import { FacerecError, InvalidArgumentError } from '../errors/index.js';
import { requireFinite } from '../errors/finite.js';
import { compareLabels } from '../recognizer/labels.js';
import type { Candidate } from '../recognizer/result.js';
import type { GalleryCount, GalleryEntry, GalleryInfo, GalleryStore, StoreSearchOptions } from './gallery-store.js';
import { EmbeddingStore } from './store.js';

/**
 * A {@link GalleryStore} in memory: exact search, nothing persisted (a gallery folder in Node saves it).
 * Search against N embeddings is one `[queries × N]` matrix product; the matrix lives on the backend and is
 * uploaded again only after a change. Operations finish synchronously (before their promise resolves).
 */
export class MemoryGalleryStore implements GalleryStore {
  readonly kind = 'memory';
  private readonly rows: EmbeddingStore;
  private cached: { version: number; tensor: tf.Tensor2D } | undefined;
  private closed = false;

  constructor(readonly info: GalleryInfo) {
    this.rows = new EmbeddingStore(info.dimensions);
  }

  /** Number of embeddings (synchronous, for callers that know the store is in memory). */
  get size(): number {
    return this.rows.size;
  }

  /** Label of each row, in row order. */
  get rowLabels(): readonly string[] {
    return this.rows.labels;
  }

  /** The rows as one `[size, dimensions]` row-major view (valid until the next change). */
  matrix(): Float32Array {
    return this.rows.matrix();
  }

  /** Adds rows synchronously (what {@link MemoryGalleryStore.add} does). */
  addSync(label: string, embeddings: readonly ArrayLike<number>[]): void {
    this.checkOpen();
    // Checked before the first row lands, so a bad row leaves the store as it was.
    embeddings.forEach((e, i) => {
      if (e.length !== this.info.dimensions) throw new InvalidArgumentError(`embeddings[${i}]`, `has ${e.length} values, the gallery holds ${this.info.dimensions}-d embeddings`);
    });
    for (const e of embeddings) this.rows.add(label, e);
  }

  /** Removes a label synchronously; returns how many rows went. */
  removeSync(label: string): number {
    this.checkOpen();
    return this.rows.remove(label);
  }

  add(label: string, embeddings: readonly Float32Array[]): Promise<void> {
    return run(() => this.addSync(label, embeddings));
  }

  remove(label: string): Promise<boolean> {
    return run(() => this.removeSync(label) > 0);
  }

  /** Enrolled people in compareLabels order, synchronously. */
  labelsSync(): string[] {
    return [...new Set(this.rows.labels)].sort(compareLabels);
  }

  labels(): Promise<string[]> {
    return run(() => this.labelsSync());
  }

  count(): Promise<GalleryCount> {
    return run(() => ({ people: new Set(this.rows.labels).size, embeddings: this.rows.size }));
  }

  async search(queries: readonly Float32Array[], options: StoreSearchOptions): Promise<Candidate[][]> {
    this.checkOpen();
    const d = this.info.dimensions;
    queries.forEach((q, i) => {
      if (q.length !== d) throw new InvalidArgumentError(`queries[${i}]`, `has ${q.length} values, the gallery holds ${d}-d embeddings`);
    });
    if (queries.length === 0) return [];
    const n = this.rows.size;
    if (n === 0) return queries.map(() => []);
    const flat = new Float32Array(queries.length * d);
    queries.forEach((q, i) => flat.set(q, i * d));
    const matrix = this.matrixTensor();
    // Row owners as of the matrix: a change while the scores are read back must not shift labels under them.
    const ids = this.rows.ids.slice();
    const names = this.rows.labelNames;
    const scores = tf.tidy(() => tf.matMul(tf.tensor2d(flat, [queries.length, d]), matrix, false, true));
    let values: Float32Array;
    try {
      values = (await scores.data()) as Float32Array;
    } finally {
      scores.dispose();
    }
    requireFinite(values, `the ${this.info.embedder} gallery`, 'similarity scores');
    const best = new Float32Array(names.length);
    return queries.map((_, q) => {
      // Best score per person in one pass over the row scores, then a small top-k selection.
      best.fill(-Infinity);
      for (let r = 0; r < n; r++) {
        const s = values[q * n + r]!;
        const id = ids[r]!;
        if (s > best[id]!) best[id] = s;
      }
      const top = topCandidates(best, names, options.k);
      return options.minScore === undefined ? top : top.filter((c) => c.score >= options.minScore!);
    });
  }

  async *entries(): AsyncIterable<GalleryEntry> {
    this.checkOpen();
    // A snapshot: changes while iterating do not shift rows under the reader.
    const labels = [...this.rows.labels];
    const matrix = this.rows.matrix().slice();
    const d = this.info.dimensions;
    for (let r = 0; r < labels.length; r++) yield { label: labels[r]!, embedding: matrix.slice(r * d, (r + 1) * d) };
  }

  /** Frees the matrix tensor; the rows stay (a later search uploads them again). */
  dispose(): void {
    this.cached?.tensor.dispose();
    this.cached = undefined;
  }

  close(): Promise<void> {
    this.dispose();
    this.closed = true;
    return Promise.resolve();
  }

  private matrixTensor(): tf.Tensor2D {
    if (this.cached?.version !== this.rows.version) {
      this.cached?.tensor.dispose();
      this.cached = { version: this.rows.version, tensor: tf.tensor2d(this.rows.matrix(), [this.rows.size, this.info.dimensions]) };
    }
    return this.cached.tensor;
  }

  private checkOpen(): void {
    if (this.closed) throw new FacerecError('This gallery store is closed');
  }
}

/** Runs `fn` now and wraps its result (or error) in a promise, so sync failures reject like async ones. */
function run<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

/** The `k` best finite scores with their labels, best first (insertion into a k-long sorted list). */
function topCandidates(best: Float32Array, names: readonly string[], k: number): Candidate[] {
  const top: Candidate[] = [];
  for (let id = 0; id < best.length; id++) {
    const score = best[id]!;
    if (score === -Infinity || (top.length >= k && score <= top[top.length - 1]!.score)) continue;
    let at = top.length;
    while (at > 0 && top[at - 1]!.score < score) at--;
    top.splice(at, 0, { label: names[id]!, score });
    if (top.length > k) top.pop();
  }
  return top;
}
