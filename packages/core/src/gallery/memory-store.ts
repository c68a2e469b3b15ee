// The in-memory exact gallery store: every embedding in one row-major matrix, 1:N search as one sequential scan of it.
import { FacerecError, InvalidArgumentError } from '../errors/index.js';
import { firstNonFinite, requireFinite } from '../errors/finite.js';
import { compareLabels } from '../recognizer/labels.js';
import type { Candidate } from '../recognizer/result.js';
import type { GalleryCount, GalleryEntry, GalleryInfo, GalleryStore, StoreSearchOptions } from './gallery-store.js';
import { searchExact } from './exact-search.js';
import { EmbeddingStore } from './store.js';

/**
 * A {@link GalleryStore} in memory: exact search, nothing persisted (a gallery folder in Node saves it).
 * The embeddings are one float32 matrix (in WebAssembly memory, with an 8-bit copy of each row, once it passes
 * 1 MiB). A search screens the 8-bit rows with a SIMD kernel and scores in float32 only the rows whose proven
 * error bound lets them reach the best (the same answer as scoring every row; where WebAssembly SIMD is missing,
 * every row is scored in JS with identical float32 results), keeping each query's best people on the fly, ties
 * in label order. No tensors: the search does not depend on the tfjs backend. Operations finish synchronously
 * (before their promise resolves).
 */
export class MemoryGalleryStore implements GalleryStore {
  readonly kind = 'memory';
  private readonly rows: EmbeddingStore;
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

  search(queries: readonly Float32Array[], options: StoreSearchOptions): Promise<Candidate[][]> {
    return run(() => this.searchSync(queries, options));
  }

  /** Searches synchronously (what {@link MemoryGalleryStore.search} does). */
  searchSync(queries: readonly Float32Array[], options: StoreSearchOptions): Candidate[][] {
    this.checkOpen();
    const d = this.info.dimensions;
    queries.forEach((q, i) => {
      if (q.length !== d) throw new InvalidArgumentError(`queries[${i}]`, `has ${q.length} values, the gallery holds ${d}-d embeddings`);
      if (firstNonFinite(q) >= 0) throw new InvalidArgumentError(`queries[${i}]`, 'holds NaN or infinite values');
    });
    const found = searchExact(this.rows, queries, options);
    // Finite rows and queries can still overflow to infinity (or NaN) in float32: never rank on such a score.
    for (const candidates of found) requireFinite(candidates.map((c) => c.score), `the ${this.info.embedder} gallery`, 'similarity scores');
    return found;
  }

  async *entries(): AsyncIterable<GalleryEntry> {
    this.checkOpen();
    // A snapshot: changes while iterating do not shift rows under the reader.
    const labels = [...this.rows.labels];
    const matrix = this.rows.matrix().slice();
    const d = this.info.dimensions;
    for (let r = 0; r < labels.length; r++) yield { label: labels[r]!, embedding: matrix.slice(r * d, (r + 1) * d) };
  }

  /** Nothing to free: search runs on the rows where they are (no tensor copy). Kept so existing callers work. */
  dispose(): void {}

  close(): Promise<void> {
    this.dispose();
    this.closed = true;
    return Promise.resolve();
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
