// The facerec kernel module instantiated on tfjs's memory: argument block, scratch arena and job dispatch.
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { SLOT } from './jobs.js';
import { PackedWeightCache } from './packed-weights.js';
import { decodeBase64 } from '../../base64.js';
import { KERNELS_PLAIN_BASE64, KERNELS_RELAXED_BASE64, KERNELS_SHARED_BASE64 } from './kernels-binary.js';
import type { KernelPool, StartKernelPool } from './pool.js';
import type { TfjsWasmModule, WasmBackend } from './types.js';
import { isWasmMemory, wasmApi, type WasmInstance, type WasmMemory } from './wasm-api.js';

const ABI_VERSION = 1;
const ARG_SLOTS = 32;

/** Raised when the embedded kernel module does not match this loader. */
export class KernelModuleError extends Error {
  override name = 'KernelModuleError';
}

/** How {@link KernelRuntime.create} runs the kernels; the platform packages supply the thread pool. */
export interface KernelRuntimeOptions {
  /** Threads for the kernels, the caller's included; more than 1 needs a shared memory and `startPool`. */
  readonly threads: number;
  /** Whether to run the relaxed-SIMD (FMA) build; only used on a shared memory. */
  readonly relaxedSimd: boolean;
  /** Starts the worker pool (node: worker_threads; web: Web Workers). */
  readonly startPool?: StartKernelPool;
}

/** One argument of a job: an integer/pointer, or a float written into a float slot. */
export type JobArg = number | { f: number };

export class KernelRuntime {
  readonly backend: WasmBackend;
  readonly threads: number;
  /** Whether the FMA (relaxed SIMD) build of the kernels runs. */
  readonly relaxedSimd: boolean;
  private readonly tfjs: TfjsWasmModule;
  private readonly memory: WasmMemory;
  private readonly runMain: (job: number, args: number, tid: number, nt: number) => void;
  private readonly pool: KernelPool | null;
  private readonly argsPtr: number;
  private i32: Int32Array;
  private f32: Float32Array;
  private readonly scratchRaw: number[] = [];
  private readonly scratchPtr: number[] = [];
  private readonly scratchBytes: number[] = [];
  /** Packed filters reused across calls (inference). */
  readonly weights: PackedWeightCache;

  private constructor(
    backend: WasmBackend,
    tfjs: TfjsWasmModule,
    memory: WasmMemory,
    instance: WasmInstance,
    pool: KernelPool | null,
    relaxedSimd: boolean,
  ) {
    this.backend = backend;
    this.relaxedSimd = relaxedSimd;
    this.tfjs = tfjs;
    this.memory = memory;
    this.pool = pool;
    this.threads = pool?.size ?? 1;
    const exports = instance.exports as { run: KernelRuntime['runMain']; abi_version: () => number };
    if (exports.abi_version() !== ABI_VERSION) throw new KernelModuleError('facerec kernel module ABI mismatch; rebuild with scripts/build-wasm.sh');
    this.runMain = exports.run;
    this.argsPtr = tfjs._malloc(ARG_SLOTS * 4) >>> 0;
    this.i32 = new Int32Array(memory.buffer);
    this.f32 = new Float32Array(memory.buffer);
    this.weights = new PackedWeightCache({
      alloc: (bytes) => this.alloc(bytes),
      free: (raw) => this.tfjs._free(raw),
      alive: (dataId) => this.backend.dataIdMap.has(dataId),
    });
  }

  /** Instantiates the kernels on the backend's memory and, for a shared memory, starts `threads - 1` workers. */
  static async create(backend: WasmBackend, options: KernelRuntimeOptions): Promise<KernelRuntime> {
    const tfjs = backend.wasm as TfjsWasmModule;
    const memory = tfjs.wasmMemory ?? findMemory(tfjs);
    const shared = typeof SharedArrayBuffer === 'function' && memory.buffer instanceof SharedArrayBuffer;
    const relaxed = shared && options.relaxedSimd;
    const b64 = shared ? (relaxed ? KERNELS_RELAXED_BASE64 : KERNELS_SHARED_BASE64) : KERNELS_PLAIN_BASE64;
    const module = new wasmApi.Module(decodeBase64(b64)!) // embedded at build time: always valid;
    const instance = new wasmApi.Instance(module, { env: { memory } });
    const { threads, startPool } = options;
    const pool = shared && threads > 1 && startPool !== undefined ? await startPool(module, memory, threads) : null;
    return new KernelRuntime(backend, tfjs, memory, instance, pool, relaxed);
  }

  /** Byte offset of a tensor's data in the shared memory. */
  offset(t: TensorInfo): number {
    return this.backend.dataIdMap.get(t.dataId).memoryOffset;
  }

  /** A float32 output tensor allocated by tfjs. */
  output(shape: number[]): TensorInfo {
    return this.backend.makeOutput(shape, 'float32');
  }

