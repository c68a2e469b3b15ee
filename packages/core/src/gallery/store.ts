// A growable matrix of embeddings with one label per row: add and remove rows without rebuilding, score them exactly.
import { InvalidArgumentError } from '../errors/index.js';
import { dotScoresJs } from './dot-kernel.js';
import { QUERY_GROUP, SCORE_CHUNK, WasmRows } from './wasm-rows.js';

/** Matrix size (floats) from which rows move into WebAssembly memory: 1 MiB, 2,048 rows of 128 floats. */
const WASM_FROM_FLOATS = 262_144;

/** Options of {@link EmbeddingStore} (for tests: where the rows move into WebAssembly memory). */
export interface EmbeddingStoreOptions {
  /** Matrix size in floats from which the rows live in WebAssembly memory; default 262,144 (1 MiB). */
  readonly wasmFromFloats?: number;
}

/**
 * Rows of `dimensions` floats in one row-major Float32Array that doubles when full: a plain array while small,
 * WebAssembly memory (where the SIMD kernel reads them in place) from 1 MiB, a plain array again if that memory
 * cannot grow. Removing swaps the last row into the hole, so both operations cost O(dimensions) per row and
 * the matrix stays dense for one sequential scan.
 */
export class EmbeddingStore {
  private data: Float32Array;
  private wasm: WasmRows | undefined;
  /** Set once WebAssembly rows could not be made or grown: the rows stay in a plain array from then on. */
  private wasmRefused = false;
  private out: Float32Array | undefined;
  private readonly wasmFromFloats: number;
  private rowLabels: string[] = [];
  /** Per row, the index of its label in `distinct` (for per-person maxima without string hashing). */
  private rowIds = new Int32Array(64);
  private readonly distinct: string[] = [];
  private readonly idOf = new Map<string, number>();
  /** Bumped on every change, so cached copies (a tensor of the matrix) know they are stale. */
  version = 0;

  constructor(readonly dimensions: number, capacity = 64, options: EmbeddingStoreOptions = {}) {
    if (!(Number.isInteger(dimensions) && dimensions > 0)) throw new InvalidArgumentError('dimensions', `must be a positive integer, got ${dimensions}`);
    this.data = new Float32Array(dimensions * Math.max(1, capacity));
    this.wasmFromFloats = options.wasmFromFloats ?? WASM_FROM_FLOATS;
  }

  /** The rows in WebAssembly memory with their 8-bit copies, when they are there (for the screened search). */
  get wasmRows(): WasmRows | undefined {
    return this.wasm;
  }

  /** Where the rows are scored: `'wasm'` (the SIMD kernel on WebAssembly memory) or `'js'` (the same arithmetic in JS). */
  get kernel(): 'wasm' | 'js' {
    return this.wasm ? 'wasm' : 'js';
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
    if ((this.size + 1) * d > this.data.length) this.grow();
    this.data.set(embedding, this.size * d);
    this.wasm?.quantize(this.size);
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
        this.wasm?.copyQuantized(last, r);
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

  /**
   * Dot products of rows `first .. first + count` (`count` ≤ {@link SCORE_CHUNK}) with `m` ≤ {@link QUERY_GROUP}
   * queries (`[m, dimensions]` row-major): the score of row `first + r` and query `q` is at `q * count + r` of
   * the returned view, which the next call overwrites. Both kernels give the same float32 results bit for bit.
   */
  scores(queries: Float32Array, m: number, first: number, count: number): Float32Array {
    if (this.wasm) return this.wasm.scores(queries, m, first, count);
    this.out ??= new Float32Array(SCORE_CHUNK * QUERY_GROUP);
    dotScoresJs(this.data, first, count, this.dimensions, queries, m, this.out);
    return this.out.subarray(0, m * count);
  }

  /** Doubles the room for rows, moving them into (or, when it cannot grow, out of) WebAssembly memory. */
  private grow(): void {
    const d = this.dimensions;
    const capacity = (this.data.length / d) * 2;
    if (this.wasm?.reserve(capacity)) {
      this.data = this.wasm.rows;
      return;
    }
    const held = this.matrix();
    if (!this.wasm && !this.wasmRefused && capacity * d >= this.wasmFromFloats) {
      const wasm = WasmRows.create(d, capacity);
      if (wasm) {
        wasm.rows.set(held);
        for (let r = 0; r < this.size; r++) wasm.quantize(r);
        this.wasm = wasm;
        this.data = wasm.rows;
        return;
      }
    }
    const bigger = new Float32Array(capacity * d);
    bigger.set(held);
    this.data = bigger;
    this.wasmRefused ||= this.wasm !== undefined || capacity * d >= this.wasmFromFloats;
    this.wasm = undefined;
  }

  /** One row (a copy). */
  row(r: number): Float32Array {
    return this.data.slice(r * this.dimensions, (r + 1) * this.dimensions);
  }
}
