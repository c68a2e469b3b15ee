// A growable matrix of embeddings with one label per row: add and remove rows without rebuilding.
import { InvalidArgumentError } from '../errors/index.js';

/**
 * Rows of `dimensions` floats in one Float32Array that doubles when full. Removing swaps the last row
 * into the hole, so both operations cost O(dimensions) per row and the matrix stays dense for one
 * matrix product.
 */
export class EmbeddingStore {
  private data: Float32Array;
  private rowLabels: string[] = [];
  /** Per row, the index of its label in `distinct` (for per-person maxima without string hashing). */
  private rowIds = new Int32Array(64);
  private readonly distinct: string[] = [];
  private readonly idOf = new Map<string, number>();
  /** Bumped on every change, so cached copies (a tensor of the matrix) know they are stale. */
  version = 0;

  constructor(readonly dimensions: number, capacity = 64) {
    if (!(Number.isInteger(dimensions) && dimensions > 0)) throw new InvalidArgumentError('dimensions', `must be a positive integer, got ${dimensions}`);
    this.data = new Float32Array(dimensions * Math.max(1, capacity));
  }

  /** Number of rows. */
  get size(): number {
    return this.rowLabels.length;
  }

  /** Label of each row, in row order. */
  get labels(): readonly string[] {
    return this.rowLabels;
  }

  /** The rows as one `[size, dimensions]` row-major view (valid until the next change). */
  matrix(): Float32Array {
    return this.data.subarray(0, this.size * this.dimensions);
  }

  /** Appends one row. @throws InvalidArgumentError for a wrong length or non-finite values. */
  add(label: string, embedding: ArrayLike<number>): void {
    const d = this.dimensions;
    if (embedding.length !== d) throw new InvalidArgumentError('embedding', `has ${embedding.length} values, the gallery holds ${d}-d embeddings`);
    for (let i = 0; i < d; i++) if (!Number.isFinite(embedding[i])) throw new InvalidArgumentError('embedding', `value ${i} is not finite`);
    if ((this.size + 1) * d > this.data.length) {
      const bigger = new Float32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data.set(embedding, this.size * d);
    let id = this.idOf.get(label);
    if (id === undefined) {
      id = this.distinct.length;
      this.distinct.push(label);
      this.idOf.set(label, id);
    }
    if (this.size >= this.rowIds.length) {
      const bigger = new Int32Array(this.rowIds.length * 2);
      bigger.set(this.rowIds);
      this.rowIds = bigger;
    }
    this.rowIds[this.size] = id;
    this.rowLabels.push(label);
    this.version++;
  }

  /** Removes every row of `label`; returns how many were removed. */
  remove(label: string): number {
    const d = this.dimensions;
    let removed = 0;
    for (let r = this.size - 1; r >= 0; r--) {
      if (this.rowLabels[r] !== label) continue;
      const last = this.size - 1;
      if (r !== last) {
        this.data.copyWithin(r * d, last * d, (last + 1) * d);
        this.rowLabels[r] = this.rowLabels[last]!;
        this.rowIds[r] = this.rowIds[last]!;
      }
      this.rowLabels.pop();
      removed++;
    }
    if (removed > 0) this.version++;
    return removed;
  }

  /** Label index of each row (into {@link EmbeddingStore.labelNames}), valid until the next change. */
  get ids(): Int32Array {
    return this.rowIds.subarray(0, this.size);
  }

  /** Every label ever added, indexed by id (removed labels keep their id and simply have no rows). */
  get labelNames(): readonly string[] {
    return this.distinct;
  }

  /** One row (a copy). */
  row(r: number): Float32Array {
    return this.data.slice(r * this.dimensions, (r + 1) * this.dimensions);
  }
}
