// Packed (re-laid-out or Winograd-transformed) filters kept across calls for weights that are used again.
// At inference the same filter runs batch after batch; packing a 256×256 Winograd filter writes 9 MB and
// costs more than the convolution itself on a 4×4 feature map. tfjs tensors never change in place (a
// variable's assign swaps in a new data id), so a data id still alive always has the same contents.
import type { TensorInfo } from '@tensorflow/tfjs-core';

/** The allocator and liveness test the cache needs (the kernel runtime). */
export interface PackedWeightHost {
  /** Allocates `bytes` (64-byte aligned, with slack); returns the raw pointer to free and the aligned one. */
  alloc(bytes: number): { raw: number; ptr: number };
  free(raw: number): void;
  /** Whether tfjs still holds this data id. */
  alive(dataId: object): boolean;
}

interface Entry {
  readonly raw: number;
  readonly ptr: number;
  readonly bytes: number;
  lastUse: number;
}

/** Default budget: the whole dlib ResNet-34 (about 75 MB transformed) fits with room for a second model. */
export const PACKED_WEIGHT_BUDGET = 256 * 1024 * 1024;

/**
 * Caches packed filters by (data id, packing kind). A filter is packed into scratch the first time it is
 * seen and kept only from its second use on, so training (new weights every step) never fills the cache.
 */
export class PackedWeightCache {
  private readonly entries = new Map<object, Map<string, Entry>>();
  private readonly seen = new WeakMap<object, Set<string>>();
  private bytes = 0;
  private clock = 0;

  constructor(private readonly host: PackedWeightHost, private readonly budget = PACKED_WEIGHT_BUDGET) {}

  /** Bytes held by cached packings. */
  get size(): number {
    return this.bytes;
  }

  /**
   * Returns a pointer to `t` packed as `kind` (`bytes` long): a cached packing, or a new one written by
   * `pack(dst)` into the cache (second use on) or into `scratch()` (first use, or over budget).
   * `kind` must name everything besides the tensor's bytes that decides the packing, shapes included: a
   * reshaped tensor shares its data id with the original.
   */
  get(t: TensorInfo, kind: string, bytes: number, scratch: () => number, pack: (dst: number) => void): number {
    const id = t.dataId as object;
    const hit = this.entries.get(id)?.get(kind);
    this.clock++;
    if (hit !== undefined) {
      hit.lastUse = this.clock;
      return hit.ptr;
    }
    this.sweep();
    const kinds = this.seen.get(id);
    if (kinds === undefined || !kinds.has(kind) || bytes > this.budget) {
      if (kinds === undefined) this.seen.set(id, new Set([kind]));
      else kinds.add(kind);
      const dst = scratch();
      pack(dst);
      return dst;
    }
    this.evictFor(bytes);
    const { raw, ptr } = this.host.alloc(bytes);
    pack(ptr);
    const entry: Entry = { raw, ptr, bytes, lastUse: this.clock };
    let byKind = this.entries.get(id);
    if (byKind === undefined) this.entries.set(id, (byKind = new Map()));
    byKind.set(kind, entry);
    this.bytes += bytes;
    return ptr;
  }

  /** Frees every cached packing. */
  clear(): void {
    for (const byKind of this.entries.values()) for (const e of byKind.values()) this.host.free(e.raw);
    this.entries.clear();
    this.bytes = 0;
  }

  /** Frees packings of tensors tfjs has disposed. */
  private sweep(): void {
    for (const [id, byKind] of this.entries) {
      if (this.host.alive(id)) continue;
      for (const e of byKind.values()) {
        this.host.free(e.raw);
        this.bytes -= e.bytes;
      }
      this.entries.delete(id);
    }
  }

  /** Frees the least recently used packings until `bytes` more fit in the budget. */
  private evictFor(bytes: number): void {
    while (this.bytes + bytes > this.budget) {
      let oldest: [object, string, Entry] | null = null;
      for (const [id, byKind] of this.entries) {
        for (const [kind, e] of byKind) if (oldest === null || e.lastUse < oldest[2].lastUse) oldest = [id, kind, e];
      }
      if (oldest === null) return;
      const [id, kind, e] = oldest;
      this.host.free(e.raw);
      this.bytes -= e.bytes;
      const byKind = this.entries.get(id)!;
      byKind.delete(kind);
      if (byKind.size === 0) this.entries.delete(id);
    }
  }
}
