// Reads a WebGPU adapter's name, limits and whether it is a software (CPU) implementation.
import type { GpuAdapterLike } from './types.js';

/** Adapters that run on the CPU: Mesa's lavapipe/llvmpipe, SwiftShader, and Dawn's own 'cpu' type. */
const SOFTWARE = /\b(cpu|llvmpipe|lavapipe|swiftshader|software)\b/i;

export interface AdapterDescription {
  readonly name: string;
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  readonly software: boolean;
  readonly limits: Readonly<Record<string, number>>;
}

/** Every numeric limit of `limits` (they are prototype getters, so Object.keys sees none). */
export function readLimits(limits: object): Record<string, number> {
  const out: Record<string, number> = {};
  for (let o: object | null = limits; o && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const key of Object.getOwnPropertyNames(o)) {
      const value = (limits as Record<string, unknown>)[key];
      if (typeof value === 'number' && !(key in out)) out[key] = value;
    }
  }
  return out;
}

export function describeAdapter(adapter: GpuAdapterLike): AdapterDescription {
  const info = adapter.info ?? {};
  const vendor = info.vendor ?? '';
  const architecture = info.architecture ?? '';
  const description = info.description ?? '';
  const name = [vendor, architecture, description].filter((s) => s).join(' ') || 'unknown adapter';
  const software = adapter.isFallbackAdapter === true || info.isFallbackAdapter === true || SOFTWARE.test([name, info.device ?? ''].join(' '));
  return { name, vendor, architecture, description, software, limits: readLimits(adapter.limits) };
}
