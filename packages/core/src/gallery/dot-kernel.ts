// The exact-search dot-product kernel in its two forms: WebAssembly SIMD (dot-kernel.wat) and the same arithmetic in JS.
import { DOT_KERNEL_HEX } from './dot-kernel-binary.js';

/** Floats per step of the WebAssembly kernel: it runs on rows whose length is a multiple of this. */
export const KERNEL_STEP = 16;

/** The part of the WebAssembly JS API used here (core's tsconfig has no DOM lib, which is where TS declares it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}

/** The kernels of dot-kernel.wat on one memory (arguments are byte addresses and counts; see the .wat). */
export interface WasmKernel {
  readonly memory: WasmMemory;
  /** `scores(rows, count, stride, queries, m, out)`: float32 dot products, stride in bytes. */
  readonly scores: (rows: number, count: number, stride: number, queries: number, m: number, out: number) => void;
  /** `screen(rows, count, d, queries, m, out)`: integer dot products of int8 rows with int16 queries. */
  readonly screen: (rows: number, count: number, d: number, queries: number, m: number, out: number) => void;
}

let compiled: object | null | undefined;

/**
 * The compiled kernel module, or null where WebAssembly or its SIMD instructions are missing (then search runs
 * the JS form, which gives the same scores bit for bit). Compiled once per process.
 */
export function kernelModule(): object | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (api === undefined) return compiled;
  try {
    const bytes = hexBytes(DOT_KERNEL_HEX);
    if (api.validate(bytes)) compiled = new api.Module(bytes);
  } catch {
    // A runtime that forbids compiling WebAssembly (a strict Content-Security-Policy) keeps the JS form.
  }
  return compiled;
}

/** Instantiates the kernel on `memory` (a new memory of `pages` 64 KiB pages); null without WebAssembly SIMD. */
export function instantiateKernel(pages: number): WasmKernel | null {
  const module = kernelModule();
  if (module === null) return null;
  const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  // 65535 pages, not 65536: the kernel's end-of-rows address must fit in 32 bits.
  const memory = new api.Memory({ initial: pages, maximum: MAX_PAGES });
  const instance = new api.Instance(module, { env: { memory } });
  return { memory, scores: instance.exports['scores'] as WasmKernel['scores'], screen: instance.exports['screen'] as WasmKernel['screen'] };
}

/** Largest kernel memory in 64 KiB pages (just under 4 GiB). */
export const MAX_PAGES = 65535;

/**
 * `out[q * count + r] = dot(rows[first + r], queries[q])` for `r < count`, `q < m`, rows and queries `d` floats
 * long, in the kernel's summation order (see dot-kernel.wat): sixteen running sums, sum `i` taking floats
 * `16t + i`, combined as the SIMD lanes are; floats past the last multiple of 16 are added one by one at the end
 * (the WebAssembly kernel only runs when there are none). `Math.fround` after every operation makes each one a
 * float32 operation, so both forms round identically.
 */
export function dotScoresJs(rows: Float32Array, first: number, count: number, d: number, queries: Float32Array, m: number, out: Float32Array): void {
  const f = Math.fround;
  const whole = d - (d % KERNEL_STEP);
  for (let r = 0; r < count; r++) {
    const o = (first + r) * d;
    for (let q = 0; q < m; q++) {
      const p = q * d;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      let s8 = 0, s9 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0, s14 = 0, s15 = 0;
      for (let i = 0; i < whole; i += KERNEL_STEP) {
        const a = o + i, b = p + i;
        s0 = f(s0 + f(rows[a]! * queries[b]!));
        s1 = f(s1 + f(rows[a + 1]! * queries[b + 1]!));
        s2 = f(s2 + f(rows[a + 2]! * queries[b + 2]!));
        s3 = f(s3 + f(rows[a + 3]! * queries[b + 3]!));
        s4 = f(s4 + f(rows[a + 4]! * queries[b + 4]!));
        s5 = f(s5 + f(rows[a + 5]! * queries[b + 5]!));
        s6 = f(s6 + f(rows[a + 6]! * queries[b + 6]!));
        s7 = f(s7 + f(rows[a + 7]! * queries[b + 7]!));
        s8 = f(s8 + f(rows[a + 8]! * queries[b + 8]!));
        s9 = f(s9 + f(rows[a + 9]! * queries[b + 9]!));
        s10 = f(s10 + f(rows[a + 10]! * queries[b + 10]!));
        s11 = f(s11 + f(rows[a + 11]! * queries[b + 11]!));
        s12 = f(s12 + f(rows[a + 12]! * queries[b + 12]!));
        s13 = f(s13 + f(rows[a + 13]! * queries[b + 13]!));
        s14 = f(s14 + f(rows[a + 14]! * queries[b + 14]!));
        s15 = f(s15 + f(rows[a + 15]! * queries[b + 15]!));
      }
      // Lane j of accumulator k holds sum 4k + j: v_j = (a0 + a1) + (a2 + a3), then (v0 + v1) + (v2 + v3).
      const v0 = f(f(s0 + s4) + f(s8 + s12));
      const v1 = f(f(s1 + s5) + f(s9 + s13));
      const v2 = f(f(s2 + s6) + f(s10 + s14));
      const v3 = f(f(s3 + s7) + f(s11 + s15));
      let s = f(f(v0 + v1) + f(v2 + v3));
      for (let i = whole; i < d; i++) s = f(s + f(rows[o + i]! * queries[p + i]!));
      out[q * count + r] = s;
    }
  }
}

function hexBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
