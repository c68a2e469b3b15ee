// Gallery rows kept in WebAssembly memory, where the SIMD kernels score them in place (no copy per search).
import { instantiateKernel, KERNEL_STEP, MAX_PAGES, type WasmMemory, type WasmKernel } from './dot-kernel.js';

const PAGE_BYTES = 65536;
/** Queries scored per pass over the rows (their floats stay in L1 while a row is read). */
export const QUERY_GROUP = 8;
/** Rows scored per kernel call: their scores fit in L2 for the scan that follows. */
export const SCORE_CHUNK = 8192;

/** A query's 8-bit quantisation as the screen kernel sees it, with what bounds its error. */
export interface QuantizedQuery {
  /** Scale: the query is `scale × q̃ + f` with integer q̃ in ±127. */
  readonly scale: number;
  /** ‖f‖, the quantisation error's norm (rounded up). */
  readonly errorNorm: number;
  /** ‖scale × q̃‖ (rounded up). */
  readonly quantNorm: number;
  /** ‖q‖ (rounded up). */
  readonly norm: number;
}

/** `x` made a little larger, so a float32 copy of a bound stays a bound (float32 rounds by at most 2⁻²⁴ relative). */
function up(x: number): number {
  return Math.fround(x * (1 + 2 ** -20));
}

/**
 * One WebAssembly memory laid out as [queries of a group | their scores for a chunk | the group's int16
 * quantisation | int8 rows | float32 rows]. The float32 rows are a `[capacity, dimensions]` row-major matrix;
 * each row also has an 8-bit copy (`x = scale × x̃ + e`, with `scale`, ‖e‖ and ‖x‖ kept beside it) that the
 * screen kernel reads at a quarter of the bytes. Growing moves the float32 block up (views into it are replaced:
 * the old buffer is detached). A gallery's rows move here once they are large enough for the kernels to matter
 * (small galleries stay in a plain Float32Array, so an empty gallery reserves no address space).
 */
export class WasmRows {
  private floats: Float32Array;
  private matrix: Float32Array;
  private bytes: Int8Array;
  private readonly outAt: number;
  private readonly quantAt: number;
  private readonly int8At: number;
  /** Per row: the 8-bit scale, ‖e‖ and ‖x‖ (both rounded up). */
  private scale: Float32Array;
  private errorNorm: Float32Array;
  private norm: Float32Array;

  private constructor(
    readonly dimensions: number,
    private capacityRows: number,
    private readonly memory: WasmMemory,
    private readonly kernel: WasmKernel,
  ) {
    this.outAt = QUERY_GROUP * dimensions * 4;
    this.quantAt = this.outAt + SCORE_CHUNK * QUERY_GROUP * 4;
    this.int8At = this.quantAt + QUERY_GROUP * dimensions * 2;
    this.scale = new Float32Array(capacityRows);
    this.errorNorm = new Float32Array(capacityRows);
    this.norm = new Float32Array(capacityRows);
    [this.floats, this.matrix, this.bytes] = this.views();
  }

  /**
   * Rows in WebAssembly memory for `capacity` rows of `dimensions` floats, or null where the kernels cannot run:
   * no WebAssembly SIMD, a row length they do not take, or no memory that large.
   */
  static create(dimensions: number, capacity: number): WasmRows | null {
    if (dimensions % KERNEL_STEP !== 0) return null;
    const pages = pagesFor(dimensions, capacity);
    if (pages > MAX_PAGES) return null;
    try {
      const kernel = instantiateKernel(pages);
      return kernel === null ? null : new WasmRows(dimensions, capacity, kernel.memory, kernel);
    } catch (error) {
      if (error instanceof RangeError) return null; // the engine would not reserve that much memory
      throw error;
    }
  }

  /** Rows the matrix has room for. */
  get capacity(): number {
    return this.capacityRows;
  }