  /** Whether a kernel may read `slack` bytes past [ptr, ptr + bytes) without leaving the memory. */
  overreadSafe(ptr: number, bytes: number, slack: number): boolean {
    return ptr + bytes + slack <= this.memory.buffer.byteLength;
  }

  /** Copies a tensor into scratch `slot` (which has slack after it) and returns the copy's pointer. */
  copyToScratch(t: TensorInfo, slot: number): number {
    const bytes = t.shape.reduce((a, b) => a * b, 1) * 4;
    const ptr = this.scratch(slot, bytes);
    const heap = new Uint8Array(this.memory.buffer);
    heap.copyWithin(ptr, this.offset(t), this.offset(t) + bytes);
    return ptr;
  }

  /** The memory as 32-bit words (the view is renewed when the memory has grown). */
  heap32(): Int32Array {
    if (this.i32.buffer !== this.memory.buffer || this.i32.length * 4 !== this.memory.buffer.byteLength) {
      this.i32 = new Int32Array(this.memory.buffer);
      this.f32 = new Float32Array(this.memory.buffer);
    }
    return this.i32;
  }

  /** A float32 tensor of zeros (for degenerate shapes). */
  zeros(shape: number[]): TensorInfo {
    const size = shape.reduce((a, b) => a * b, 1);
    return this.backend.makeOutput(shape, 'float32', undefined, new Float32Array(size));
  }

  /** A scratch buffer of at least `bytes`, reused across calls; `slot` keeps buffers needed together apart. */
  scratch(slot: number, bytes: number): number {
    const have = this.scratchBytes[slot] ?? 0;
    if (have >= bytes && this.scratchPtr[slot] !== undefined) return this.scratchPtr[slot] as number;
    if (this.scratchRaw[slot] !== undefined) this.tfjs._free(this.scratchRaw[slot] as number);
    // Grow geometrically so shapes that creep up do not reallocate every step.
    const size = Math.max(bytes, Math.ceil(have * 1.25), 1024);
    const { raw, ptr } = this.alloc(size);
    this.scratchRaw[slot] = raw;
    this.scratchPtr[slot] = ptr;
    this.scratchBytes[slot] = size;
    return ptr;
  }

  /**
   * A pointer to `filter` packed as `kind` (`bytes` long) by `pack(dst)`: kept between calls from the filter's
   * second use on (see PackedWeightCache), else packed into the PACKED scratch slot.
   */
  packedFilter(filter: TensorInfo, kind: string, bytes: number, pack: (dst: number) => void): number {
    return this.weights.get(filter, kind, bytes, () => this.scratch(SLOT.PACKED, bytes), pack);
  }

  /** Allocates `bytes` aligned to 64 bytes, plus 64 bytes of slack that kernels may read past the end. */
  alloc(bytes: number): { raw: number; ptr: number } {
    // `>>> 0` and no bit masks: offsets above 2 GB must stay positive numbers.
    const raw = this.tfjs._malloc(bytes + 128) >>> 0;
    if (raw === 0) throw new RangeError(`facerec kernels: out of WASM memory allocating ${bytes} bytes`);
    return { raw, ptr: raw + ((64 - (raw % 64)) % 64) };
  }

  /** Runs a job; `parallel` false keeps small jobs on the main thread, where waking workers would cost more. */
  run(job: number, args: JobArg[], parallel = true): void {
    this.heap32();
    const base = this.argsPtr >>> 2;
    // Slot 31 is the work counter of dynamically scheduled jobs (native/common.h).
    Atomics.store(this.i32, base + 31, 0);
    for (let i = 0; i < args.length; i++) {
      const a = args[i] as JobArg;
      if (typeof a === 'number') this.i32[base + i] = a;
      else this.f32[base + i] = a.f;
    }
    const nt = parallel ? this.threads : 1;
    if (this.pool && nt > 1) this.pool.run(this.runMain, job, this.argsPtr, nt);
    else this.runMain(job, this.argsPtr, 0, 1);
  }

  /** Frees the scratch arena and stops the workers. */
  async dispose(): Promise<void> {
    this.weights.clear();
    for (const p of this.scratchRaw) if (p !== undefined) this.tfjs._free(p);
    this.scratchRaw.length = 0;
    this.scratchPtr.length = 0;
    this.scratchBytes.length = 0;
    this.tfjs._free(this.argsPtr);
    await this.pool?.terminate();
  }
}

// The single-thread Emscripten build keeps its memory private; its heap views still expose the buffer,
// but a WebAssembly.Memory is needed to import, so this build is only usable when the module exports it.
function findMemory(tfjs: TfjsWasmModule): WasmMemory {
  const asm = (tfjs as unknown as { asm?: Record<string, unknown> }).asm;
  for (const v of Object.values(asm ?? {})) if (isWasmMemory(v)) return v;
  throw new KernelModuleError('cannot find the tfjs WASM memory to run facerec kernels on');
}
