// Gallery rows kept in WebAssembly memory, where the SIMD kernel scores them in place (no copy per search).
import { instantiateKernel, KERNEL_STEP, MAX_PAGES, type WasmMemory, type WasmScores } from './dot-kernel.js';

const PAGE_BYTES = 65536;
/** Queries scored per pass over the rows (their floats stay in L1 while a row is read). */
export const QUERY_GROUP = 8;
/** Rows scored per kernel call: their scores fit in L2 for the scan that follows. */
export const SCORE_CHUNK = 8192;

/**
 * One WebAssembly memory laid out as [queries of a group | their scores for a chunk | rows...]. The rows are
 * a `[capacity, dimensions]` row-major matrix that grows in place; views into it are replaced after a grow
 * (the old buffer is detached). A gallery's rows move here once they are large enough for the kernel to
 * matter (small galleries stay in a plain Float32Array, so an empty gallery reserves no address space).
 */
export class WasmRows {
  private heap: Float32Array;
  private matrix: Float32Array;
  private readonly outAt: number;
  private readonly rowsAt: number;

  private constructor(
    readonly dimensions: number,
    private capacityRows: number,
    private readonly memory: WasmMemory,
    private readonly kernel: WasmScores,
  ) {
    this.outAt = QUERY_GROUP * dimensions * 4;
    this.rowsAt = this.outAt + SCORE_CHUNK * QUERY_GROUP * 4;
    this.heap = new Float32Array(memory.buffer);
    this.matrix = this.view();
  }

  /**
   * Rows in WebAssembly memory for `capacity` rows of `dimensions` floats, or null where the kernel cannot run:
   * no WebAssembly SIMD, a row length the kernel does not take, or no memory that large.
   */
  static create(dimensions: number, capacity: number): WasmRows | null {
    if (dimensions % KERNEL_STEP !== 0) return null;
    const pages = pagesFor(dimensions, capacity);
    if (pages > MAX_PAGES) return null;
    try {
      const kernel = instantiateKernel(pages);
      return kernel === null ? null : new WasmRows(dimensions, capacity, kernel.memory, kernel.scores);
    } catch (error) {
      if (error instanceof RangeError) return null; // the engine would not reserve that much memory
      throw error;
    }
  }

  /** Rows the matrix has room for. */
  get capacity(): number {
    return this.capacityRows;
  }

  /** The `[capacity, dimensions]` matrix (replaced by {@link WasmRows.reserve}). */
  get rows(): Float32Array {
    return this.matrix;
  }

  /** Makes room for `capacity` rows, keeping the rows held; false (nothing changed) when memory cannot grow. */
  reserve(capacity: number): boolean {
    if (capacity <= this.capacityRows) return true;
    const pages = pagesFor(this.dimensions, capacity);
    if (pages > MAX_PAGES) return false;
    const have = this.memory.buffer.byteLength / PAGE_BYTES;
    try {
      if (pages > have) this.memory.grow(pages - have);
    } catch (error) {
      if (error instanceof RangeError) return false;
      throw error;
    }
    this.capacityRows = capacity;
    this.heap = new Float32Array(this.memory.buffer);
    this.matrix = this.view();
    return true;
  }

  /**
   * Scores rows `first .. first + count` (`count` ≤ {@link SCORE_CHUNK}) against `m` ≤ {@link QUERY_GROUP}
   * queries (`[m, dimensions]` row-major). Returns a view where the score of row `first + r` and query `q` is
   * at `q * count + r`; it is overwritten by the next call.
   */
  scores(queries: Float32Array, m: number, first: number, count: number): Float32Array {
    const d = this.dimensions;
    this.heap.set(queries.subarray(0, m * d), 0);
    this.kernel(this.rowsAt + first * d * 4, count, d * 4, 0, m, this.outAt);
    return this.heap.subarray(this.outAt / 4, this.outAt / 4 + m * count);
  }

  private view(): Float32Array {
    return new Float32Array(this.memory.buffer, this.rowsAt, this.capacityRows * this.dimensions);
  }
}

function pagesFor(dimensions: number, capacity: number): number {
  const bytes = QUERY_GROUP * dimensions * 4 + SCORE_CHUNK * QUERY_GROUP * 4 + capacity * dimensions * 4;
  return Math.ceil(bytes / PAGE_BYTES);
}