  /** The `[capacity, dimensions]` float32 matrix (replaced by {@link WasmRows.reserve}). */
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
    const d = this.dimensions;
    const heap = new Uint8Array(this.memory.buffer);
    const from = this.int8At + this.capacityRows * d;
    // The float32 block sits after the int8 block, which doubles: move it up (copyWithin copies as memmove does).
    heap.copyWithin(this.int8At + capacity * d, from, from + this.capacityRows * d * 4);
    for (const key of ['scale', 'errorNorm', 'norm'] as const) {
      const bigger = new Float32Array(capacity);
      bigger.set(this[key]);
      this[key] = bigger;
    }
    this.capacityRows = capacity;
    [this.floats, this.matrix, this.bytes] = this.views();
    return true;
  }

  /** Writes row `r`'s 8-bit copy from its float32 values (call after they change). */
  quantize(r: number): void {
    const d = this.dimensions;
    const x = this.matrix.subarray(r * d, (r + 1) * d);
    let max = 0;
    for (let i = 0; i < d; i++) max = Math.max(max, Math.abs(x[i]!));
    const scale = Math.fround(max / 127);
    let e2 = 0;
    let x2 = 0;
    for (let i = 0; i < d; i++) {
      const v = scale > 0 ? Math.max(-127, Math.min(127, Math.round(x[i]! / scale))) : 0;
      this.bytes[r * d + i] = v;
      const e = x[i]! - scale * v;
      e2 += e * e;
      x2 += x[i]! * x[i]!;
    }
    this.scale[r] = scale;
    this.errorNorm[r] = up(Math.sqrt(e2) * (1 + 2 ** -40));
    this.norm[r] = up(Math.sqrt(x2) * (1 + 2 ** -40));
  }

  /** Copies row `from`'s 8-bit copy onto row `to` (the float32 row is the caller's). */
  copyQuantized(from: number, to: number): void {
    const d = this.dimensions;
    this.bytes.copyWithin(to * d, from * d, (from + 1) * d);
    this.scale[to] = this.scale[from]!;
    this.errorNorm[to] = this.errorNorm[from]!;
    this.norm[to] = this.norm[from]!;
  }

  /** Per row: the 8-bit scale, ‖e‖ and ‖x‖ (valid until the next {@link WasmRows.reserve}). */
  get quantization(): { readonly scale: Float32Array; readonly errorNorm: Float32Array; readonly norm: Float32Array } {
    return { scale: this.scale, errorNorm: this.errorNorm, norm: this.norm };
  }

  /**
   * Scores rows `first .. first + count` (`count` ≤ {@link SCORE_CHUNK}) against `m` ≤ {@link QUERY_GROUP}
   * queries (`[m, dimensions]` row-major). Returns a view where the score of row `first + r` and query `q` is
   * at `q * count + r`; it is overwritten by the next call.
   */
  scores(queries: Float32Array, m: number, first: number, count: number): Float32Array {
    const d = this.dimensions;
    this.floats.set(queries.subarray(0, m * d), 0);
    this.kernel.scores(this.floatsAt() + first * d * 4, count, d * 4, 0, m, this.outAt);
    return this.floats.subarray(this.outAt / 4, this.outAt / 4 + m * count);
  }

  /** Quantises `m` ≤ {@link QUERY_GROUP} queries to 8 bits for {@link WasmRows.screen}; returns their bounds. */
  quantizeQueries(queries: Float32Array, m: number): QuantizedQuery[] {
    const d = this.dimensions;
    const q16 = new Int16Array(this.memory.buffer, this.quantAt, m * d);
    const found: QuantizedQuery[] = [];
    for (let q = 0; q < m; q++) {
      const x = queries.subarray(q * d, (q + 1) * d);
      let max = 0;
      for (let i = 0; i < d; i++) max = Math.max(max, Math.abs(x[i]!));
      const scale = max / 127;
      let f2 = 0, t2 = 0, x2 = 0;
      for (let i = 0; i < d; i++) {
        const v = scale > 0 ? Math.max(-127, Math.min(127, Math.round(x[i]! / scale))) : 0;
        q16[q * d + i] = v;
        const f = x[i]! - scale * v;
        f2 += f * f;
        t2 += scale * v * scale * v;
        x2 += x[i]! * x[i]!;
      }
      const slack = 1 + 2 ** -40;
      found.push({ scale, errorNorm: Math.sqrt(f2) * slack, quantNorm: Math.sqrt(t2) * slack, norm: Math.sqrt(x2) * slack });
    }
    return found;
  }

  /**
   * The exact integer dot products of rows `first .. first + count`' 8-bit copies with the `m` queries of the
   * last {@link WasmRows.quantizeQueries}, laid out as {@link WasmRows.scores}' result (same view, overwritten).
   */
  screen(m: number, first: number, count: number): Float32Array {
    const d = this.dimensions;
    this.kernel.screen(this.int8At + first * d, count, d, this.quantAt, m, this.outAt);
    return this.floats.subarray(this.outAt / 4, this.outAt / 4 + m * count);
  }

  private floatsAt(): number {
    return this.int8At + this.capacityRows * this.dimensions;
  }

  private views(): [Float32Array, Float32Array, Int8Array] {
    const buffer = this.memory.buffer;
    const d = this.dimensions;
    return [
      new Float32Array(buffer, 0, this.int8At / 4),
      new Float32Array(buffer, this.floatsAt(), this.capacityRows * d),
      new Int8Array(buffer, this.int8At, this.capacityRows * d),
    ];
  }
}

function pagesFor(dimensions: number, capacity: number): number {
  const bytes = QUERY_GROUP * dimensions * 6 + SCORE_CHUNK * QUERY_GROUP * 4 + capacity * dimensions * 5;
  return Math.ceil(bytes / PAGE_BYTES);
}
